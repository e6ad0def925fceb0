/**
 * Issue 21, end to end: a scripted sequence of sandbox deploys (two successes, a bad image rolled
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
import { freePort, prometheusBinary, startPrometheus, waitForData } from '../engine/helpers/prometheus.js';
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

    beforeAll(async () => {
      env = await startSandboxEnv({ runtime: true });
      dir = mkdtempSync(join(tmpdir(), 'slipway-metrics-e2e-'));
      const c = (sha: string) => sha.padEnd(40, '0');
      // 1, 2: successes. 3: a bad image, rolled back by the deploy itself. 4: the fix (with the commit
      // 3 shipped first). 5: `slipway rollback --to 2`: 4 needed undoing after all.
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
      expect((await deploy('2.0.0', '--changes', changes('2', [[c('b1'), 30]]))).code).toBe(0);
      const bad = await deploy(
        'broken',
        '--set',
        'deploy.progressDeadline=3s',
        '--changes',
        changes('3', [[c('d1'), 10]]),
      );
      expect(bad.code).toBe(1);
      expect(
        (
          await deploy(
            '3.0.0',
            '--changes',
            changes('4', [
              [c('d1'), 10],
              [c('e1'), 5],
            ]),
          )
        ).code,
      ).toBe(0);
      expect((await slipwayCli(env, ['rollback', ...target, '--to', '2'])).code).toBe(0);
      const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig }, {}, {});
      records = await new SecretReleaseStore(cluster, 'sample').list('sample', 'dev');
      const json = await slipwayCli(env, ['metrics', ...target, '--output', 'json']);
      expect(json.stderr).toBe('');
      expect(json.code).toBe(0);
      cli = (JSON.parse(json.stdout) as { environments: EnvironmentMetrics[] }).environments[0]!;
      text = (await slipwayCli(env, ['metrics', ...target])).stdout;
    }, 120_000);
    afterAll(async () => {
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
        [2, 'superseded', undefined],
        [3, 'rolled-back', undefined],
        [4, 'superseded', undefined],
        [5, 'deployed', 2],
      ]);
      expect(records[0]!.change?.commit).toBe('a1'.padEnd(40, '0'));
      expect(records[3]!.change?.commits?.map((c) => c.sha.slice(0, 2))).toEqual(['d1', 'e1']);
    });

    it('metrics --output json: the figures worked out by hand from the records', () => {
      const [r1, r2, r3, r4, r5] = records as [Release, Release, Release, Release, Release];
      expect(cli.deployments).toEqual({ total: 5, succeeded: 4, rolledBack: 1, failed: 0, aborted: 0 });
      // 4 successful deploys in 30 days
      expect(cli.deploymentFrequency).toMatchObject({ perDay: 4 / 30, sampleSize: 4, tier: 'medium' });
      // 3 rolled back by its own deploy, 4 rolled back by revision 5: 2 of 5, each once
      expect(cli.changeFailureRate).toMatchObject({ ratio: 2 / 5, failed: 2, sampleSize: 5, tier: 'low' });
      expect(cli.changeFailureRate.failedDeploys.map((f) => f.revision)).toEqual([3, 4]);
      expect(cli.reworkRate).toMatchObject({ ratio: 1 / 5, rework: 1, sampleSize: 5 });
      // Lead time: each commit from its time to the end of the first successful deploy shipping it (d1 at 4, not 3).
      const commitTime = (r: Release, sha: string) =>
        Date.parse(r.change!.commits!.find((c) => c.sha.startsWith(sha))!.committedAt);
      const leads = [
        end(r1) - commitTime(r1, 'a0'),
        end(r1) - commitTime(r1, 'a1'),
        end(r2) - commitTime(r2, 'b1'),
        end(r4) - commitTime(r4, 'd1'),
        end(r4) - commitTime(r4, 'e1'),
      ]
        .map((ms) => ms / 1000)
        .sort((a, b) => a - b);
      expect(cli.leadTime).toMatchObject({
        medianSeconds: leads[2],
        p90Seconds: leads[4],
        sampleSize: 5,
        excluded: 0,
      });
      // Recovery: 3 from its failed roll-out to the end of the switch back; 4 from going live to 5's end.
      const recoveries = [
        (Date.parse(step(r3, 'switch').finishedAt!) - Date.parse(step(r3, 'roll-out').finishedAt!)) / 1000,
        (end(r5) - end(r4)) / 1000,
      ].sort((a, b) => a - b);
      expect(step(r3, 'roll-out').outcome).toBe('failed');
      expect(cli.recoveryTime).toMatchObject({
        medianSeconds: recoveries[0],
        p90Seconds: recoveries[1],
        sampleSize: 2,
      });
      // The table says the same, with the failed deploys and why each counts once.
      const table = text.split('\n');
      expect(table.find((l) => l.startsWith('change failure rate'))).toMatch(
        /40% \(2 of 5\)\s+5 deploys\s+low$/,
      );
      expect(table.find((l) => l.startsWith('rework rate'))).toMatch(/20% \(1 of 5\)\s+5 deploys\s+-$/);
      expect(text).toContain('revision 4: rolled back by revision 5 (slipway rollback)');
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
      const port = await freePort();
      const exporter: ChildProcess = spawn(
        slipwayBin,
        ['metrics', 'serve', ...target, '--address', `127.0.0.1:${port}`],
        { env: { ...process.env, KUBECONFIG: env.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      exporter.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      exporter.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise((r) => exporter.once('exit', r));
      const prom = await startPrometheus(prometheus!, [`127.0.0.1:${port}`]);
      try {
        await waitForData(prom, 'slipway_change_failure_ratio');
        const panels = dashboard(renderedInputOfFile(SAMPLE_SPEC)).panels;
        const row = panels.findIndex((p) => p.type === 'row' && p.title.startsWith('DORA'));
        const dora = panels.slice(row + 1, row + 7);
        const value = async (expr: string) => {
          const body = await prom.query(expr.replaceAll('$environment', 'dev'));
          const result = body.data!.result as Array<{
            metric: Record<string, string>;
            value: [number, string];
          }>;
          return result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
        };
        const single = async (title: string, legend?: string) => {
          const panel = dora.find((p) => p.title === title)!;
          const t = panel.targets!.find((x) => legend === undefined || x.legendFormat === legend)!;
          const rows = await value(t.expr);
          expect(rows, t.expr).toHaveLength(1);
          return rows[0]!.value;
        };
        expect(await single('Deployment frequency (per day)')).toBe(cli.deploymentFrequency.perDay);
        expect(await single('Lead time for changes', 'median')).toBe(cli.leadTime.medianSeconds);
        expect(await single('Lead time for changes', 'p90')).toBe(cli.leadTime.p90Seconds);
        expect(await single('Change failure rate')).toBe(cli.changeFailureRate.ratio);
        expect(await single('Failed-deployment recovery time', 'median')).toBe(
          cli.recoveryTime.medianSeconds,
        );
        expect(await single('Failed-deployment recovery time', 'p90')).toBe(cli.recoveryTime.p90Seconds);
        expect(await single('Rework rate')).toBe(cli.reworkRate.ratio);
        const byResult = dora.find((p) => p.title === 'Deploys by result (all records)')!.targets![0]!.expr;
        const results = Object.fromEntries((await value(byResult)).map((r) => [r.labels.result, r.value]));
        expect(results).toEqual({ succeeded: 4, 'rolled-back': 1, failed: 0, aborted: 0 });
        expect((await value('slipway_deploy_duration_seconds_count{environment="dev"}'))[0]?.value).toBe(5);
        expect((await value('max(slipway_release_revision{environment="dev"})'))[0]?.value).toBe(5);
        // low cardinality: no label carries a version, revision or SHA
        const names = await (await fetch(`${prom.url}/api/v1/labels`)).json();
        expect((names as { data: string[] }).data.sort()).toEqual(
          ['__name__', 'app', 'environment', 'instance', 'job', 'le', 'quantile', 'result'].sort(),
        );
      } finally {
        await prom.stop();
        exporter.kill('SIGTERM');
        await exited;
      }
      expect(output).toContain(`on http://127.0.0.1:${port}/metrics`);
      expect(exporter.exitCode).toBe(0);
    }, 60_000);
  },
);
