/**
 * Regenerates test/golden-terraform/<example>.tf.txt: what `render --format terraform` writes for
 * each example, every file under a `# ==> path <==` line. Run after a deliberate change to
 * src/infra, then review the diff like code:
 *
 *   npx tsx scripts/update-terraform-golden.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleCases, goldenText, TERRAFORM_GOLDEN_DIR } from '../test/infra/terraform-cases.js';

mkdirSync(TERRAFORM_GOLDEN_DIR, { recursive: true });
const cases = exampleCases();
for (const c of cases) {
  writeFileSync(join(TERRAFORM_GOLDEN_DIR, `${c.name}.tf.txt`), goldenText(c.files));
  console.log(`wrote test/golden-terraform/${c.name}.tf.txt (${c.files.size} files)`);
}
