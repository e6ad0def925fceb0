/**
 * `--set PATH=VALUE` and `--set-image SERVICE=IMAGE` for one deploy, applied to the resolved
 * environment like helm's `--set`: a dotted path, the value read as a YAML scalar (`0.05` is a
 * number, `true` a boolean), the result validated again by the spec's schema, and every override
 * recorded in the release.
 */
import { parse } from '#yaml';
import { UserError } from '../errors.js';
import { AppSchema } from '../spec/schema.js';
import { suggestion } from '../spec/suggest.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { Override } from './releases/release.js';

function splitAssignment(text: string, flag: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) {
    const example =
      flag === '--set-image' ? 'web=ghcr.io/acme/web:1.2.3' : 'services.web.env.LOG_LEVEL=debug';
    throw new UserError(
      `expected ${flag === '--set-image' ? 'SERVICE=IMAGE' : 'PATH=VALUE'}, got ${JSON.stringify(text)}`,
      { code: 'deploy-set', path: flag, hint: `${flag} ${example}` },
    );
  }
  return [text.slice(0, at), text.slice(at + 1)];
}

function scalar(text: string): unknown {
  try {
    const value: unknown = parse(text);
    return value !== null && typeof value === 'object' ? text : (value ?? text);
  } catch {
    return text;
  }
}

export function applyOverrides(
  app: ResolvedApp,
  sets: string[],
  setImages: string[],
): { app: ResolvedApp; overrides: Override[] } {
  const next = structuredClone(app);
  const overrides: Override[] = [];
  for (const assignment of setImages) {
    const [service, image] = splitAssignment(assignment, '--set-image');
    const target = next.services[service];
    if (!target)
      throw new UserError(`--set-image names service "${service}", which ${app.app} does not have`, {
        code: 'deploy-set-image',
        path: '--set-image',
        hint: `services: ${Object.keys(app.services).join(', ')}`,
      });
    target.image = image;
    overrides.push({ path: `services.${service}.image`, value: image });
  }
  for (const assignment of sets) {
    const [path, raw] = splitAssignment(assignment, '--set');
    const keys = path.split('.');
    checkTarget(next, path, keys);
    let node = next as unknown as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
      const child = node[key];
      if (child === undefined) node[key] = {};
      else if (typeof child !== 'object' || child === null || Array.isArray(child))
        throw new UserError(`--set ${path}: ${key} is not a map`, { code: 'deploy-set', path });
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = scalar(raw);
    overrides.push({ path, value: raw });
  }
  if (overrides.length) validate(next);
  return { app: next, overrides };
}

/**
 * A --set must name a field of the resolved environment and an existing service or dependency: a
 * misspelt top-level key would otherwise be recorded and do nothing, and `services.<typo>.x` would
 * invent a service.
 */
function checkTarget(app: ResolvedApp, path: string, keys: string[]): void {
  const top = Object.keys(app);
  const root = keys[0]!;
  if (!top.includes(root)) {
    throw new UserError(`${path}: the spec has no field "${root}"`, {
      code: 'deploy-set',
      path: '--set',
      hint: suggestion(root, ['services', 'deploy', 'dependencies']),
    });
  }
  if ((root === 'services' || root === 'dependencies') && keys.length > 2) {
    const names = Object.keys(app[root] ?? {});
    if (!names.includes(keys[1]!)) {
      const what = root === 'services' ? 'service' : 'dependency';
      throw new UserError(`${path}: ${app.app} has no ${what} "${keys[1]}"`, {
        code: 'deploy-set',
        path: '--set',
        hint: suggestion(keys[1]!, names, root),
      });
    }
  }
}

/** The overridden fields must still be a valid spec (an env value, a replica count...). */
function validate(app: ResolvedApp): void {
  const shape = AppSchema.shape;
  const checks: Array<
    [
      string,
      {
        safeParse(v: unknown): {
          success: boolean;
          error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
        };
      },
      unknown,
    ]
  > = [
    ['services', shape.services, app.services],
    ['deploy', shape.deploy, app.deploy],
    ['dependencies', shape.dependencies, app.dependencies],
  ];
  for (const [root, schema, value] of checks) {
    const result = schema.safeParse(value);
    const issue = result.error?.issues[0] as
      { path: PropertyKey[]; message: string; code?: string; keys?: string[] } | undefined;
    if (!issue) continue;
    const at = [root, ...issue.path.map(String)].join('.');
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys?.[0] : undefined;
    if (unknown !== undefined) {
      const known = knownKeys(schema, issue.path);
      throw new UserError(`--set: unknown field "${unknown}"`, {
        code: 'deploy-set',
        path: `${at}.${unknown}`,
        hint: known ? suggestion(unknown, known) : undefined,
      });
    }
    throw new UserError(`--set made ${at} invalid: ${issue.message}`, { code: 'deploy-set', path: at });
  }
}

/** The field names the schema allows at `path` (through records and optional wrappers), for a "did you mean". */
function knownKeys(schema: unknown, path: PropertyKey[]): string[] | undefined {
  let node = schema as {
    def?: Record<string, unknown>;
    shape?: Record<string, unknown>;
    unwrap?: () => unknown;
  };
  const unwrap = () => {
    for (let i = 0; i < 10 && node?.def && !node.shape; i++) {
      const def = node.def;
      const inner = (def.innerType ?? def.in) as typeof node | undefined;
      if (!inner) break;
      node = inner;
    }
  };
  for (const key of path) {
    unwrap();
    if (node?.shape) node = node.shape[String(key)] as typeof node;
    else if (node?.def?.type === 'record') node = node.def.valueType as typeof node;
    else return undefined;
    if (!node) return undefined;
  }
  unwrap();
  return node?.shape ? Object.keys(node.shape) : undefined;
}
