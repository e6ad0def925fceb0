import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Validators for the vendored CRD schemas (test/fixtures/admission-crds, written by
 * scripts/gen-admission-crd-schemas.ts), unknown fields refused as strict field validation does.
 */
export type Schema = Record<string, unknown>;

export function loadCrdSchema(name: string): Schema {
  return (
    JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'admission-crds', name), 'utf8')) as {
      schema: Schema;
    }
  ).schema;
}

function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (typeof node !== 'object' || node === null) return node;
  const n = node as Schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(n)) if (!k.startsWith('x-kubernetes-')) out[k] = strict(v);
  if (n.properties && n.additionalProperties === undefined && !n['x-kubernetes-preserve-unknown-fields'])
    out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });

export const compileCrdSchema = (schema: Schema): ValidateFunction => ajv.compile(strict(schema) as object);

export const schemaErrors = (v: ValidateFunction, o: unknown): string[] =>
  v(o) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
