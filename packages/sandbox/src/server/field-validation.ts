/**
 * Unknown-field detection against the generated schemas, for `fieldValidation`
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation): Strict rejects
 * with 400 `strict decoding error: unknown field "spec.foo"`, Warn (the default) answers with a
 * Warning header, Ignore drops silently. The unknown fields are never stored: the real apiserver
 * decodes into Go structs, which have nowhere to put them.
 */
import { fieldSchema, isOpenObject, itemSchema, type KubeSchema } from './schema.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Removes unknown fields in place and returns their dotted paths. */
export function pruneUnknownFields(value: unknown, schema: KubeSchema | undefined, path = ''): string[] {
  if (!schema || isOpenObject(schema)) return [];
  const unknown: string[] = [];
  if (isObj(value)) {
    if (schema.type && schema.type !== 'object') return [];
    for (const [k, v] of Object.entries(value)) {
      const child = path ? `${path}.${k}` : k;
      const fs = fieldSchema(schema, k);
      if (!fs) {
        if (schema.properties && !schema.additionalProperties) {
          unknown.push(child);
          delete value[k];
        }
        continue;
      }
      unknown.push(...pruneUnknownFields(v, fs, child));
    }
  } else if (Array.isArray(value)) {
    const items = itemSchema(schema);
    value.forEach((v, i) => unknown.push(...pruneUnknownFields(v, items, `${path}[${i}]`)));
  }
  return unknown;
}

export function strictDecodingMessage(paths: string[]): string {
  return `strict decoding error: ${paths.map((p) => `unknown field "${p}"`).join(', ')}`;
}
