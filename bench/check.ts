/**
 * bench/check: runs `slipway check`'s parser and full rule catalog over a generated corpus on one
 * process and prints resources per second. A reference tool runs over the same files when available
 * (CHECKOV=/path/to/checkov; kube-score, kube-linter and Polaris have no npm or Debian package).
 *
 *   npx tsx bench/check.ts [--units 850] [--repeat 3]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { check } from '../src/policy/engine.js';
import { parseManifests } from '../src/policy/load/parse.js';
import { corpusFiles, OBJECTS_PER_UNIT } from './check-corpus.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const units = flag('units', 850);
const repeat = flag('repeat', 3);
const files = corpusFiles(units);
const expected = units * OBJECTS_PER_UNIT;

function runOnce(): { seconds: number; resources: number; findings: number } {
  const start = performance.now();
  const manifests = files.flatMap((f) => parseManifests(f.text, f.name).manifests);
  const outcome = check({
    manifests,
    options: { kubeVersion: { major: 1, minor: 36 }, pssVersion: { major: 1, minor: 35 } },
  });
  return {
    seconds: (performance.now() - start) / 1000,
    resources: manifests.length,
    findings: outcome.findings.length,
  };
}

const runs = Array.from({ length: repeat }, runOnce);
const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
if (best.resources !== expected)
  throw new Error(`corpus has ${best.resources} resources, expected ${expected}`);
const line = (tool: string, resources: number, seconds: number, extra = '') =>
  `${tool.padEnd(22)} ${String(resources).padStart(7)} resources  ${seconds.toFixed(2).padStart(7)} s  ${Math.round(
    resources / seconds,
  )
    .toString()
    .padStart(8)} resources/s${extra}`;
process.stdout.write(
  `corpus: ${files.length} files, ${best.resources} resources (${OBJECTS_PER_UNIT} kinds), one process, best of ${repeat}\n`,
);
process.stdout.write(
  `${line('slipway check', best.resources, best.seconds, `  (${best.findings} findings, parse + all rules + positions)`)}\n`,
);

const checkov = process.env.CHECKOV;
if (checkov && existsSync(checkov)) {
  // Checkov is far slower; a tenth of the corpus keeps the run short and the rate comparable.
  const subset = files.slice(0, Math.max(1, Math.floor(files.length / 10)));
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  for (const f of subset) writeFileSync(join(dir, f.name), f.text);
  const start = performance.now();
  try {
    execFileSync(
      checkov,
      [
        '--framework',
        'kubernetes',
        '--directory',
        dir,
        '--quiet',
        '--compact',
        '--output',
        'json',
        '--skip-download',
      ],
      { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 },
    );
  } catch {
    // checkov exits 1 when it finds something; the timing is what matters here.
  }
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(`${line('checkov (reference)', subset.length * OBJECTS_PER_UNIT, seconds)}\n`);
  rmSync(dir, { recursive: true, force: true });
} else {
  process.stdout.write(
    'reference: none run (kube-score, kube-linter and Polaris are not installable from npm or Debian here; set CHECKOV=/path/to/checkov to compare with Checkov)\n',
  );
}
