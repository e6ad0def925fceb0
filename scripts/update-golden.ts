/**
 * Regenerates every golden file: `test/golden/<example>/<env>.yaml` for each example under
 * examples/ and each environment it declares, and removes golden files whose example or environment
 * is gone. Run after a deliberate render change, then review the diff like code:
 *
 *   npx tsx scripts/update-golden.ts
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { GOLDEN_DIR, goldenCases, renderGolden, ROOT } from '../test/render/golden-files.js';

const cases = goldenCases();
const wanted = new Set(cases.map((c) => c.file));
for (const c of cases) {
  mkdirSync(dirname(c.file), { recursive: true });
  writeFileSync(c.file, renderGolden(c.example, c.environment));
  console.log(`wrote ${relative(ROOT, c.file)}`);
}
if (existsSync(GOLDEN_DIR)) {
  for (const dir of readdirSync(GOLDEN_DIR)) {
    for (const f of readdirSync(join(GOLDEN_DIR, dir))) {
      const file = join(GOLDEN_DIR, dir, f);
      if (!wanted.has(file)) {
        rmSync(file);
        console.log(`removed ${relative(ROOT, file)}`);
      }
    }
    if (readdirSync(join(GOLDEN_DIR, dir)).length === 0) rmSync(join(GOLDEN_DIR, dir), { recursive: true });
  }
}
console.log(`${cases.length} golden files for ${new Set(cases.map((c) => c.example)).size} examples`);
