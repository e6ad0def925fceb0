/**
 * Generates packages/sandbox/src/generated/kube-tables.ts from the official Kubernetes OpenAPI v2 document
 * (../shared/kubernetes-openapi/swagger-v1.36.json): the served resources (group, version, plural,
 * kind, scope, verbs, subresources) and the schemas of every definition they reach, without prose.
 * The sandbox serves OpenAPI v3, validates strictly and merges lists from these tables alone.
 *
 *   npx tsx packages/sandbox/scripts/gen-kube-tables.ts [path/to/swagger.json]   # rewrites the committed tables
 *   npx tsx packages/sandbox/scripts/gen-kube-tables.ts --check                   # exit 1 when they are stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderKubeTables } from '../src/generated/render-tables.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const check = args.includes('--check');
const swaggerPath =
  args.find((a) => !a.startsWith('--')) ??
  resolve(here, '..', '..', '..', '..', 'shared', 'kubernetes-openapi', 'swagger-v1.36.json');
const target = resolve(here, '..', 'src', 'generated', 'kube-tables.ts');

const text = renderKubeTables(JSON.parse(readFileSync(swaggerPath, 'utf8')) as unknown);
if (check) {
  const current = readFileSync(target, 'utf8');
  if (current !== text) {
    process.stderr.write(`${target} is stale: run npx tsx packages/sandbox/scripts/gen-kube-tables.ts\n`);
    process.exit(1);
  }
  process.stdout.write('kube tables are current\n');
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target} (${Math.round(text.length / 1024)} KB)\n`);
}
