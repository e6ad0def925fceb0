/**
 * Check benchmark. A corpus of about N objects (default 10,000 and 50,000): Slipway's own rendering
 * of a generated app (bench/render-spec.ts, 100 services per 10,000 objects, three environments)
 * plus small hand-written applications of twelve kinds (bench/check-corpus.ts) with hardened and
 * careless settings. Side by side in one run:
 *   - slipway check, in-process, start-up excluded: reading the YAML with positions, every rule,
 *     findings sorted (what `slipway check` does between start-up and printing);
 *   - check's reader alone (parseManifests: the js-yaml fast reader with positions, src/policy/load/
 *     fast-yaml.ts), and the yaml-library reader it falls back to (slowManifests: what check read
 *     with before the fast reader);
 *   - the floor: the yaml library parsing the same files to plain data and nothing else
 *     (check ÷ parse is what positions and rules add; reader ÷ parse what the fast reader saves);
 *   - `kubectl apply --dry-run=client` over a slice of the corpus, against the sandbox (loopback) for
 *     discovery, as a client-side reference;
 *   - one cold run per process at each size (what one `slipway check` pays after start-up), median of
 *     RUNS processes per size; a line through the smallest and largest size splits that time into a
 *     per-object rate and a cost that does not grow with the input (V8 compiling the hot code);
 *   - start-up apart: whole-process `slipway check` of one small file, and of the whole corpus.
 * One core: every process measured (the in-process children and the whole-process runs) is pinned to
 * CPU 0 with `taskset -c 0` (util-linux), so V8's garbage-collector and compiler helper threads share
 * that core instead of adding a second one; without taskset the output says so and runs unpinned.
 * Each in-process figure is the median of RUNS runs in a child process of its own (whose peak RSS is
 * reported; it runs with bin/slipway's V8 flags, src/cli/launch.ts), and beside it the child's
 * first run alone: cold, the rules' and the reader's code not yet compiled by the JIT (what one
 * `slipway check` invocation pays), start-up (loading modules) excluded; and its fastest run: warm,
 * the throughput once V8 has compiled the hot code (it takes the check several runs of 10,000
 * objects to get there: `--runs 9` shows it settle). Run
 * ./bin/slipway parts need `npm run build`.
 *
 *   npx tsx bench/check.ts [--sizes 10000,50000] [--runs 5] [--kubectl-objects 1000]
 *   npx tsx bench/check.ts --write-corpus DIR [--objects 10000]   (the corpus as files, nothing timed)
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseAllDocuments, stringify } from 'yaml';
import { V8_FLAGS } from '../src/cli/launch.js';
import { checkSets, inputSets } from '../src/policy/engine.js';
import { parseManifests, slowManifests } from '../src/policy/load/parse.js';
import { renderApp } from '../src/render/index.js';
import { toYamlStream } from '../src/render/yaml.js';
import { startSandbox } from '@slipway/sandbox';
import { parseSpec } from '../src/spec/parse.js';
import { resolveEnvironment } from '../src/spec/resolve.js';
import { findKubeTool } from '../src/tools/kube-binaries.js';
import { corpusFiles, OBJECTS_PER_UNIT } from './check-corpus.js';
import { loadLine, median, mib, ms, ratio, runProcess } from './measure.js';
import { generatedSpec } from './render-spec.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const RUNS = Math.max(5, Number(option('runs', '5')));
/** Runs in one child: RUNS, or 1 for the cold series (`--child-runs 1`). */
const CHILD_RUNS = Number(option('child-runs', String(RUNS)));
const OPTIONS = { kubeVersion: { major: 1, minor: 36 }, pssVersion: { major: 1, minor: 35 } };

interface CorpusFile {
  name: string;
  text: string;
}

/** About `objects` objects: a rendered app (three environments) plus hand-written units. */
function corpus(objects: number): CorpusFile[] {
  const services = Math.max(10, Math.round(objects / 100));
  const spec = parseSpec(stringify(generatedSpec(services)), 'slipway.yaml');
  const rendered = ['dev', 'staging', 'production'].map((env) => ({
    name: `rendered-${env}.yaml`,
    text: toYamlStream(renderApp(resolveEnvironment(spec, env)).objects),
  }));
  const renderedObjects = rendered.reduce((n, f) => n + f.text.split(/^---$/m).length, 0);
  const units = Math.max(0, Math.round((objects - renderedObjects) / OBJECTS_PER_UNIT));
  return [...rendered, ...corpusFiles(units)];
}

