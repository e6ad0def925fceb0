/**
 * Start-up benchmark: whole-process wall time of the CLI's offline commands, side by side with
 * `node -e 0` (the floor every Node CLI pays) and `helm version` (a Go CLI, the reference users
 * compare with). Commands run in turn, one of each per round, so a drift of the machine's speed
 * hits all alike; each figure is the median of RUNS rounds, each ratio against `node -e 0`.
 * Runs ./bin/slipway, so `npm run build` first.
 *
 *   npx tsx bench/startup.ts [runs]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findKubeTool } from '../src/tools/kube-binaries.js';
import { loadLine, median, ms, ratio, timeProcess } from './measure.js';

const RUNS = Math.max(5, Number(process.argv[2] ?? 9));
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'slipway');
const example = join(root, 'examples', 'sample-service', 'slipway.yaml');
if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  console.error('bench/startup: dist/ is missing; run `npm run build` first');
  process.exit(2);
}

interface Case {
  label: string;
  command: string;
  args: string[];
  okCodes?: number[];
}

const node = process.execPath;
const cases: Case[] = [
  { label: 'node -e 0', command: node, args: ['-e', '0'] },
  { label: 'helm version', command: findKubeTool('helm'), args: ['version'] },
  { label: 'slipway --version', command: node, args: [bin, '--version'] },
  { label: 'slipway validate (example)', command: node, args: [bin, 'validate', '-f', example] },
  { label: 'slipway schema', command: node, args: [bin, 'schema'] },
  {
    label: 'slipway render (example, dev)',
    command: node,
    args: [bin, 'render', '-f', example, '--env', 'dev'],
  },
  // check exits 1 when it has findings; the time is what is measured here.
  { label: 'slipway check (example)', command: node, args: [bin, 'check', example], okCodes: [0, 1] },
  { label: 'slipway status --help', command: node, args: [bin, 'status', '--help'] },
];

console.log(loadLine());
for (const c of cases) timeProcess(c.command, c.args, { cwd: root, okCodes: c.okCodes }); // warm the page cache
const times = cases.map(() => [] as number[]);
for (let round = 0; round < RUNS; round++)
  cases.forEach((c, i) => times[i]!.push(timeProcess(c.command, c.args, { cwd: root, okCodes: c.okCodes })));

const floor = median(times[0]!);
console.log(`whole process, wall ms, median of ${RUNS} rounds`);
console.log(`${'command'.padEnd(32)} ${'median'.padStart(9)} ${'min'.padStart(9)}  ÷ node -e 0`);
cases.forEach((c, i) => {
  const m = median(times[i]!);
  console.log(`${c.label.padEnd(32)} ${ms(m)} ${ms(Math.min(...times[i]!))}  ${ratio(m / floor)}`);
});
