/**
 * Regenerates schema/slipway.schema.json from the zod schema. The spec tests fail when the
 * committed copy differs: run `npx tsx scripts/spec-schema.ts` after changing src/spec/schema.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { specJsonSchemaText } from '../src/spec/json-schema.js';

const target = fileURLToPath(new URL('../schema/slipway.schema.json', import.meta.url));
writeFileSync(target, specJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
