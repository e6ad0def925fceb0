/**
 * Issue 21, end to end: a scripted sequence of sandbox deploys (a success, a bad image rolled
 * back automatically, a fix, a `slipway rollback`), whose `slipway metrics --output json` figures
 * are checked against arithmetic done here on the recorded step times; then `slipway metrics
 * serve` (the built CLI, its own process) is scraped by a real Prometheus (Debian package) and
 * every query of the Grafana DORA row returns the CLI's numbers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeCluster } from '../../src/cluster/kube.js';
import type { Release } from '../../src/engine/releases/release.js';
import { SecretReleaseStore } from '../../src/engine/releases/secrets.js';
import type { EnvironmentMetrics } from '../../src/metrics/dora.js';
import { dashboard } from '../../src/render/dashboards/index.js';
import { builtCli, slipwayBin } from '../helpers/built-cli.js';
import {
  freePort,
  prometheusBinary,
  startPrometheus,
  type RunningPrometheus,
} from '../engine/helpers/prometheus.js';
import { SAMPLE_SPEC, slipwayCli } from '../e2e/deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';
import { renderedInputOfFile } from '../workflows/rendered.js';

const prometheus = prometheusBinary();
const built = builtCli('slipway metrics serve against Prometheus');

describe.skipIf(!prometheus || !built)(
  'slipway metrics: sandbox deploys, the CLI and Prometheus agree',
  () => {
    let env: SandboxEnv;
    let dir: string;
    const target = ['-f', SAMPLE_SPEC, '--env', 'dev'];
    const now = Date.now();
    const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
    const changes = (name: string, lines: Array<[string, number]>) => {
      const file = join(dir, name);
      writeFileSync(file, lines.map(([sha, minutes]) => `${sha} ${ago(minutes)}`).join('\n') + '\n');
      return file;
    };
    const deploy = (image: string, ...args: string[]) =>
      slipwayCli(env, [
        'deploy',
        ...target,
        '--skip-analysis',
        '--strategy',
        'rolling',
        '--set-image',
        `web=sample-service:${image}`,
        ...args,
      ]);
    let records: Release[];
    let cli: EnvironmentMetrics;
    let text: string;
    let exporter: ChildProcess;
    let exited: Promise<unknown>;
    let exporterUrl: string;
    let output = '';
    let prom: RunningPrometheus | undefined;

    beforeAll(async () => {
      env = await startSandboxEnv({ runtime: true });
      dir = mkdtempSync(join(tmpdir(), 'slipway-metrics-e2e-'));
      const c = (sha: string) => sha.padEnd(40, '0');
      // The exporter and Prometheus start while the deploys run (they are separate processes).
      const port = await freePort();
      exporter = spawn(slipwayBin, ['metrics', 'serve', ...target, '--address', `127.0.0.1:${port}`], {
        env: { ...process.env, KUBECONFIG: env.kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      exporter.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      exporter.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      exited = new Promise((r) => exporter.once('exit', r));
      exporterUrl = `127.0.0.1:${port}`;
      const starting = startPrometheus(prometheus!, [exporterUrl]);
      // 1: a success. 2: a bad image, rolled back by the deploy itself. 3: the fix (with the commit
      // 2 shipped first). 4: `slipway rollback --to 1`: 3 needed undoing after all.
      expect(
        (
          await deploy(
            '1.0.0',
            '--commit',
            c('a1'),
            '--changes',
            changes('1', [
              [c('a0'), 180],
              [c('a1'), 60],
            ]),
          )
        ).code,
      ).toBe(0);
      const bad = await deploy(
        'broken',
        '--set',
        'deploy.progressDeadline=3s',
        '--changes',
        changes('2', [[c('d1'), 10]]),
      );
      expect(bad.code).toBe(1);
      expect(
        (
          await deploy(
            '3.0.0',
            '--changes',
            changes('3', [
              [c('d1'), 10],
              [c('e1'), 5],
            ]),
          )
        ).code,
      ).toBe(0);
      expect((await slipwayCli(env, ['rollback', ...target, '--to', '1'])).code).toBe(0);
      prom = await starting;
      const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig }, {}, {});
      records = await new SecretReleaseStore(cluster, 'sample').list('sample', 'dev');
      const json = await slipwayCli(env, ['metrics', ...target, '--output', 'json']);
      expect(json.stderr).toBe('');
      expect(json.code).toBe(0);
      cli = (JSON.parse(json.stdout) as { environments: EnvironmentMetrics[] }).environments[0]!;
      text = (await slipwayCli(env, ['metrics', ...target])).stdout;
    }, 120_000);
    afterAll(async () => {
      await prom?.stop();
      if (exporter && exporter.exitCode === null) {
        exporter.kill('SIGTERM');
        await exited;
      }
      await env?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** When a record's change went live (or failed): the last step's end before clean-up. */
    const end = (r: Release) =>
      Math.max(
        ...r.steps.filter((s) => s.step !== 'clean-up' && s.finishedAt).map((s) => Date.parse(s.finishedAt!)),
      );
    const step = (r: Release, name: string) => r.steps.find((s) => s.step === name && s.finishedAt)!;

    it('the records say what happened: phases, the rollback release, the shipped commits', () => {
      expect(records.map((r) => [r.revision, r.phase, r.rollbackOf])).toEqual([
        [1, 'superseded', undefined],
        [2, 'rolled-back', undefined],
        [3, 'superseded', undefined],
        [4, 'deployed', 1],
      ]);
      expect(records[0]!.change?.commit).toBe('a1'.padEnd(40, '0'));
      expect(records[2]!.change?.commits?.map((c) => c.sha.slice(0, 2))).toEqual(['d1', 'e1']);
    });

    it('metrics --output json: the figures worked out by hand from the records', () => {
      const [r1, r2, r3, r4] = records as [Release, Release, Release, Release];
      expect(cli.deployments).toEqual({ total: 4, succeeded: 3, rolledBack: 1, failed: 0, aborted: 0 });
      // 3 successful deploys in 30 days
      expect(cli.deploymentFrequency).toMatchObject({ perDay: 3 / 30, sampleSize: 3, tier: 'medium' });
      // 2 rolled back by its own deploy, 3 rolled back by revision 4: 2 of 4, each once
      expect(cli.changeFailureRate).toMatchObject({ ratio: 2 / 4, failed: 2, sampleSize: 4, tier: 'low' });
      expect(cli.changeFailureRate.failedDeploys.map((f) => f.revision)).toEqual([2, 3]);
      expect(cli.reworkRate).toMatchObject({ ratio: 1 / 4, rework: 1, sampleSize: 4 });
      // Lead time: each commit from its time to the end of the first successful deploy shipping it (d1 at 3, not 2).
      const commitTime = (r: Release, sha: string) =>
        Date.parse(r.change!.commits!.find((c) => c.sha.startsWith(sha))!.committedAt);
      const leads = [
        end(r1) - commitTime(r1, 'a0'),
        end(r1) - commitTime(r1, 'a1'),
        end(r3) - commitTime(r3, 'd1'),
        end(r3) - commitTime(r3, 'e1'),
      ]
        .map((ms) => ms / 1000)
        .sort((a, b) => a - b);
      // nearest rank over 4: the median is the 2nd, the p90 the 4th
      expect(cli.leadTime).toMatchObject({
        medianSeconds: leads[1],
        p90Seconds: leads[3],
        sampleSize: 4,
        excluded: 0,
      });
      // Recovery: 2 from its failed roll-out to the end of the switch back; 3 from going live to 4's end.
      const recoveries = [
        (Date.parse(step(r2, 'switch').finishedAt!) - Date.parse(step(r2, 'roll-out').finishedAt!)) / 1000,
        (end(r4) - end(r3)) / 1000,
      ].sort((a, b) => a - b);
      expect(step(r2, 'roll-out').outcome).toBe('failed');
      expect(cli.recoveryTime).toMatchObject({
        medianSeconds: recoveries[0],
        p90Seconds: recoveries[1],
        sampleSize: 2,
      });
      // The table says the same, with the failed deploys and why each counts once.
      const table = text.split('\n');
      expect(table.find((l) => l.startsWith('change failure rate'))).toMatch(
        /50% \(2 of 4\)\s+4 deploys\s+low$/,
      );
      expect(table.find((l) => l.startsWith('rework rate'))).toMatch(/25% \(1 of 4\)\s+4 deploys\s+-$/);
      expect(text).toContain('revision 3: rolled back by revision 4 (slipway rollback)');
      expect(text).toContain('tiers: Accelerate State of DevOps Report 2023');
      console.log(`[metrics] slipway metrics --env dev:\n${text}`);
      console.log(
        `[metrics] scripted sequence: ${JSON.stringify({
          deploymentsPerDay: cli.deploymentFrequency.perDay,
          leadTimeSeconds: { median: cli.leadTime.medianSeconds, p90: cli.leadTime.p90Seconds },
          changeFailureRate: cli.changeFailureRate.ratio,
          recoverySeconds: { median: cli.recoveryTime.medianSeconds, p90: cli.recoveryTime.p90Seconds },
          reworkRate: cli.reworkRate.ratio,
        })}`,
      );
    });

    it("Prometheus scraping `slipway metrics serve`: the Grafana DORA row's queries return the CLI's numbers", async () => {
      const p = prom!;
      const value = async (expr: string) => {
        const body = await p.query(expr.replaceAll('$environment', 'dev'));
        const result = (body.data?.result ?? []) as Array<{
          metric: Record<string, string>;
          value: [number, string];
        }>;
        return result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
      };
      // A scrape after the last deploy: Prometheus has the rollback release (revision 4 serving).
      const deadline = Date.now() + 30_000;
      while ((await value('max(slipway_release_revision{environment="dev"})'))[0]?.value !== 4) {
        if (Date.now() > deadline) throw new Error(`no scrape of revision 4 within 30 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const panels = dashboard(renderedInputOfFile(SAMPLE_SPEC)).panels;
      const row = panels.findIndex((x) => x.type === 'row' && x.title.startsWith('DORA'));
      const dora = panels.slice(row + 1, row + 7);
      const single = async (title: string, legend?: string) => {
        const panel = dora.find((x) => x.title === title)!;
        const t = panel.targets!.find((x) => legend === undefined || x.legendFormat === legend)!;
        const rows = await value(t.expr);
        expect(rows, t.expr).toHaveLength(1);
        return rows[0]!.value;
      };
      expect(await single('Deployment frequency (per day)')).toBe(cli.deploymentFrequency.perDay);
      expect(await single('Lead time for changes', 'median')).toBe(cli.leadTime.medianSeconds);
      expect(await single('Lead time for changes', 'p90')).toBe(cli.leadTime.p90Seconds);
      expect(await single('Change failure rate')).toBe(cli.changeFailureRate.ratio);
      expect(await single('Failed-deployment recovery time', 'median')).toBe(cli.recoveryTime.medianSeconds);
      expect(await single('Failed-deployment recovery time', 'p90')).toBe(cli.recoveryTime.p90Seconds);
      expect(await single('Rework rate')).toBe(cli.reworkRate.ratio);
      const byResult = dora.find((x) => x.title === 'Deploys by result (all records)')!.targets![0]!.expr;
      const results = Object.fromEntries((await value(byResult)).map((r) => [r.labels.result, r.value]));
      expect(results).toEqual({ succeeded: 3, 'rolled-back': 1, failed: 0, aborted: 0 });
      expect((await value('slipway_deploy_duration_seconds_count{environment="dev"}'))[0]?.value).toBe(4);
      // low cardinality: no label carries a version, revision or SHA
      const names = await (await fetch(`${p.url}/api/v1/labels`)).json();
      expect((names as { data: string[] }).data.sort()).toEqual(
        ['__name__', 'app', 'environment', 'instance', 'job', 'le', 'quantile', 'result'].sort(),
      );
      expect(output).toContain(`on http://${exporterUrl}/metrics`);
      exporter.kill('SIGTERM');
      await exited;
      expect(exporter.exitCode).toBe(0);
    }, 60_000);
  },
);
