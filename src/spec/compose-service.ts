/**
 * The parts of a Compose service that need more than a one-line translation: environment and
 * env files (with references and secret names), named volumes, the user, and deploy resources.
 */
import {
  SECRET_NAME,
  cpus,
  dnsName,
  environmentOf,
  isRecord,
  memory,
  parseEnvFile,
} from './compose-fields.js';
import { interpolate, type Unresolved } from './compose-interpolate.js';
import { rewriteReferences, type Targets } from './compose-references.js';
import type { Service } from './schema.js';

/** Size given to a Compose named volume, which has none. */
export const DEFAULT_VOLUME_SIZE = '1Gi';

const RENDER_VOLUMES = new Set(['tmp', 'config-files']);

export interface ComposeReader {
  /** Read a file relative to the compose file; undefined when it does not exist. */
  read(path: string): string | undefined;
}

export interface ServiceContext {
  reader: ComposeReader;
  targets: Targets;
  namedVolumes: Set<string>;
  /** Variables of the .env beside the compose file (already applied to the document). */
  variables: Readonly<Record<string, string>>;
  /** Variables a value of this service used without a value, by path under the service. */
  unresolvedAt(path: (string | number)[]): Unresolved[];
  note(path: (string | number)[], message: string, unmapped?: boolean): void;
}

/** `KEY=VALUE` list items and map entries alike, each with its path under the service. */
function environmentEntries(value: unknown): Array<[string, string | null, (string | number)[]]> {
  const env = environmentOf(value);
  if (!Array.isArray(value)) return Object.entries(env).map(([k, v]) => [k, v, ['environment', k]]);
  return Object.entries(env).map(([k, v]) => {
    const i = value.findIndex((item) => String(item) === k || String(item).startsWith(`${k}=`));
    return [k, v, ['environment', i < 0 ? k : i]];
  });
}

/** `${` that Compose wrote as `$${` is a literal in slipway.yaml too, where `${` starts a reference. */
const escapeLiteral = (value: string) => value.replace(/\$\{/g, '$$${');

export function importEnvironment(s: Record<string, unknown>, service: Service, ctx: ServiceContext): void {
  const files =
    typeof s.env_file === 'string'
      ? [s.env_file]
      : Array.isArray(s.env_file)
        ? s.env_file.map((f) => (isRecord(f) ? String(f.path) : String(f)))
        : [];
  const merged: Record<string, string | null> = {};
  const origin: Record<string, (string | number)[]> = {};
  const missing: Record<string, Unresolved[]> = {};
  files.forEach((f, i) => {
    const text = ctx.reader.read(f);
    const at = typeof s.env_file === 'string' ? ['env_file'] : ['env_file', i];
    if (text === undefined) ctx.note(at, `${f} does not exist; its variables are not imported`, true);
    else
      for (const [k, raw] of Object.entries(parseEnvFile(text))) {
        const v = interpolate(raw, ctx.variables);
        [merged[k], origin[k], missing[k]] = [v.value, at, v.unresolved];
      }
  });
  for (const [k, v, at] of environmentEntries(s.environment)) {
    // `- NAME` without a value takes it from the project environment, which here is the .env file.
    const fromDotenv = v === null ? ctx.variables[k] : undefined;
    [merged[k], origin[k], missing[k]] = [fromDotenv ?? v, at, ctx.unresolvedAt(at)];
  }
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(merged)) {
    const at = origin[key] ?? ['environment'];
    const what = at[0] === 'env_file' ? `${key} (from the env file)` : key;
    const prefix = at[0] === 'env_file' ? `${key}: ` : '';
    const unresolved = missing[key] ?? [];
    const looksSecret = SECRET_NAME.test(key) || unresolved.some((u) => SECRET_NAME.test(u.name));
    if (unresolved.length && value === '' && looksSecret) {
      secrets.push(key);
      ctx.note(
        at,
        `${prefix}${variablesText(unresolved)} without a value; ${key} became a secret name (set it with slipway secrets)`,
      );
      continue;
    }
    if (unresolved.length)
      ctx.note(
        at,
        `${prefix}${variablesText(unresolved)} without a value; ${value === '' ? `${key} is "" as Compose would make it` : `${key} is ${JSON.stringify(value)}`}: set it`,
      );
    const rewritten = value === null ? undefined : rewriteReferences(key, value, merged, ctx.targets);
    if (rewritten !== undefined && rewritten !== value) {
      env[key] = rewritten;
      ctx.note(at, `${what} is now ${rewritten}`);
    } else if (value === null || SECRET_NAME.test(key)) {
      secrets.push(key);
      ctx.note(at, `${what} became a secret name; its value is not copied (set it with slipway secrets)`);
    } else env[key] = escapeLiteral(value);
  }
  if (Object.keys(env).length) service.env = env;
  if (secrets.length) service.secrets = secrets;
}

