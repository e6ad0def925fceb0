/**
 * Writes docs/rules/*.md from the policy rule catalog.
 *
 *   npx tsx scripts/gen-policy-docs.ts           # rewrites docs/rules
 *   npx tsx scripts/gen-policy-docs.ts --check   # exit 1 when docs/rules is stale
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderRuleDocs } from '../src/policy/docs.js';
import { RULES } from '../src/policy/rules/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const target = resolve(here, '..', 'docs', 'rules');
const files = renderRuleDocs(RULES);

if (process.argv.includes('--check')) {
  const present = existsSync(target) ? readdirSync(target) : [];
  const stale = [...files]
    .filter(
      ([name, text]) => !existsSync(join(target, name)) || readFileSync(join(target, name), 'utf8') !== text,
    )
    .map(([n]) => n);
  const extra = present.filter((n) => !files.has(n));
  if (stale.length || extra.length) {
    process.stderr.write(
      `docs/rules is stale (${[...stale, ...extra].join(', ')}): run npx tsx scripts/gen-policy-docs.ts\n`,
    );
    process.exit(1);
  }
  process.stdout.write('docs/rules is current\n');
} else {
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(target)) if (!files.has(name)) rmSync(join(target, name));
  for (const [name, text] of files) writeFileSync(join(target, name), text);
  process.stdout.write(`wrote ${files.size} files to ${target}\n`);
}
