/**
 * Issue 25: a deployer that dies, and two deployers at once, with real separate processes
 * (`./bin/slipway`, the built CLI) against the sandbox running the sample service.
 *
 * - A blue-green deploy SIGKILLed while its migration Job runs: `status` exits 3 and says the
 *   revision was interrupted and by whom; `abort` takes the lock over, deletes the Job, records
 *   the revision aborted and puts revision 1 back (exit 0): one deployed release, one colour
 *   scaled up, no migration Job.
 * - A blue-green deploy SIGKILLed while it waits for `slipway promote` (its new colour up):
 *   `rollback` restores the release that served before it (it used to say "no earlier release").
 * - Two deploys at once: the second exits 1 naming the holder, its command and age; with
 *   `--wait-for-lock 2m` it queues and deploys once the first one is done.
 */
import type { KubeObject } from '@slipway/kube';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { KubeCluster } from '../../src/cluster/kube.js';
import { applyOverrides } from '../../src/engine/overrides.js';
import { renderObjects } from '../../src/engine/prepare.js';
import { loadSpec } from '../../src/cli/load-spec.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';
import { builtCli, repoRoot, runBuilt, slipwayBin } from '../helpers/built-cli.js';
import { SAMPLE_SPEC, servicePort, slipwayCli, versionOf } from './deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const built = builtCli('the interrupted and concurrent deploy tests');

/** The migration of 2.0.0 takes long enough that the deploy is killed while it runs. */
const SANDBOX_CONFIG = `images:
  - match: migrate-slow
    command: [node, -e, "console.log('applying 0043_backfill.sql'); setTimeout(() => {}, 600000)"]
`;

type Dep = KubeObject & {
  spec: { replicas?: number; template: { spec: { containers: Array<{ image: string }> } } };
};

