import type { SchemaNode, SchemaTable } from './types.js';

/**
 * Turns CustomResourceDefinitions (parsed YAML) into the compact table `slipway check` validates
 * custom resources against (../generated/eso-schemas.ts for the External Secrets Operator). Pure:
 * CRDs in, TypeScript source out. Per served version: types, properties, required, items,
 * additionalProperties, enum, int-or-string and preserve-unknown-fields; not patterns, lengths,
 * formats or CEL rules. Identical object subtrees (ClusterSecretStore repeats SecretStore's whole
 * provider list) become one definition, named after where it first appears.
 */

interface CrdSchema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, CrdSchema>;
  items?: CrdSchema;
  additionalProperties?: CrdSchema | boolean;
  required?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

export interface Crd {
  kind?: string;
  spec: {
    group: string;
    names: { kind: string };
    versions: Array<{ name: string; served?: boolean; schema?: { openAPIV3Schema?: CrdSchema } }>;
  };
}

/** Object subtrees at least this long (as JSON) are shared as definitions. */
const SHARED_MIN_LENGTH = 200;

function convert(s: CrdSchema): SchemaNode {
  if (s['x-kubernetes-int-or-string']) return { t: 'ios' };
  if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties) return { t: 'any' };
  let node: SchemaNode;
  switch (s.type) {
    case 'string':
      node = { t: 's' };
      break;
    case 'integer':
      node = { t: 'i' };
      break;
    case 'number':
      node = { t: 'n' };
      break;
    case 'boolean':
      node = { t: 'b' };
      break;
    case 'array':
      node = s.items ? { t: 'a', i: convert(s.items) } : { t: 'a' };
      break;
    case 'object': {
      node = { t: 'o' };
      if (s.properties)
        node.p = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, convert(v)]));
      if (s.required?.length) node.r = [...s.required];
      if (s.additionalProperties)
        node.m = typeof s.additionalProperties === 'object' ? convert(s.additionalProperties) : { t: 'any' };
      // Preserve-unknown with properties: the listed ones are checked, others pass.
      if (!s.properties || s['x-kubernetes-preserve-unknown-fields']) node.m ??= { t: 'any' };
      break;
    }
    default:
      return { t: 'any' };
  }
  const values = s.enum?.filter((v): v is string => typeof v === 'string');
  if (node.t === 's' && values?.length) node.e = values;
  return node;
}

export function buildCrdSchemaTable(crds: readonly Crd[], source: string): SchemaTable {
  const kinds: Record<string, string> = {};
  const definitions: Record<string, SchemaNode> = {};
  const shared = new Map<string, string>();
  /** Bottom-up: children first, then this node shared if it is a large object. */
  const intern = (node: SchemaNode, name: string, top: boolean): SchemaNode => {
    const out: SchemaNode = { ...node };
    if (node.p)
      out.p = Object.fromEntries(Object.entries(node.p).map(([k, v]) => [k, intern(v, `${name}.${k}`, false)]));
    if (node.i) out.i = intern(node.i, `${name}[]`, false);
    if (node.m && node.m.t !== 'any') out.m = intern(node.m, `${name}{}`, false);
    const text = JSON.stringify(out);
    if (!top && (out.t !== 'o' || text.length < SHARED_MIN_LENGTH)) return out;
    const existing = shared.get(text);
    if (existing) return { ref: existing };
    shared.set(text, name);
    definitions[name] = out;
    return { ref: name };
  };
  for (const crd of crds) {
    for (const version of crd.spec.versions) {
      const schema = version.schema?.openAPIV3Schema;
      if (!version.served || !schema) continue;
      const name = `${version.name}.${crd.spec.names.kind}`;
      const apiVersion = `${crd.spec.group}/${version.name}`;
      const root = convert(schema);
      // apiVersion, kind and metadata as the API server reads them (the CRD leaves them open).
      root.p = {
        ...root.p,
        apiVersion: { t: 's' },
        kind: { t: 's' },
        metadata: { t: 'o', m: { t: 'any' } },
      };
      const ref = intern(root, name, true).ref!;
      kinds[`${apiVersion}/${crd.spec.names.kind}`] = ref;
    }
  }
  const sorted = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b)));
  const sortedKinds = Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b)));
  return { source, kinds: sortedKinds, definitions: sorted };
}

/** The generated module: one line per definition (not prettier-formatted; byte-compared). */
export function renderCrdSchemaModule(
  crds: readonly Crd[],
  source: string,
  opts: { constant: string; generator: string },
): string {
  const table = buildCrdSchemaTable(crds, source);
  const lines = (o: Record<string, unknown>) =>
    Object.entries(o)
      .map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)},`)
      .join('\n');
  return `// Generated by ${opts.generator} from ${source}. Do not edit.
import type { SchemaTable } from '../schema/types.js';

export const ${opts.constant}: SchemaTable = {
  source: ${JSON.stringify(table.source)},
  kinds: {
${lines(table.kinds)}
  },
  definitions: {
${lines(table.definitions)}
  },
};
`;
}
