/**
 * A service's environment. Rules (docs/render.md, "References"):
 * - a plain value goes to the service's env ConfigMap, read through `envFrom` (a name no ConfigMap
 *   key can be, allowed by relaxed env validation, is set on the container instead);
 * - a value that is exactly one reference becomes an env entry: `valueFrom.secretKeyRef` for a
 *   secret output (user, password, url), a plain `value` otherwise (host, port);
 * - a reference inside a longer string uses the kubelet's dependent variable expansion `$(VAR)`
 *   (https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/):
 *   each secret piece is defined first as `SLIPWAY_REF_<TARGET>_<OUTPUT>`, plain pieces are inlined;
 * - literal `$(` in an env entry is written `$$(` so the kubelet leaves it alone;
 * - `secrets:` names become secretKeyRefs to `<app>-<service>-secrets`.
 */
import type { Service } from '../../spec/schema.js';
import type { ResolvedApp } from '../../spec/resolved.js';
import { fail, type RenderContext } from '../context.js';
import { clusterEndpoints, type ClusterEndpoint } from './cluster-endpoints.js';
import { serviceSecretName } from '../names.js';
import {
  findReferences,
  resolveReference,
  unescapeLiteral,
  type Output,
  type Reference,
} from '../references.js';

export type EnvVar = Record<string, unknown> & { name: string };

export interface ServiceEnv {
  /** Entries on the container, in the order the kubelet must expand them. */
  env: EnvVar[];
  /** Plain values for the env ConfigMap. */
  plain: Record<string, string>;
  /** The services and dependencies this service's env references (for NetworkPolicies). */
  targets: string[];
  /** Other namespaces' Services named by address in plain values (for NetworkPolicies). */
  endpoints: ClusterEndpoint[];
}

/** apimachinery IsConfigMapKey: what envFrom can carry. */
const CONFIG_MAP_KEY = /^(?!\.\.)(?!\.$)[-._a-zA-Z0-9]+$/;

/** Escape what the kubelet would otherwise expand (`$(X)`). */
export function escapeExpansion(value: string): string {
  return value.replace(/\$\(/g, '$$$$(');
}

export function refVarName(target: string, output: string): string {
  return `SLIPWAY_REF_${target}_${output}`.toUpperCase().replace(/-/g, '_');
}

function secretRef(name: string, output: { secret: { name: string; key: string } }): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: output.secret.name, key: output.secret.key } } };
}

export function serviceEnv(
  ctx: RenderContext,
  path: string,
  serviceName: string,
  service: Service,
): ServiceEnv {
  const helpers = new Map<string, EnvVar>();
  const entries: EnvVar[] = [];
  const plain: Record<string, string> = {};
  const targets = new Set<string>();
  for (const [key, raw] of Object.entries(service.env ?? {})) {
    const value = String(raw);
    const refs = findReferences(value);
    if (refs.length === 0) {
      // A relaxed name (kubernetes.version 1.32+) that no ConfigMap key can hold is set on the container.
      if (CONFIG_MAP_KEY.test(key)) plain[key] = unescapeLiteral(value);
      else entries.push({ name: key, value: escapeExpansion(unescapeLiteral(value)) });
      continue;
    }
    const resolved: Array<[string, Output]> = [];
    for (const ref of refs) {
      const r = resolveReference(ctx.app, ref);
      if ('error' in r) fail(ctx, `${path}.env.${key}`, r.error, r.hint);
      else {
        resolved.push([ref.text, r.output]);
        if (!isExternal(ctx.app, ref.target) && ref.target !== serviceName) targets.add(ref.target);
        if (ctx.app.dependencies[ref.target]?.type === 'sqlite') targets.delete(ref.target);
      }
    }
    if (resolved.length !== refs.length) continue;
    const only = resolved.length === 1 && refs[0]?.text === value ? resolved[0]?.[1] : undefined;
    if (only) {
      entries.push(
        'secret' in only ? secretRef(key, only) : { name: key, value: escapeExpansion(only.value) },
      );
      continue;
    }
    entries.push({ name: key, value: expand(value, resolved, refs, helpers) });
  }
  for (const key of service.secrets ?? []) {
    if (key in (service.env ?? {}))
      fail(ctx, `${path}.secrets`, `${key} is both in env and in secrets`, 'keep it in one place');
    entries.push(secretRef(key, { secret: { name: serviceSecretName(ctx.app.app, serviceName), key } }));
  }
  const ordered = [...helpers.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  const literals = Object.values(service.env ?? {}).map((v) => unescapeLiteral(String(v)));
  const endpoints = clusterEndpoints(literals).filter((e) => e.namespace !== ctx.app.namespace);
  return { env: [...ordered, ...entries], plain, targets: [...targets].sort(), endpoints };
}

/** Rewrite a string with references into `$(VAR)` form, registering the secret pieces as helpers. */
function expand(
  value: string,
  resolved: Array<[string, Output]>,
  refs: Reference[],
  helpers: Map<string, EnvVar>,
): string {
  const byText = new Map(resolved);
  const literal = (text: string) => escapeExpansion(unescapeLiteral(text));
  let out = '';
  let last = 0;
  for (const ref of refs) {
    const output = byText.get(ref.text);
    if (!output) continue;
    out += literal(value.slice(last, ref.start));
    if ('secret' in output) {
      const name = refVarName(ref.target, ref.output);
      helpers.set(name, secretRef(name, output));
      out += `$(${name})`;
    } else {
      out += escapeExpansion(output.value);
    }
    last = ref.start + ref.text.length;
  }
  return out + literal(value.slice(last));
}

function isExternal(app: ResolvedApp, target: string): boolean {
  return app.dependencies[target]?.external !== undefined;
}