describe.skipIf(!built)('an interrupted deploy and concurrent deploys (built CLI, sandbox)', () => {
  let env: SandboxEnv;
  let cluster: KubeCluster;
  const specs = { plain: '', migrate: '', paused: '', canary: '' };
  beforeAll(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'slipway-interrupted-'));
    writeFileSync(join(dir, 'sandbox.yaml'), SANDBOX_CONFIG);
    env = await startSandboxEnv({ runtime: true, configFile: join(dir, 'sandbox.yaml') });
    cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: 'sample' });
    const write = (
      name: string,
      edit: (doc: {
        namespace?: string;
        deploy: Record<string, unknown>;
        services: { web: Record<string, unknown> };
      }) => void,
    ) => {
      const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as {
        namespace?: string;
        deploy: Record<string, unknown>;
        services: { web: Record<string, unknown> };
      };
      doc.deploy = { strategy: 'blue-green', timeout: '2m', scaleDownDelay: '1s' };
      edit(doc);
      const file = join(env.dir, `${name}.yaml`);
      writeFileSync(file, stringify(doc));
      return file;
    };
    specs.plain = write('plain', () => undefined);
    specs.migrate = write(
      'migrate',
      (d) => (d.services.web.migrations = { command: ['migrate'], image: 'migrate-slow:1', backoffLimit: 0 }),
    );
    specs.paused = write('paused', (d) => (d.deploy.autoPromote = false));
    // Its own namespace: the canary's Deployments, Services and release records stay apart from dev's blue-green.
    specs.canary = write('canary', (d) => {
      d.namespace = 'canary-demo';
      d.deploy = { strategy: 'canary', timeout: '2m', canary: { steps: [{ weight: 50 }, { pause: {} }] } };
    });
  });
  afterAll(() => env?.stop());

  const run = (args: string[]) => runBuilt(args, { env: { KUBECONFIG: env.kubeconfig } });
  const deployArgs = (spec: string, version: string, ...more: string[]) => [
    'deploy',
    '-f',
    spec,
    '--env',
    'dev',
    '--skip-analysis',
    '--set-image',
    `web=sample-service:${version}`,
    ...more,
  ];

  /** Starts `./bin/slipway deploy --output json` as its own process; `reached(step, status)` resolves when that step event is printed. */
  function startDeploy(spec: string, version: string, ...more: string[]) {
    const child = spawn(slipwayBin, [...deployArgs(spec, version, ...more), '--output', 'json'], {
      cwd: repoRoot,
      env: { ...process.env, KUBECONFIG: env.kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const waiters: Array<{ match: string; resolve: () => void }> = [];
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      for (const w of [...waiters]) {
        if (!out.includes(w.match)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const reachedText = (match: string) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(match)) return resolve();
        waiters.push({ match, resolve });
        void exited.then(() => reject(new Error(`deploy exited before ${match}:\n${out}`)));
      });
    const reached = (step: string, status: string) => reachedText(`"step":"${step}","status":"${status}"`);
    return { child, exited, reached, reachedText, output: () => out };
  }

  const colours = async () => {
    const out: Record<string, { replicas: number; image?: string }> = {};
    for (const c of ['blue', 'green']) {
      const d = await cluster.get<Dep>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'sample',
        name: `sample-web-${c}`,
      });
      if (d) out[c] = { replicas: d.spec.replicas ?? 1, image: d.spec.template.spec.containers[0]?.image };
    }
    return out;
  };
  const releases = async () =>
    (
      JSON.parse(
        (await slipwayCli(env, ['history', '-f', specs.plain, '--env', 'dev', '--output', 'json'])).stdout,
      ) as { releases: Array<{ revision: number; phase: string; rollbackOf?: number }> }
    ).releases;
  const migrationJobs = async () =>
    (
      await cluster.list(
        { apiVersion: 'batch/v1', kind: 'Job', namespace: 'sample' },
        { labelSelector: { 'app.kubernetes.io/component': 'migration' } },
      )
    ).items.map((j) => j.metadata.name);

  /** After a restore: revision 1.0.0 serves from exactly one colour, one release is deployed, nothing is pending, no migration Job is left. */
  async function expectConverged() {
    expect(await versionOf(servicePort(env, 'sample', 'sample-web'))).toBe('1.0.0');
    const up = Object.entries(await colours()).filter(([, d]) => d.replicas > 0);
    expect(up.map(([, d]) => d.image)).toEqual(['sample-service:1.0.0']);
    const rs = await releases();
    expect(rs.filter((r) => r.phase === 'deployed')).toHaveLength(1);
    expect(rs.filter((r) => r.phase === 'pending')).toEqual([]);
    expect(await migrationJobs()).toEqual([]);
  }

  it('killed while its migration runs: status exits 3 naming it, abort takes over and puts revision 1 back', async () => {
    expect((await run(deployArgs(specs.plain, '1.0.0'))).code).toBe(0);
    const killed = startDeploy(specs.migrate, '2.0.0');
    await killed.reached('migrate', 'started');
    // The Job of 2.0.0's migration, by its rendered (hashed) name: wait until it exists, then kill the deployer.
    const v2 = applyOverrides(
      resolveEnvironment(await loadSpec(specs.migrate), 'dev', specs.migrate),
      [],
      ['web=sample-service:2.0.0'],
    ).app;
    const job = renderObjects(v2).objects.find((o) => o.kind === 'Job')!;
    await cluster.watch(
      { apiVersion: 'batch/v1', kind: 'Job', namespace: 'sample', name: job.metadata.name! },
      (j) => j !== undefined,
      AbortSignal.timeout(60_000),
    );
    killed.child.kill('SIGKILL');
    await killed.exited;
    const pid = killed.child.pid!;

    const status = await run(['status', '-f', specs.plain, '--env', 'dev']);
    console.log(`[interrupted] status after SIGKILL (exit ${status.code}):\n${status.stdout}`);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(
      new RegExp(
        `^interrupted: revision 2 \\(pending\\) was being deployed by .+ \\(pid ${pid}\\), whose process is gone; run \`slipway deploy --env dev\` to finish it, or \`slipway rollback --env dev\` / \`slipway abort --env dev\` to put the serving release \\(revision 1\\) back$`,
        'm',
      ),
    );
    expect(status.stdout).toMatch(
      new RegExp(`^deploy lock: left by .+ \\(pid ${pid}\\), whose process is gone`, 'm'),
    );
    expect(await migrationJobs()).toEqual([job.metadata.name]);
    // Nobody waits for a promote any more: it says so instead of "the running deploy acts on it".
    const promote = await slipwayCli(env, ['promote', '-f', specs.plain, '--env', 'dev']);
    expect(promote.code).toBe(3);
    expect(promote.stderr).toContain(
      'no deploy of sample to dev is running: interrupted: revision 2 (pending)',
    );

    const abort = await run(['abort', '-f', specs.plain, '--env', 'dev']);
    console.log(`[interrupted] abort (exit ${abort.code}):\n${abort.stdout}${abort.stderr}`);
    expect(abort.stderr).toBe('');
    expect(abort.code).toBe(0);
    expect(abort.stdout).toMatch(
      new RegExp(
        `took over the deploy lock from .+ \\(pid ${pid}\\) \\(\`slipway deploy -f .+ --set-image web=sample-service:2.0.0 --output json\`\\), whose process is gone`,
      ),
    );
    expect(abort.stdout).toContain(
      `aborted sample revision 2 in dev (its deploy was interrupted); cleaned up: Job ${job.metadata.name} deleted`,
    );
    expect(abort.stdout).toContain('revision 1 serves again (as revision 3)');
    await expectConverged();
    expect((await releases()).map((r) => [r.revision, r.phase])).toEqual([
      [1, 'superseded'],
      [2, 'aborted'],
      [3, 'deployed'],
    ]);
    expect((await run(['status', '-f', specs.plain, '--env', 'dev'])).code).toBe(0);
  }, 300_000);

  it('killed while waiting for promote (its new colour up): rollback restores what served before it', async () => {
    const before = (await releases()).length;
    const killed = startDeploy(specs.paused, '4.0.0');
    await killed.reached('switch', 'started');
    expect(Object.values(await colours()).map((d) => d.image)).toContain('sample-service:4.0.0');
    killed.child.kill('SIGKILL');
    await killed.exited;

    const back = await run(['rollback', '-f', specs.plain, '--env', 'dev']);
    console.log(`[interrupted] rollback (exit ${back.code}):\n${back.stdout}${back.stderr}`);
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(`revision ${before + 1} was interrupted; recorded aborted`);
    expect(back.stdout).toMatch(new RegExp(`deployed sample revision ${before + 2} to dev \\(blue-green\\)`));
    await expectConverged();
    expect((await releases()).slice(-2).map((r) => [r.phase, r.rollbackOf])).toEqual([
      ['aborted', undefined],
      ['deployed', 3],
    ]);
  }, 300_000);

  it('a second deploy exits 1 naming the holder, its command and age; with --wait-for-lock it deploys after the first', async () => {
    const first = startDeploy(specs.paused, '5.0.0');
    await first.reached('switch', 'started');

    const started = Date.now();
    const second = await run(deployArgs(specs.plain, '6.0.0'));
    const secondMs = Date.now() - started;
    console.log(
      `[concurrent] second deploy: exit ${second.code} after ${secondMs} ms (process start to exit): ${second.stderr.trim()}`,
    );
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /^error: Lease sample\/slipway-lock-sample-dev: environment dev is being deployed by .+ \(pid \d+\), `slipway deploy -f .+paused\.yaml --env dev --skip-analysis --set-image web=sample-service:5\.0\.0 --output json`, for \d+ s; try again later or pass --wait-for-lock 5m/,
    );

    const queued = startDeploy(specs.plain, '6.0.0', '--wait-for-lock', '2m');
    await new Promise<void>((resolve, reject) => {
      const check = () =>
        queued
          .output()
          .includes('waiting up to 2 min for the deploy lock: environment dev is being deployed by')
          ? resolve()
          : undefined;
      queued.child.stdout.on('data', check);
      void queued.exited.then(() => reject(new Error(`queued deploy exited early:\n${queued.output()}`)));
      check();
    });
    expect((await slipwayCli(env, ['promote', '-f', specs.plain, '--env', 'dev'])).code).toBe(0);
    expect(await first.exited).toBe(0);
    expect(await queued.exited, queued.output()).toBe(0);
    expect(await versionOf(servicePort(env, 'sample', 'sample-web'))).toBe('6.0.0');
    const rs = await releases();
    expect(rs.slice(-2).map((r) => r.phase)).toEqual(['superseded', 'deployed']);
  }, 300_000);

  it('a canary killed at its pause: abort removes the canary, and the stable serves alone; so does the next deploy', async () => {
    const ns = 'canary-demo';
    const inNs = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: ns });
    const canaries = async () =>
      (
        await inNs.list(
          { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns },
          { labelSelector: { 'slipway.dev/role': 'canary' } },
        )
      ).items.map((d) => d.metadata.name);
    expect((await run(deployArgs(specs.canary, '1.0.0'))).code).toBe(0);
    const killed = startDeploy(specs.canary, '2.0.0');
    await killed.reachedText('until slipway promote');
    expect(await canaries()).toEqual(['sample-web-canary']);
    killed.child.kill('SIGKILL');
    await killed.exited;

    expect((await run(['status', '-f', specs.canary, '--env', 'dev'])).code).toBe(3);
    const abort = await run(['abort', '-f', specs.canary, '--env', 'dev']);
    console.log(`[interrupted] canary abort (exit ${abort.code}):\n${abort.stdout}${abort.stderr}`);
    expect(abort.stderr).toBe('');
    expect(abort.code).toBe(0);
    expect(abort.stdout).toContain('Deployment sample-web-canary deleted');
    expect(await canaries()).toEqual([]);
    expect(await versionOf(servicePort(env, ns, 'sample-web'))).toBe('1.0.0');
    const history = JSON.parse(
      (await slipwayCli(env, ['history', '-f', specs.canary, '--env', 'dev', '--output', 'json'])).stdout,
    ) as { releases: Array<{ phase: string }> };
    expect(history.releases.map((r) => r.phase)).toEqual(['superseded', 'aborted', 'deployed']);

    // The next plain deploy after a killed replica-ratio canary converges too (it used to hit a
    // server-side apply conflict over the stable's replicas, which the canary had patched).
    const again = startDeploy(specs.canary, '2.0.0');
    await again.reachedText('until slipway promote');
    again.child.kill('SIGKILL');
    await again.exited;
    const next = await run(deployArgs(specs.canary, '3.0.0', '--strategy', 'rolling'));
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(
      /left a canary behind; cleaned up: Deployment sample-web back to 2 replicas; Deployment sample-web-canary deleted/,
    );
    expect(await canaries()).toEqual([]);
    expect(await versionOf(servicePort(env, ns, 'sample-web'))).toBe('3.0.0');
  }, 300_000);
});