/** `$TIMEZONE (not in .env)`, `$DB_PASSWORD (required: set it)`. */
export function variablesText(unresolved: Unresolved[]): string {
  return unresolved
    .map((u) => `\${${u.name}}${u.required !== undefined ? ` (required: ${u.required})` : ''}`)
    .join(', ')
    .concat(unresolved.length === 1 ? ' is used' : ' are used');
}

export function importVolumes(s: Record<string, unknown>, service: Service, ctx: ServiceContext): void {
  if (!Array.isArray(s.volumes)) return;
  s.volumes.forEach((v, i) => {
    const [source, target] =
      typeof v === 'string'
        ? v.split(':')
        : isRecord(v)
          ? [String(v.source ?? ''), String(v.target ?? '')]
          : [];
    if (source && target && ctx.namedVolumes.has(source)) {
      // Render mounts its own `tmp` and `config-files` volumes; a Compose volume of that name is renamed.
      const name = RENDER_VOLUMES.has(dnsName(source)) ? `${dnsName(source)}-data` : dnsName(source);
      (service.volumes ??= []).push({ name, path: target, size: DEFAULT_VOLUME_SIZE });
      ctx.note(
        ['volumes', i],
        `named volume ${source} became a ${DEFAULT_VOLUME_SIZE} persistent volume${name !== dnsName(source) ? ` named ${name} (render mounts its own ${dnsName(source)})` : ''} (Compose gives no size; adjust it)`,
      );
    } else
      ctx.note(
        ['volumes', i],
        `${JSON.stringify(v)} not mapped: bind mounts and anonymous volumes have no cluster counterpart (use config files or a named volume)`,
        true,
      );
  });
}

export function importUser(s: Record<string, unknown>, service: Service, ctx: ServiceContext): void {
  if (s.user === undefined) return;
  const [uid, gid] = String(s.user).split(':').map(Number);
  if (uid === undefined || !Number.isInteger(uid) || uid < 1) {
    ctx.note(
      ['user'],
      `user ${JSON.stringify(s.user)} not mapped: Slipway runs containers as a non-root numeric user`,
      true,
    );
    return;
  }
  const group = gid !== undefined && Number.isInteger(gid) && gid > 0 ? gid : uid;
  service.security = { runAsUser: uid, runAsGroup: group, fsGroup: group };
  for (const v of service.volumes ?? []) v.owner = { uid, gid: group };
}

export function importDeploy(s: Record<string, unknown>, service: Service, ctx: ServiceContext): void {
  if (!isRecord(s.deploy)) return;
  const d = s.deploy;
  if (typeof d.replicas === 'number') service.replicas = d.replicas;
  const limits = isRecord(d.resources) && isRecord(d.resources.limits) ? d.resources.limits : {};
  const requests =
    isRecord(d.resources) && isRecord(d.resources.reservations) ? d.resources.reservations : {};
  const limitCpu = cpus(limits.cpus);
  const limitMemory = memory(limits.memory);
  // Without reservations, request what the limit allows (Compose enforces only limits).
  const requestCpu = cpus(requests.cpus) ?? limitCpu;
  const requestMemory = memory(requests.memory) ?? limitMemory;
  if (limitCpu || limitMemory || requestCpu || requestMemory) {
    service.resources = {
      ...(requestCpu ? { cpu: requestCpu } : {}),
      ...(requestMemory ? { memory: requestMemory } : {}),
      ...(limitCpu || limitMemory
        ? {
            limits: {
              ...(limitCpu ? { cpu: limitCpu } : {}),
              ...(limitMemory ? { memory: limitMemory } : {}),
            },
          }
        : {}),
    };
  }
  for (const key of Object.keys(d))
    if (key !== 'replicas' && key !== 'resources')
      ctx.note(['deploy', key], 'not mapped (Swarm deploy option)', true);
}