interface ChildResult {
  objects: number;
  findings: number;
  ms: number[];
  /** User + system CPU milliseconds of each run: on a loaded machine the steadier figure. */
  cpuMs: number[];
  maxRssKiB: number;
}

type Mode = 'check' | 'read' | 'yaml-read' | 'parse';

/**
 * One measurement in this (child) process, RUNS times; prints JSON. `check`: read and every rule;
 * `read`: check's reader (parseManifests); `yaml-read`: the yaml-library reader; `parse`: the floor.
 */
function child(mode: Mode, objects: number): void {
  const files = corpus(objects);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let count = 0;
  let findings = 0;
  for (let i = 0; i < CHILD_RUNS; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    if (mode === 'parse') {
      count = 0;
      for (const f of files) for (const doc of parseAllDocuments(f.text)) if (doc.toJS() !== null) count++;
    } else if (mode === 'read' || mode === 'yaml-read') {
      const read =
        mode === 'read' ? parseManifests : (text: string, name: string) => slowManifests(text, name, {});
      count = files.reduce((n, f) => n + read(f.text, f.name).manifests.length, 0);
    } else {
      const manifests = files.flatMap((f) => parseManifests(f.text, f.name).manifests);
      const outcome = checkSets(inputSets(manifests), { options: OPTIONS });
      count = manifests.length;
      findings = outcome.findings.length;
    }
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  const result: ChildResult = {
    objects: count,
    findings,
    ms: times,
    cpuMs: cpuTimes,
    maxRssKiB: process.resourceUsage().maxRSS,
  };
  process.stdout.write(JSON.stringify(result));
}

/** `taskset -c 0`, when util-linux's taskset is there and may pin (a container may forbid it). */
const PIN: string[] = (() => {
  try {
    execFileSync('taskset', ['-c', '0', process.execPath, '-e', '0'], { stdio: 'ignore' });
    return ['taskset', '-c', '0'];
  } catch {
    return [];
  }
})();

/** `command args` pinned to one core when taskset can pin: the command and arguments to run. */
function pinned(command: string, args: readonly string[]): [string, string[]] {
  return PIN.length ? [PIN[0]!, [...PIN.slice(1), command, ...args]] : [command, [...args]];
}

function measure(mode: Mode, objects: number, runs = RUNS): ChildResult {
  const [command, args] = pinned(process.execPath, [
    ...process.execArgv,
    // The V8 flags bin/slipway runs its commands with, so that "cold" is what one `slipway check` pays.
    ...V8_FLAGS,
    import.meta.filename,
    '--child',
    mode,
    String(objects),
    '--child-runs',
    String(runs),
  ]);
  const out = execFileSync(command, args, { maxBuffer: 1 << 26 });
  return JSON.parse(out.toString()) as ChildResult;
}

const rate = (objects: number, milliseconds: number) => Math.round(objects / (milliseconds / 1000));

async function kubectlDryRun(files: CorpusFile[], limit: number): Promise<{ objects: number; ms: number }> {
  const sandbox = await startSandbox({ runtime: false, host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-kubectl-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'sandbox',
            cluster: {
              server: sandbox.url,
              'certificate-authority-data': Buffer.from(sandbox.certs.caCert).toString('base64'),
            },
          },
        ],
        users: [{ name: 'bench', user: { token: sandbox.token } }],
        contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'bench' } }],
        'current-context': 'sandbox',
      }),
    );
    // The first `limit` objects, whole files (a document is never cut).
    const slice = join(dir, 'objects');
    mkdirSync(slice);
    let objects = 0;
    for (const f of files) {
      const docs = f.text.split(/^---\n/m).filter((d) => d.trim() !== '');
      const take = docs.slice(0, Math.max(0, limit - objects));
      if (take.length === 0) break;
      writeFileSync(join(slice, f.name), take.join('---\n'));
      objects += take.length;
    }
    const kubectl = findKubeTool('kubectl');
    const args = ['--kubeconfig', kubeconfig, 'apply', '--dry-run=client', '--validate=false', '-f', slice];
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Asynchronous: the sandbox answering kubectl's requests runs in this process.
      const start = performance.now();
      await new Promise<void>((done, fail) => {
        execFile(...pinned(kubectl, args), { maxBuffer: 1 << 28 }, (error) => (error ? fail(error) : done()));
      });
      times.push(performance.now() - start);
    }
    return { objects, ms: median(times) };
  } finally {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = option('sizes', '10000,50000').split(',').map(Number);
  console.log(loadLine());
  console.log(
    PIN.length
      ? 'one core: every process below runs pinned to CPU 0 (taskset -c 0)'
      : 'NOT pinned: taskset (util-linux) is missing or cannot pin here; processes may use every core',
  );
  console.log(
    `in-process figures: median of ${RUNS} runs in a child process of its own per mode; "cold" is that child's first run, "warm" its fastest`,
  );
  console.log(
    `${'objects'.padStart(8)}  ${'what'.padEnd(40)} ${'ms'.padStart(9)} ${'objects/s'.padStart(10)} ${'cold ms'.padStart(9)} ${'cold obj/s'.padStart(10)} ${'warm ms'.padStart(9)} ${'warm obj/s'.padStart(10)} ${'peak MiB'.padStart(8)} ${'cpu ms'.padStart(9)} ${'obj/cpu-s'.padStart(10)}`,
  );
  for (const size of sizes) {
    const parse = measure('parse', size);
    const yamlRead = measure('yaml-read', size);
    const read = measure('read', size);
    const check = measure('check', size);
    const best = (r: ChildResult) => Math.min(...r.ms);
    const row = (what: string, r: ChildResult) =>
      `${String(r.objects).padStart(8)}  ${what.padEnd(40)} ${ms(median(r.ms))} ${String(rate(r.objects, median(r.ms))).padStart(10)} ${ms(r.ms[0]!)} ${String(rate(r.objects, r.ms[0]!)).padStart(10)} ${ms(best(r))} ${String(rate(r.objects, best(r))).padStart(10)} ${mib(r.maxRssKiB, 8)} ${ms(median(r.cpuMs))} ${String(rate(r.objects, median(r.cpuMs))).padStart(10)}`;
    const ratioRow = (what: string, a: ChildResult, b: ChildResult) =>
      `${''.padStart(8)}  ${what.padEnd(40)} ${ratio(median(a.ms) / median(b.ms), 9)} ${''.padStart(10)} ${ratio(a.ms[0]! / b.ms[0]!, 9)} ${''.padStart(10)} ${ratio(best(a) / best(b), 9)} ${''.padStart(10)} ${''.padStart(8)} ${ratio(median(a.cpuMs) / median(b.cpuMs), 9)}`;
    console.log(row(`slipway check (${check.findings} findings)`, check));
    console.log(row("check's reader (js-yaml, positions)", read));
    console.log(row('yaml library reader (positions)', yamlRead));
    console.log(row('yaml library parse only (the floor)', parse));
    console.log(ratioRow('check ÷ parse', check, parse));
    console.log(ratioRow("check's reader ÷ parse", read, parse));
    console.log(ratioRow('yaml library reader ÷ parse', yamlRead, parse));
    console.log(ratioRow("check ÷ check's reader", check, read));
  }

  // One run per process, as one `slipway check` does after its start-up: the first run carries V8's
  // warm-up (compiling the reader and the rules up to optimised code), a cost that does not grow
  // with the input. Two sizes separate it from the per-object rate: a line through the medians.
  if (sizes.length >= 2) {
    console.log(
      `one cold run per process (each process checks once, as \`slipway check\` does), median of ${RUNS} processes per size:`,
    );
    const cold = sizes.map((size) => {
      const runs = Array.from({ length: RUNS }, () => measure('check', size, 1));
      const time = median(runs.map((r) => r.ms[0]!));
      const objects = runs[0]!.objects;
      console.log(
        `${String(objects).padStart(8)}  ${'slipway check, one cold run'.padEnd(40)} ${ms(time)} ${String(rate(objects, time)).padStart(10)}`,
      );
      return { objects, ms: time };
    });
    const [small, large] = [cold[0]!, cold.at(-1)!];
    const perObject = (large.ms - small.ms) / (large.objects - small.objects);
    console.log(
      `${''.padStart(8)}  ${`per added object, ${small.objects} -> ${large.objects}`.padEnd(40)} ${ms(perObject * 1000, 9)} ${String(Math.round(1000 / perObject)).padStart(10)}  (us per object, objects/s)`,
    );
    console.log(
      `${''.padStart(8)}  ${'the rest: a cost independent of size'.padEnd(40)} ${ms(small.ms - perObject * small.objects)}`,
    );
  }

  const root = resolve(import.meta.dirname, '..');
  const bin = join(root, 'bin', 'slipway');
  const files = corpus(sizes[0] ?? 10000);
  const limit = Number(option('kubectl-objects', '1000'));
  const kubectl = await kubectlDryRun(files, limit);
  console.log(
    `${String(kubectl.objects).padStart(8)}  ${'kubectl apply --dry-run=client (sandbox)'.padEnd(40)} ${ms(kubectl.ms)} ${String(rate(kubectl.objects, kubectl.ms)).padStart(10)}`,
  );

  // Start-up, reported apart: whole processes.
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-check-'));
  try {
    for (const f of files) writeFileSync(join(dir, f.name), f.text);
    const small = join(dir, 'small');
    mkdirSync(small);
    writeFileSync(join(small, files.at(-1)!.name), files.at(-1)!.text);
    const whole = (args: string[]) => {
      const runs = Array.from({ length: RUNS }, () =>
        runProcess(...pinned(process.execPath, [bin, 'check', ...args]), { okCodes: [0, 1] }),
      );
      const cpu = runs.every((r) => r.cpuMs !== undefined) ? median(runs.map((r) => r.cpuMs!)) : undefined;
      return { ms: median(runs.map((r) => r.ms)), peak: Math.max(...runs.map((r) => r.peakKiB ?? 0)), cpu };
    };
    const floor = median(
      Array.from({ length: RUNS }, () => runProcess(...pinned(process.execPath, ['-e', '0'])).ms),
    );
    const one = whole([small]);
    const all = whole([dir]);
    const total = files.reduce((n, f) => n + f.text.split(/^---$/m).length, 0);
    const blank = `${''.padStart(9)} ${''.padStart(10)}`;
    const cpuCells = (cpu: number | undefined, objects?: number) =>
      cpu === undefined
        ? ''
        : ` ${ms(cpu)} ${objects === undefined ? '' : String(rate(objects, cpu)).padStart(10)}`;
    console.log('whole process (start-up included), medians (cpu: user + system, with GNU time):');
    console.log(`${''.padStart(8)}  ${'node -e 0'.padEnd(40)} ${ms(floor)}`);
    console.log(
      `${String(OBJECTS_PER_UNIT).padStart(8)}  ${'slipway check of one small file'.padEnd(40)} ${ms(one.ms)} ${''.padStart(10)} ${blank} ${mib(one.peak, 8)}${cpuCells(one.cpu)}`,
    );
    console.log(
      `${String(total).padStart(8)}  ${'slipway check of the corpus'.padEnd(40)} ${ms(all.ms)} ${String(rate(total, all.ms)).padStart(10)} ${blank} ${mib(all.peak, 8)}${cpuCells(all.cpu, total)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--write-corpus DIR [--objects N]`: the corpus as files, to profile `slipway check DIR` on it. */
function writeCorpus(dir: string, objects: number): void {
  mkdirSync(dir, { recursive: true });
  const files = corpus(objects);
  for (const f of files) writeFileSync(join(dir, f.name), f.text);
  console.log(`wrote ${files.length} files to ${dir}`);
}

if (process.argv.includes('--write-corpus')) {
  writeCorpus(option('write-corpus', 'corpus'), Number(option('objects', '10000')));
} else if (process.argv.includes('--child')) {
  const i = process.argv.indexOf('--child');
  child(process.argv[i + 1] as Mode, Number(process.argv[i + 2]));
} else await main();
