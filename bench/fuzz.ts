/**
 * Fuzz benchmark (issue 25): 10,000 seeded cases of the example specs, mutated (test/fuzz/
 * mutations.ts), through `slipway validate`, `render` and `check` as the CLI runs them, each under a
 * watchdog. Prints cases run, crashes (with each case, to replay), hangs and the slowest case.
 * Usage: npx tsx bench/fuzz.ts [cases] [seed]    (npm test runs 200 of the same cases, seed 25)
 */
import fc from 'fast-check';
import { caseArbitrary, caseText, type FuzzCase } from '../test/fuzz/mutations.js';
import { FuzzRunner } from '../test/fuzz/runner.js';
import { loadLine, median } from './measure.js';

const CASES = Number(process.argv[2] ?? 10_000);
const SEED = Number(process.argv[3] ?? 25);
const WATCHDOG_MS = 60_000;

const runner = new FuzzRunner(WATCHDOG_MS);
const failed: Array<{ index: number; c: FuzzCase; failures: string[] }> = [];
let slowest = { ms: 0, index: -1, bytes: 0, codes: '' };
const caseMs: number[] = [];
console.log(loadLine());
const started = performance.now();
try {
  const cases = fc.sample(caseArbitrary, { seed: SEED, numRuns: CASES });
  for (const [index, c] of cases.entries()) {
    const text = caseText(c);
    const outcome = await runner.run(text);
    // The first case also starts the worker and loads the CLI; it is not a case's own time.
    if (index > 0) caseMs.push(outcome.ms);
    if (index > 0 && outcome.ms > slowest.ms)
      slowest = { ms: outcome.ms, index, bytes: Buffer.byteLength(text), codes: outcome.codes };
    if (outcome.failures.length) {
      failed.push({ index, c, failures: outcome.failures });
      process.stderr.write(`case #${index} failed: ${outcome.failures[0]?.slice(0, 300)}\n`);
    }
    if ((index + 1) % 500 === 0) process.stderr.write(`${index + 1} cases, ${failed.length} failing\n`);
  }
} finally {
  await runner.close();
}
const hangs = failed.filter((f) => f.failures.some((m) => m.includes('a hang'))).length;
console.log(`seed ${SEED}: ${CASES} cases in ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(
  `crashes or unlocated errors: ${failed.length - hangs}   hangs (no answer in ${WATCHDOG_MS / 1000} s): ${hangs}`,
);
console.log(`median case: ${median(caseMs).toFixed(0)} ms (validate, render and check of one case)`);
console.log(
  `slowest case: #${slowest.index}, ${(slowest.ms / 1000).toFixed(2)} s, ${slowest.bytes} bytes (${slowest.codes})`,
);
for (const f of failed)
  console.log(`\ncase #${f.index} ${JSON.stringify(f.c)}\n  ${f.failures.join('\n  ')}`);
process.exitCode = failed.length ? 1 : 0;
