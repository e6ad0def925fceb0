/**
 * `--set PATH=VALUE` and `--set-image SERVICE=IMAGE` for one deploy, applied to the resolved
 * environment like helm's `--set`: a dotted path, the value read as a YAML scalar (`0.05` is a
 * number, `true` a boolean), the result validated again by the spec's schema, and every override
 * recorded in the release.
 */
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { AppSchema } from '../spec/schema.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { Override } from './releases/release.js';

function splitAssignment(text: string, flag: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UserError(`${flag} expects KEY=VALUE, got ${JSON.stringify(text)}`, { code: 'deploy-set', path: flag, hint: `${flag} services.web.env.LOG_LEVEL=debug` });
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

export function applyOverrides(app: ResolvedApp, sets: string[], setImages: string[]): { app: ResolvedApp; overrides: Override[] } {
  const next = structuredClone(app);
  const overrides: Override[] = [];
  for (const assignment of setImages) {
    const [service, image] = splitAssignment(assignment, '--set-image');
    const target = next.services[service];
    if (!target) throw new UserError(`--set-image names service "${service}", which ${app.app} does not have`, { code: 'deploy-set-image', path: '--set-image', hint: `services: ${Object.keys(app.services).join(', ')}` });
    target.image = image;
    overrides.push({ path: `services.${service}.image`, value: image });
  }
  for (const assignment of sets) {
    const [path, raw] = splitAssignment(assignment, '--set');
    const keys = path.split('.');
    let node = next as unknown as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) {
      const child = node[key];
      if (child === undefined) node[key] = {};
      else if (typeof child !== 'object' || child === null || Array.isArray(child)) throw new UserError(`--set ${path}: ${key} is not a map`, { code: 'deploy-set', path });
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = scalar(raw);
    overrides.push({ path, value: raw });
  }
  if (overrides.length) validate(next);
  return { app: next, overrides };
}

/** The overridden fields must still be a valid spec (an env value, a replica count...). */
function validate(app: ResolvedApp): void {
  const shape = AppSchema.shape;
  const checks: Array<[string, { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, unknown]> = [
    ['services', shape.services, app.services],
    ['deploy', shape.deploy, app.deploy],
    ['dependencies', shape.dependencies, app.dependencies],
  ];
  for (const [root, schema, value] of checks) {
    const result = schema.safeParse(value);
    const issue = result.error?.issues[0];
    if (issue) throw new UserError(`--set made ${[root, ...issue.path.map(String)].join('.')} invalid: ${issue.message}`, { code: 'deploy-set', path: [root, ...issue.path.map(String)].join('.') });
  }
}
