/**
 * values.yaml, values-<env>.yaml and values.schema.json.
 *
 * values.yaml holds the first environment's values, so `helm template chart` alone renders
 * something real (and `helm lint` has values to render with). Each values-<env>.yaml holds that
 * environment's complete values. Helm deep-merges `-f` files over values.yaml, which would leak a
 * key the default has and the environment lacks; so the environment file sets such keys to null,
 * which Helm's coalescing treats as "delete this default" (pkg/chart/common/util/coalesce.go).
 */
import { isDeepStrictEqual } from 'node:util';
import { isPlainObject, MISSING, type ValuePath, type Version } from './tree.js';

export type Values = Record<string, unknown>;

export function setAt(values: Values, ref: ValuePath, value: Version): void {
  let node = values;
  for (const seg of ref.slice(0, -1)) {
    const next = node[seg];
    if (!isPlainObject(next)) node[seg] = {};
    node = node[seg] as Values;
  }
  const last = ref[ref.length - 1]!;
  const v = value === MISSING ? null : value;
  if (last in node && !isDeepStrictEqual(node[last], v)) {
    throw new Error(`helm writer: two different values for ${ref.join('.')}`);
  }
  node[last] = v;
}

/** The environment's values plus an explicit null for each default key it does not have. */
export function overlay(defaults: Values, env: Values): Values {
  const result: Values = { ...env };
  for (const [key, def] of Object.entries(defaults)) {
    if (!(key in env)) result[key] = null;
    else if (isPlainObject(def) && isPlainObject(env[key])) result[key] = overlay(def, env[key] as Values);
  }
  return result;
}

type Schema = Record<string, unknown>;

const DESCRIPTIONS: Record<string, string> = {
  workloads:
    'Per workload (Deployment, StatefulSet, CronJob, Job): replicas, and per container image, resources and literal env vars',
  ingresses: 'Per Ingress: the host of each rule and the hosts of each TLS entry',
  routes: 'Per HTTPRoute: its hostnames',
  objects:
    'Everything else that differs between environments, by kind, object name and field path; `enabled` says whether an object exists in this environment',
  tests: 'The helm test smoke hook: its image and the Service ports it requests',
};

/** Descriptions of the named values, pointing at the spec field each comes from. */
const PATTERNS: [string[], string][] = [
  [
    ['workloads', '*', 'replicas'],
    'Pod count (spec: services.<name>.replicas, or environments.<env>.replicas); null when autoscale owns it',
  ],
  [
    ['workloads', '*', '*', '*', 'image'],
    'Container image (spec: services.<name>.image; the tag defaults to the spec version)',
  ],
  [['workloads', '*', '*', '*', 'image', 'repository'], 'Image repository'],
  [['workloads', '*', '*', '*', 'image', 'tag'], 'Image tag'],
  [['workloads', '*', '*', '*', 'resources'], 'Requests and limits (spec: services.<name>.resources)'],
  [['workloads', '*', '*', '*', 'env'], 'Literal environment variables (spec: services.<name>.env)'],
  [
    ['workloads', '*', 'storage', '*'],
    "Size of each replica's volume claim (spec: services.<name>.volumes[].size, dependencies.<name>.storage)",
  ],
  [['ingresses', '*', 'rules', '*', 'host'], 'Public host (spec: services.<name>.public.host)'],
  [['ingresses', '*', 'tls', '*', 'hosts'], 'Hosts of the TLS certificate (spec: services.<name>.public)'],
  [['routes', '*', 'hostnames'], 'Public hostnames (spec: services.<name>.public.host)'],
  [['objects', '*', '*', 'enabled'], 'Whether this environment has the object'],
];

function describe(path: string[]): string | undefined {
  if (path.length === 1) return DESCRIPTIONS[path[0]!];
  return PATTERNS.find(
    ([p]) => p.length === path.length && p.every((seg, i) => seg === '*' || seg === path[i]),
  )?.[1];
}

/** A JSON Schema (draft-07) describing every value of every environment, with its types. */
export function valuesSchema(all: Values[], title: string): Schema {
  const schema = schemaOf(all, []);
  return { $schema: 'http://json-schema.org/draft-07/schema#', title, ...schema };
}

function schemaOf(samples: unknown[], path: string[]): Schema {
  const present = samples.filter((s) => s !== undefined);
  const types = new Set<string>();
  for (const s of present) types.add(jsonType(s));
  const schema: Schema = {};
  const description = describe(path);
  if (description) schema.description = description;
  if (types.size === 1) schema.type = [...types][0];
  else if (types.size > 1) schema.type = [...types].sort();
  if (types.has('object')) {
    const maps = present.filter(isPlainObject);
    const keys = [...new Set(maps.flatMap((m) => Object.keys(m)))];
    schema.properties = Object.fromEntries(
      keys.map((k) => [
        k,
        schemaOf(
          maps.map((m) => m[k]),
          [...path, k],
        ),
      ]),
    );
  }
  if (types.has('array')) {
    const items = present.filter(Array.isArray).flat();
    if (items.length) schema.items = schemaOf(items, [...path, '*']);
  }
  return schema;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}
