/**
 * Generates src/policy/generated/eso-schemas.ts (the table `slipway check` validates External
 * Secrets Operator objects against) from the operator's CRDs in a git clone of
 * external-secrets/external-secrets, at a release tag (the committed table: v2.9.0):
 *
 *   npx tsx scripts/gen-eso-schemas.ts <external-secrets git dir> [tag]
 *
 * Never prettier-format the output (.prettierignore lists it). test/policy/eso-schemas.test.ts
 * checks the table's verdicts against @kubernetes-models/external-secrets.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { renderCrdSchemaModule, type Crd } from '../src/policy/schema/render-crd-schemas.js';

const [gitDir, tag = 'v2.9.0'] = process.argv.slice(2);
if (!gitDir) {
  console.error('usage: gen-eso-schemas.ts <external-secrets git dir>');
  process.exit(2);
}
const FILES = ['secretstores', 'clustersecretstores', 'externalsecrets'].map(
  (name) => `config/crds/bases/external-secrets.io_${name}.yaml`,
);
const git = (...args: string[]) =>
  execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const commit = git('rev-parse', `${tag}^{commit}`).trim();
const crds = FILES.map((f) => parse(git('show', `${commit}:${f}`)) as Crd);
const target = resolve(import.meta.dirname, '..', 'src', 'policy', 'generated', 'eso-schemas.ts');
const text = renderCrdSchemaModule(
  crds,
  `external-secrets/external-secrets ${tag} (${commit.slice(0, 12)}) config/crds/bases, Apache-2.0, served versions`,
  { constant: 'ESO_SCHEMAS', generator: 'scripts/gen-eso-schemas.ts' },
);
writeFileSync(target, text);
console.log(`wrote ${target} (${Math.round(text.length / 1024)} KB)`);
