/** Regenerates the rule × format table of docs/policy-admission.md: npx tsx --conditions=source scripts/gen-policy-admission-doc.ts */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withTable } from '../src/policy/admission/table.js';
import { admissionTable } from '../test/policy/admission-table.js';

const file = resolve(import.meta.dirname, '..', 'docs', 'policy-admission.md');
writeFileSync(file, withTable(readFileSync(file, 'utf8'), admissionTable()));
