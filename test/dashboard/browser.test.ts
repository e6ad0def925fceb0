/**
 * Issue 21, the dashboard in a real browser: headless Chromium (Debian) driven by playwright-core
 * against `slipway dashboard` (the built CLI, its own process) reading a sandbox's release records.
 * The records (successes, a rollback, an abort, and a staging ahead of dev... of production) are
 * written through the release store, as deploys write them; a record written while the page is
 * open must appear without a reload (SSE from a watch). Screenshots go to
 * .cache/test-artifacts/dashboard; axe-core checks accessibility basics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeCluster } from '../../src/cluster/kube.js';
import type { Release } from '../../src/engine/releases/release.js';
import { SecretReleaseStore } from '../../src/engine/releases/secrets.js';
import type { EnvironmentMetrics } from '../../src/metrics/dora.js';
import { builtCli, repoRoot, slipwayBin } from '../helpers/built-cli.js';
import { freePort } from '../engine/helpers/prometheus.js';
import { SAMPLE_SPEC, slipwayCli } from '../e2e/deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';
import { record } from '../metrics/records.js';

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
];

const inEnv = (environment: string, r: Release): Release => ({ ...r, app: 'sample', environment });

describe.skipIf(!ready)('slipway dashboard in Chromium', () => {
  let env: SandboxEnv;
  let browser: Browser;
  let dashboard: ChildProcess;
  let url: string;
  let dev: SecretReleaseStore;
  let devMetrics: EnvironmentMetrics;
  const now = new Date();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    env = await startSandboxEnv();
    const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig }, {}, {});
    await env.kubectl(['create', 'namespace', 'sample']);
    dev = new SecretReleaseStore(cluster, 'sample');
    const d = (r: Release) => dev.create(inEnv('dev', r));
    const start = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000).toISOString();
    // dev: 1 and 2 succeed, 3 is rolled back after its analysis failed, 4 is aborted, 5 serves.
    await d(record({ revision: 1, phase: 'superseded', start: start(50), minutes: 4 }));
    await d(record({ revision: 2, phase: 'superseded', start: start(40), minutes: 3 }));
    await d({
      ...record({
        revision: 3,
        phase: 'rolled-back',
        start: start(30),
        minutes: 5,
        revertMinutes: 1,
        failedAnalyses: ['error-rate'],
      }),
      message: 'analysis error-rate failed: 0.08 > 0.01',
    });
    await d({
      ...record({ revision: 4, phase: 'aborted', start: start(20), minutes: 2, revertMinutes: 1 }),
      message: 'aborted by slipway abort',
    });
    await d(record({ revision: 5, phase: 'deployed', start: start(10), minutes: 3 }));
    // staging serves a newer image than dev
    await dev.create(
      inEnv('staging', {
        ...record({ revision: 1, phase: 'deployed', start: start(5), minutes: 2 }),
        images: { web: 'sample-service:9.9.9' },
      }),
    );
    const json = await slipwayCli(env, ['metrics', '-f', SAMPLE_SPEC, '--env', 'dev', '--output', 'json']);
    devMetrics = (JSON.parse(json.stdout) as { environments: EnvironmentMetrics[] }).environments[0]!;

    const port = await freePort();
    dashboard = spawn(slipwayBin, ['dashboard', '-f', SAMPLE_SPEC, '--address', `127.0.0.1:${port}`], {
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
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dashboard && dashboard.exitCode === null) {
      const exited = new Promise((r) => dashboard.once('exit', r));
      dashboard.kill('SIGTERM');
      await exited;
    }
    await env?.stop();
  });

  it('shows the timeline in order, the tiles with the computed figures, a new release without a reload, readable without colour', async () => {
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
    ).toEqual(['5 deployed', '4 aborted', '3 rolled-back', '2 superseded', '1 superseded']);
    await expect
      .poll(() => devSection.locator('li[data-revision="3"] .reason').textContent())
      .toContain('analysis error-rate failed');
    expect(await devSection.locator('li[data-revision="3"]').textContent()).toContain(
      'analysis error-rate: failed',
    );
    expect(await devSection.locator('.serving').textContent()).toContain(
      'Serving revision 5 (rolling): web=registry.example/shop:5',
    );
    // tiles: the figures of slipway metrics --output json
    const tile = (name: string) => devSection.locator(`[data-metric="${name}"]`).textContent();
    expect(devMetrics.changeFailureRate).toMatchObject({ failed: 2, sampleSize: 5, ratio: 0.4 });
    expect(await tile('change failure rate')).toContain('40%');
    expect(await tile('change failure rate')).toContain('2 of 5 deploys · tier: low');
    expect(await tile('deployment frequency')).toContain(
      `${Math.round(devMetrics.deploymentFrequency.perDay * 100) / 100} a day`,
    );
    expect(await tile('deployment frequency')).toContain('3 successful deploys');
    expect(await tile('recovery time')).toContain('2 recovered, 0 not yet');
    expect(await page.locator('#compare + ul').textContent()).toContain(
      'dev has what staging has not: web registry.example/shop:5 (staging: sample-service:9.9.9)',
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

    // a new release, written while the page is open, appears without a reload
    const t1 = performance.now();
    await dev.create(
      inEnv('dev', record({ revision: 6, phase: 'pending', start: new Date().toISOString(), minutes: 0 })),
    );
    await devSection.locator('li[data-revision="6"]').waitFor({ timeout: 15_000 });
    const updateMs = performance.now() - t1;
    expect(await devSection.locator('ol.timeline > li').first().getAttribute('data-revision')).toBe('6');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-live-update.png'), fullPage: true });
    console.log(
      `[dashboard] page load to first draw ${loadMs.toFixed(0)} ms; record written to shown ${updateMs.toFixed(0)} ms; screenshots in ${ARTIFACTS}`,
    );

    // readable without colour: outcomes are words and symbols; a greyscale screenshot too
    const text = await devSection.locator('ol.timeline').textContent();
    expect(text).toContain('↩ revision 3 rolled-back');
    expect(text).toContain('■ revision 4 aborted');
    expect(text).toContain('✓ revision 5 deployed');
    expect(text).toContain('… revision 6 pending');
    await page.addStyleTag({ content: 'html { filter: grayscale(1) }' });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-greyscale.png'), fullPage: true });
    await context.close();
  }, 60_000);
});
