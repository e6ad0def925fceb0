/**
 * Issue 21, the dashboard in a real browser: headless Chromium (Debian) driven by playwright-core
 * against `slipway dashboard` (the built CLI, its own process) reading the release records that a
 * scripted sequence of real sandbox deploys wrote: two successes, a bad image rolled back
 * automatically, a deploy aborted with `slipway abort`, and a staging deploy of another version.
 * `slipway metrics --output json` is checked against figures worked out here from the records;
 * the timeline shows the deploys in order, the tiles show the same figures, and a deploy made while
 * the page is open appears without a reload (SSE from a watch). Screenshots go to
 * .cache/test-artifacts/dashboard; axe-core checks accessibility basics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { KubeCluster } from '../../src/cluster/kube.js';
import { SecretReleaseStore } from '../../src/engine/releases/secrets.js';
import type { EnvironmentMetrics } from '../../src/metrics/dora.js';
import { builtCli, repoRoot, slipwayBin } from '../helpers/built-cli.js';
import { freePort } from '../engine/helpers/prometheus.js';
import { SAMPLE_SPEC, slipwayCli, startCli } from '../e2e/deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';

const CHROMIUM = '/usr/bin/chromium';
function chromiumPresent(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error('CI=true but chromium is missing: .ci/apt-packages lists it');
  console.warn(
    '[skip] chromium is not installed (apt-get install chromium): the dashboard browser test is skipped',
  );
  return false;
}
const ready = chromiumPresent() && builtCli('the dashboard browser test');
const ARTIFACTS = join(repoRoot, '.cache', 'test-artifacts', 'dashboard');
// Flags the machine notes give for Debian's Chromium as root on a closed network.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Tests talk to loopback only: every other host name resolves to nothing inside Chromium, so it
  // sends no DNS query (it looked up accounts.google.com and update.googleapis.com without this).
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

const HOUR = 3_600_000;

describe.skipIf(!ready)('slipway dashboard in Chromium, over real sandbox deploys', () => {
  let env: SandboxEnv;
  let browser: Browser;
  let dashboard: ChildProcess;
  let url: string;
  let spec: string;
  let devMetrics: EnvironmentMetrics;
  const now = Date.now();
  /** Commit SHAs and times, one per version: lead time is measured from these. */
  const commit = (n: number) => ({ sha: `${n}`.repeat(40), time: new Date(now - (5 - n) * HOUR) });

  /** `slipway deploy` of one version to an environment, analyses skipped. */
  const deployArgs = (environment: string, image: string, ...extra: string[]) => [
    ...['deploy', '-f', spec, '--env', environment, '--skip-analysis', '--set-image', `web=${image}`],
    ...extra,
  ];

  /** One deploy to dev, in-process; `shipped` are the commits since the last one (`--changes FILE`). */
  async function deploy(version: string, n: number, shipped: number[], ...extra: string[]) {
    const changes = join(env.dir, `changes-${n}.txt`);
    writeFileSync(changes, shipped.map((c) => `${commit(c).sha} ${commit(c).time.toISOString()}\n`).join(''));
    return slipwayCli(
      env,
      deployArgs(
        'dev',
        `sample-service:${version}`,
        '--commit',
        commit(n).sha,
        '--changes',
        changes,
        ...extra,
      ),
    );
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    env = await startSandboxEnv({ runtime: true });
    const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as Record<string, Record<string, unknown>>;
    doc.deploy = { strategy: 'rolling', timeout: '1m' };
    doc.environments = { dev: { replicas: 1 }, staging: { replicas: 1, namespace: 'sample-staging' } };
    spec = join(env.dir, 'slipway.yaml');
    writeFileSync(spec, stringify(doc));

    // 1 and 2 succeed; 3 is a bad image, rolled back automatically once its progress deadline passes.
    expect((await deploy('1.0.0', 1, [1])).code).toBe(0);
    expect((await deploy('2.0.0', 2, [2])).code).toBe(0);
    const bad = await deploy('broken', 3, [3], '--set', 'deploy.progressDeadline=3s');
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    // 4 never gets ready and is aborted from another command while it rolls out.
    const stuck = startCli(
      env,
      deployArgs(
        'dev',
        'sample-service:3.0.0',
        '--set',
        'services.web.env.FAIL_READINESS=1',
        '--output',
        'json',
      ),
      (line) => line.includes('"step":"roll-out"') && line.includes('"status":"started"'),
    );
    await stuck.reached;
    expect((await slipwayCli(env, ['abort', '-f', spec, '--env', 'dev'])).code).toBe(0);
    expect(await stuck.done).toBe(1);
    // staging serves another version than dev
    const staging = await slipwayCli(env, deployArgs('staging', 'sample-service:9.9.9'));
    expect(staging.code, staging.stderr).toBe(0);

    const json = await slipwayCli(env, ['metrics', '-f', spec, '--env', 'dev', '--output', 'json']);
    devMetrics = (JSON.parse(json.stdout) as { environments: EnvironmentMetrics[] }).environments[0]!;

    const port = await freePort();
    dashboard = spawn(slipwayBin, ['dashboard', '-f', spec, '--address', `127.0.0.1:${port}`], {
      env: { ...process.env, KUBECONFIG: env.kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      dashboard.stdout!.on('data', (b: Buffer) => {
        output += b.toString();
        if (output.includes('dashboard of')) resolve();
      });
      dashboard.stderr!.on('data', (b: Buffer) => (output += b.toString()));
      dashboard.once('exit', (code) => reject(new Error(`slipway dashboard exited ${code}:\n${output}`)));
    });
    url = `http://127.0.0.1:${port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (dashboard && dashboard.exitCode === null) {
      const exited = new Promise((r) => dashboard.once('exit', r));
      dashboard.kill('SIGTERM');
      await exited;
    }
    await env?.stop();
  });

  it('slipway metrics --output json gives the figures worked out by hand from the release records', async () => {
    // The records as the deploys wrote them, read from the cluster.
    const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig }, {}, {});
    const releases = await new SecretReleaseStore(cluster, 'sample').list('sample', 'dev');
    const byRevision = new Map(releases.map((r) => [r.revision, r]));
    expect(releases.map((r) => `${r.revision} ${r.phase}`).sort()).toEqual([
      '1 superseded',
      '2 deployed',
      '3 rolled-back',
      '4 aborted',
    ]);
    // The end of a deploy: its last step's end (skipped steps have none), clean-up after the switch left out (docs/metrics.md).
    const t = (iso: string | undefined) => Date.parse(iso!);
    const end = (n: number) =>
      Math.max(
        ...byRevision
          .get(n)!
          .steps.filter((s) => s.step !== 'clean-up')
          .map((s) => t(s.finishedAt))
          .filter((ms) => !Number.isNaN(ms)),
      );
    const step = (n: number, name: string) => byRevision.get(n)!.steps.find((s) => s.step === name)!;

    // 4 deploys; 2 failed changes (the rollback and the abort), each counted once: 2/4.
    expect(devMetrics.deployments).toEqual({ total: 4, succeeded: 2, rolledBack: 1, failed: 0, aborted: 1 });
    expect(devMetrics.changeFailureRate).toMatchObject({ failed: 2, sampleSize: 4, ratio: 0.5 });
    expect(devMetrics.changeFailureRate.failedDeploys.map((f) => f.revision)).toEqual([3, 4]);
    // 2 successful deploys in a 30-day window.
    expect(devMetrics.deploymentFrequency).toMatchObject({ sampleSize: 2, perDay: 2 / 30 });
    // Lead time: commit 1 to the end of deploy 1, commit 2 to the end of deploy 2; commit 3 shipped
    // only in failed deploys so far, so it is not yet counted.
    const lead = [end(1) - commit(1).time.getTime(), end(2) - commit(2).time.getTime()].map(
      (ms) => ms / 1000,
    );
    expect(devMetrics.leadTime.sampleSize).toBe(2);
    // Nearest-rank median (docs/metrics.md): of two values, the smaller.
    expect(devMetrics.leadTime.medianSeconds).toBeCloseTo(Math.min(...lead), 1);
    // Recovery: 3 failed when its roll-out step failed and was restored when its switch back ended;
    // 4 failed when its roll-out step failed (aborted) and was restored by its own switch back.
    const recovery = (n: number) =>
      (t(step(n, 'switch').finishedAt) - t(step(n, 'roll-out').finishedAt)) / 1000;
    expect(step(3, 'switch').detail).toBe('roll back to revision 2');
    expect(devMetrics.recoveryTime.sampleSize).toBe(2);
    expect(devMetrics.recoveryTime.sumSeconds).toBeCloseTo(recovery(3) + recovery(4), 1);
    console.log(
      `[metrics] deploys ${JSON.stringify(devMetrics.deployments)}; change failure rate ${devMetrics.changeFailureRate.failed}/${devMetrics.changeFailureRate.sampleSize}; lead time median ${devMetrics.leadTime.medianSeconds?.toFixed(0)} s (hand: ${lead.map((l) => l.toFixed(0)).join(', ')} s); recovery ${[recovery(3), recovery(4)].map((r) => r.toFixed(1)).join(' s, ')} s`,
    );
  });

  it('shows the timeline in order, the tiles with the computed figures, a new deploy without a reload, readable without colour', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(url);
    await page.waitForFunction(
      () => (globalThis as unknown as { __slipwayDrawn?: number }).__slipwayDrawn! >= 1,
    );
    const loadMs = performance.now() - t0;

    const devSection = page.locator('section[data-env="dev"]');
    expect(
      await devSection
        .locator('ol.timeline > li')
        .evaluateAll((l) =>
          l.map((e) => `${e.getAttribute('data-revision')} ${e.getAttribute('data-phase')}`),
        ),
    ).toEqual(['4 aborted', '3 rolled-back', '2 deployed', '1 superseded']);
    await expect
      .poll(() => devSection.locator('li[data-revision="3"] .reason').textContent())
      .toContain('progress deadline');
    expect(await devSection.locator('li[data-revision="4"] .reason').textContent()).toContain('aborted by');
    expect(await devSection.locator('.serving').textContent()).toContain(
      'Serving revision 2 (rolling): web=sample-service:2.0.0',
    );
    // tiles: the figures of slipway metrics --output json
    const tile = (name: string) => devSection.locator(`[data-metric="${name}"]`).textContent();
    expect(await tile('change failure rate')).toContain('50%');
    expect(await tile('change failure rate')).toContain('2 of 4 deploys');
    expect(await tile('deployment frequency')).toContain(
      `${Math.round(devMetrics.deploymentFrequency.perDay * 100) / 100} a day`,
    );
    expect(await tile('deployment frequency')).toContain('2 successful deploys');
    expect(await tile('recovery time')).toContain('2 recovered, 0 not yet');
    expect(await page.locator('#compare + ul').textContent()).toContain(
      'dev has what staging has not: web sample-service:2.0.0 (staging: sample-service:9.9.9)',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    // accessibility basics (axe-core's WCAG A and AA rules)
    await page.evaluate(readFileSync(join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'));
    const violations = await page.evaluate(async () => {
      const axe = (
        globalThis as unknown as {
          axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> };
        }
      ).axe;
      const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
      return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
    });
    expect(violations).toEqual([]);

    // a deploy made while the page is open appears without a reload: first running, then deployed
    const t1 = performance.now();
    const next = deploy('4.0.0', 5, [3, 5]);
    await devSection.locator('li[data-revision="5"]').waitFor({ timeout: 30_000 });
    const updateMs = performance.now() - t1;
    expect((await next).code).toBe(0);
    await devSection.locator('li[data-revision="5"][data-phase="deployed"]').waitFor({ timeout: 30_000 });
    expect(await devSection.locator('ol.timeline > li').first().getAttribute('data-revision')).toBe('5');
    await expect
      .poll(() => devSection.locator('.serving').textContent())
      .toContain('Serving revision 5 (rolling): web=sample-service:4.0.0');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-live-update.png'), fullPage: true });
    console.log(
      `[dashboard] page load to first draw ${loadMs.toFixed(0)} ms; deploy started to shown ${updateMs.toFixed(0)} ms; screenshots in ${ARTIFACTS}`,
    );

    // readable without colour: outcomes are words and symbols; a greyscale screenshot too
    const text = await devSection.locator('ol.timeline').textContent();
    expect(text).toContain('↩ revision 3 rolled-back');
    expect(text).toContain('■ revision 4 aborted');
    expect(text).toContain('✓ revision 5 deployed');
    await page.addStyleTag({ content: 'html { filter: grayscale(1) }' });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-greyscale.png'), fullPage: true });
    await context.close();
  }, 120_000);
});
