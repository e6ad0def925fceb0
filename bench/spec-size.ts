/**
 * Spec size benchmark: is reading slipway.yaml linear in its size? A spec with one service whose
 * `env` has N keys (10k, 30k, 60k, 300k by default; the 300k file is about 20 MB) is timed, each
 * stage in a fresh process (so each peak RSS is its own), side by side with two references:
 *   - JSON.parse of the same data as JSON (the floor for reading this much structured text);
 *   - the yaml library's parseDocument + toJS without its duplicate-key check (`uniqueKeys: false`);
 *   - the yaml library with its duplicate-key check (`uniqueKeys: true`, what Slipway used before;
 *     quadratic, so only up to 60k keys);
 *   - Slipway: `slipway validate` in-process (parseSpec, then resolveEnvironment for each environment).
 * µs/key staying flat as N grows is linear time. Each stage runs RUNS times (default 5), each run a
 * fresh process; the cells are medians (the peak RSS the largest), the machine's load average is
 * printed first. Usage: npx tsx bench/spec-size.ts [--runs N] [N...]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { parseSpec } from '../src/spec/parse.js';
import { environmentNames, resolveEnvironment } from '../src/spec/resolve.js';
import { loadLine, median } from './measure.js';

const STAGES = ['json', 'yaml', 'yaml-unique', 'slipway'] as const;
type Stage = (typeof STAGES)[number];
/** Above this, the yaml library's pairwise duplicate-key check takes minutes. */
const QUADRATIC_LIMIT = 60_000;

/** One service with `keys` env entries, two environments. */
export function wideSpec(keys: number): string {
  const lines = [
    'app: wide',
    'services:',
    '  api:',
    '    image: ghcr.io/acme/api',
    '    port: 8080',
    '    env:',
  ];
  for (let i = 0; i < keys; i++)
    lines.push(`      KEY_${String(i).padStart(6, '0')}: value-${i}-of-a-typical-length`);
  lines.push('environments:', '  dev: {}', '  production: { replicas: 3 }', '');
  return lines.join('\n');
}

function runStage(stage: Stage, file: string): number {
  const text = readFileSync(file, 'utf8');
  const start = performance.now();
  if (stage === 'json') JSON.parse(text);
  else if (stage === 'yaml') parseDocument(text, { uniqueKeys: false }).toJS();
  else if (stage === 'yaml-unique') parseDocument(text, { uniqueKeys: true }).toJS();
  else {
    const app = parseSpec(text, file);
    for (const env of environmentNames(app)) resolveEnvironment(app, env, file);
  }
  return performance.now() - start;
}

if (process.argv[2] === '--stage') {
  const ms = runStage(process.argv[3] as Stage, process.argv[4]!);
  process.stdout.write(JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
} else {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Math.max(5, Number(args.splice(runsAt, 2)[1])) : 5;
  const sizes = args.map(Number);
  console.log(`${loadLine()}; medians of ${runs} runs`);
  const dir = mkdtempSync(join(tmpdir(), 'slipway-spec-size-'));
  const self = fileURLToPath(import.meta.url);
  const cell = (r: { ms: number; rssMb: number } | undefined, keys: number) =>
    r
      ? `${(r.ms / 1000).toFixed(2)} s ${((r.ms * 1000) / keys).toFixed(1)} µs/key ${r.rssMb.toFixed(0)} MB`
      : 'skipped (quadratic)';
  console.log('keys     size     | ' + STAGES.map((s) => s.padEnd(30)).join(' | ') + ' | slipway/yaml');
  try {
    for (const keys of sizes.length ? sizes : [10_000, 30_000, 60_000, 300_000]) {
      const yamlFile = join(dir, `spec-${keys}.yaml`);
      const text = wideSpec(keys);
      writeFileSync(yamlFile, text);
      writeFileSync(
        join(dir, `spec-${keys}.json`),
        JSON.stringify(parseDocument(text, { uniqueKeys: false }).toJS()),
      );
      const results = new Map<Stage, { ms: number; rssMb: number }>();
      for (const stage of STAGES) {
        if (stage === 'yaml-unique' && keys > QUADRATIC_LIMIT) continue;
        const file = stage === 'json' ? join(dir, `spec-${keys}.json`) : yamlFile;
        const samples = Array.from({ length: runs }, () => {
          const out = execFileSync(process.execPath, [...process.execArgv, self, '--stage', stage, file], {
            encoding: 'utf8',
            maxBuffer: 1 << 20,
          });
          return JSON.parse(out) as { ms: number; rssMb: number };
        });
        results.set(stage, {
          ms: median(samples.map((r) => r.ms)),
          rssMb: Math.max(...samples.map((r) => r.rssMb)),
        });
      }
      const ratio = (results.get('slipway')?.ms ?? 0) / (results.get('yaml')?.ms ?? 1);
      const size = `${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB`;
      console.log(
        `${String(keys).padEnd(8)} ${size.padEnd(8)} | ${STAGES.map((s) => cell(results.get(s), keys).padEnd(30)).join(' | ')} | ${ratio.toFixed(2)}x`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
