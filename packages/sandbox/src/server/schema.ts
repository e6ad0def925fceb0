/** Navigating the generated schemas: `$ref` resolution and per-field lookups for merge and validation. */
import { SCHEMAS } from '../generated/kube-tables.js';
import type { KubeSchema } from '../generated/types.js';

export type { KubeSchema };

export function resolveSchema(s: KubeSchema | undefined): KubeSchema | undefined {
  let cur = s;
  for (let i = 0; cur && i < 8; i++) {
    if (cur.$ref) {
      const target = SCHEMAS[cur.$ref.replace('#/definitions/', '')];
      // Extensions on the referencing property (patch strategy, list type) win over the target's.
      const { $ref: _r, ...own } = cur;
      cur = target ? { ...target, ...own } : undefined;
    } else if (cur.allOf?.length === 1) {
      const { allOf, ...own } = cur;
      cur = { ...(allOf[0] as KubeSchema), ...own };
    } else return cur;
  }
  return cur;
}

export function definitionSchema(name: string | undefined): KubeSchema | undefined {
  return name ? resolveSchema(SCHEMAS[name]) : undefined;
}

/** The schema of `key` inside an object schema (a declared property or a map's value). */
export function fieldSchema(s: KubeSchema | undefined, key: string): KubeSchema | undefined {
  if (!s) return undefined;
  const prop = s.properties?.[key];
  if (prop) return resolveSchema(prop);
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    return resolveSchema(s.additionalProperties);
  return undefined;
}

export function itemSchema(s: KubeSchema | undefined): KubeSchema | undefined {
  return s?.items ? resolveSchema(s.items) : undefined;
}

/** Objects without declared properties (RawExtension, preserve-unknown-fields) accept anything. */
export function isOpenObject(s: KubeSchema | undefined): boolean {
  if (!s) return true;
  if (s['x-kubernetes-preserve-unknown-fields']) return true;
  return (
    !s.properties && !s.additionalProperties && !s.items && (s.type === 'object' || s.type === undefined)
  );
}
