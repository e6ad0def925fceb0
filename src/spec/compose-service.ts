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
import { rewriteReferences, type Targets } from './compose-references.js';
import type { Service } from './schema.js';

/** Size given to a Compose named volume, which has none. */
export const DEFAULT_VOLUME_SIZE = '1Gi';

export interface ComposeReader {
  /** Read a file relative to the compose file; undefined when it does not exist. */
  read(path: string): string | undefined;
}

export interface ServiceContext {
  reader: ComposeReader;
  targets: Targets;
  namedVolumes: Set<string>;
  note(path: (string | number)[], message: string, unmapped?: boolean): void;
}

export function importEnvironment(s: Record<string, unknown>, service: Service, ctx: ServiceContext): void {
  const files =
    typeof s.env_file === 'string'
      ? [s.env_file]
      : Array.isArray(s.env_file)
        ? s.env_file.map((f) => (isRecord(f) ? String(f.path) : String(f)))
        : [];
  const merged: Record<string, string | null> = {};
  const origin: Record<string, (string | number)[]> = {};
  files.forEach((f, i) => {
    const text = ctx.reader.read(f);
    const at = typeof s.env_file === 'string' ? ['env_file'] : ['env_file', i];
    if (text === undefined) ctx.note(at, `${f} does not exist; its variables are not imported`, true);
    else for (const [k, v] of Object.entries(parseEnvFile(text))) [merged[k], origin[k]] = [v, at];
  });
  for (const [k, v] of Object.entries(environmentOf(s.environment)))
    [merged[k], origin[k]] = [v, ['environment', k]];
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [key, value] of Object.entries(merged)) {
    const rewritten = value === null ? undefined : rewriteReferences(key, value, merged, ctx.targets);
    const at = origin[key] ?? ['environment'];
    const what = at[0] === 'env_file' ? `${key} (from the env file)` : key;
    if (rewritten !== undefined && rewritten !== value) {
      env[key] = rewritten;
      ctx.note(at, `${what} is now ${rewritten}`);
    } else if (value === null || SECRET_NAME.test(key)) {
      secrets.push(key);
      ctx.note(at, `${what} became a secret name; its value is not copied (set it with slipway secrets)`);
    } else env[key] = value;
  }
  if (Object.keys(env).length) service.env = env;
  if (secrets.length) service.secrets = secrets;
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
      (service.volumes ??= []).push({ name: dnsName(source), path: target, size: DEFAULT_VOLUME_SIZE });
      ctx.note(
        ['volumes', i],
        `named volume ${source} became a ${DEFAULT_VOLUME_SIZE} persistent volume (Compose gives no size; adjust it)`,
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
