/**
 * Start-up benchmark: whole-process wall time of the CLI's offline commands, side by side with
 * `node -e 0` (the floor every Node CLI pays) and `helm version` (a Go CLI, the reference users
 * compare with). Commands run in turn, one of each per round, so a drift of the machine's speed
 * hits all alike; each figure is the median of RUNS rounds, each ratio against `node -e 0`: wall
 * time and, where GNU time is there to tell, CPU time (user + system), the steadier figure on a
 * shared machine. `--before DIR` adds the same commands run from another built checkout (say, main)
 * to every round, so a change is measured side by side with what it changes.
 * Runs ./bin/slipway, so `npm run build` first.
 *
 *   npx tsx bench/startup.ts [runs] [--before DIR]
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findKubeTool } from '../src/tools/kube-binaries.js';
import { loadLine, median, ms, ratio, runProcess, type ProcessRun } from './measure.js';

const args = process.argv.slice(2);
const beforeAt = args.indexOf('--before');
const beforeRoot = beforeAt >= 0 ? resolve(args[beforeAt + 1] ?? '') : undefined;
const runsArg = args.find((a, i) => /^\d+$/.test(a) && i !== beforeAt + 1);
const RUNS = Math.max(5, Number(runsArg ?? 9));
const root = resolve(import.meta.dirname, '..');
const example = join(root, 'examples', 'sample-service', 'slipway.yaml');
for (const dir of [root, ...(beforeRoot ? [beforeRoot] : [])]) {
  if (!existsSync(join(dir, 'dist', 'cli', 'main.js'))) {
    console.error(`bench/startup: ${dir}/dist is missing; run \`npm run build\` there first`);
    process.exit(2);
  }
}

interface Case {
  label: string;
  command: string;
  args: string[];
  okCodes?: number[];
}

const node = process.execPath;
/** The slipway commands, run by the checkout at `dir`. */
const slipway = (dir: string, suffix: string): Case[] => {
  const bin = join(dir, 'bin', 'slipway');
  return [
    { label: `slipway --version${suffix}`, command: node, args: [bin, '--version'] },
    { label: `slipway validate (example)${suffix}`, command: node, args: [bin, 'validate', '-f', example] },
    { label: `slipway schema${suffix}`, command: node, args: [bin, 'schema'] },
    {
      label: `slipway render (example, dev)${suffix}`,
      command: node,
      args: [bin, 'render', '-f', example, '--env', 'dev'],
    },
    // check exits 1 when it has findings; the time is what is measured here.
    {
      label: `slipway check (example)${suffix}`,
      command: node,
      args: [bin, 'check', example],
      okCodes: [0, 1],
    },
    { label: `slipway status --help${suffix}`, command: node, args: [bin, 'status', '--help'] },
  ];
};
const cases: Case[] = [
  { label: 'node -e 0', command: node, args: ['-e', '0'] },
  { label: 'helm version', command: findKubeTool('helm'), args: ['version'] },
  ...slipway(root, ''),
  ...(beforeRoot ? slipway(beforeRoot, ' (before)') : []),
];

console.log(loadLine());
if (beforeRoot) console.log(`(before) = the build in ${beforeRoot}`);
const run = (c: Case) => runProcess(c.command, c.args, { cwd: root, okCodes: c.okCodes });
for (const c of cases) run(c); // warm the page cache
const times = cases.map(() => [] as ProcessRun[]);
for (let round = 0; round < RUNS; round++) cases.forEach((c, i) => times[i]!.push(run(c)));

const wall = (i: number) => median(times[i]!.map((r) => r.ms));
const cpu = (i: number) => median(times[i]!.map((r) => r.cpuMs ?? Number.NaN));
console.log(`whole process, ms, median of ${RUNS} rounds; ratios ÷ node -e 0`);
console.log(
  `${'command'.padEnd(41)} ${'wall'.padStart(9)} ${'min'.padStart(9)} ${'ratio'.padStart(7)} ${'cpu'.padStart(9)} ${'ratio'.padStart(7)}`,
);
cases.forEach((c, i) => {
  const min = Math.min(...times[i]!.map((r) => r.ms));
  console.log(
    `${c.label.padEnd(41)} ${ms(wall(i))} ${ms(min)} ${ratio(wall(i) / wall(0))} ${ms(cpu(i))} ${ratio(cpu(i) / cpu(0))}`,
  );
});
