/**
 * Generates src/policy/generated/schemas.ts (the schema table `slipway check` validates built-in kinds
 * against) from the Kubernetes OpenAPI v2 document ../shared/kubernetes-openapi/swagger-v1.36.json.
 *
 *   npx tsx scripts/gen-policy-schemas.ts [path/to/swagger.json]   # rewrites the committed table
 *   npx tsx scripts/gen-policy-schemas.ts --check                   # exit 1 when it is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSchemaModule } from '../src/policy/schema/render-schemas.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const check = args.includes('--check');
const swaggerPath =
  args.find((a) => !a.startsWith('--')) ??
  resolve(here, '..', '..', 'shared', 'kubernetes-openapi', 'swagger-v1.36.json');
const target = resolve(here, '..', 'src', 'policy', 'generated', 'schemas.ts');

const source = /swagger-(v[\d.]+)\.json$/.exec(swaggerPath)?.[1] ?? 'unknown';
const text = renderSchemaModule(JSON.parse(readFileSync(swaggerPath, 'utf8')) as unknown, source);
if (check) {
  if (readFileSync(target, 'utf8') !== text) {
    process.stderr.write(`${target} is stale: run npx tsx scripts/gen-policy-schemas.ts\n`);
    process.exit(1);
  }
  process.stdout.write('policy schemas are current\n');
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target} (${Math.round(text.length / 1024)} KB)\n`);
}
