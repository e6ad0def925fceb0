/**
 * A deploy whose deployer died, on the in-memory cluster (the test plays the Deployment
 * controller): its pending record, its Lease held by a pid on this machine that no longer exists,
 * its Deployment already changed, its migration Job started. `status` says it was interrupted;
 * `abort` and `rollback` take the lock over, record it aborted, remove its Job and put the serving
 * release back; `rollbackTarget` restores what served when the latest release never did.
 */
import type { KubeObject } from '@slipway/kube';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { abortDeploy } from '../../src/engine/abort.js';
import { ManualClock, systemClock } from '../../src/engine/clock.js';
import type { DeployEvent, EngineContext } from '../../src/engine/context.js';
import { deploy } from '../../src/engine/deploy.js';
import { DeployLock, lockRef } from '../../src/engine/lock.js';
import { applyOverrides } from '../../src/engine/overrides.js';
import { renderObjects } from '../../src/engine/prepare.js';
import { MemoryReleaseStore } from '../../src/engine/releases/memory.js';
import type { Release } from '../../src/engine/releases/release.js';
import { rollback, rollbackTarget } from '../../src/engine/rollback.js';
import { status } from '../../src/engine/status.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';
import type { ResolvedApp } from '../../src/spec/resolved.js';
import { deploymentController } from './helpers/controllers.js';

const SPEC = 'examples/sample-service/slipway.yaml';
const base = (): ResolvedApp => {
  const app = resolveEnvironment(parseSpec(readFileSync(SPEC, 'utf8'), SPEC), 'dev');
  delete app.deploy.analysis;
  return app;
};
const withImage = (tag: string, app = base()) => applyOverrides(app, [], [`web=sample-service:${tag}`]);
type Dep = KubeObject & { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
const target = { app: 'sample', environment: 'dev', namespace: 'sample' };

/** A pid that existed and exited: the child of a finished spawnSync. */
const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
const DEAD = `ci@${hostname()} (pid ${deadPid})`;

/**
 * Revision 1 (1.0.0) deployed; revision 2 (2.0.0, which adds a migration) killed mid-way: the
 * pending record, the Lease of a process that is gone, the new Deployment and migration Job applied.
 */
async function killedDeploy() {
  const cluster = new MemoryCluster({ namespace: 'sample' });
  const store = new MemoryReleaseStore();
  const events: DeployEvent[] = [];
  const ctx: EngineContext = {
    cluster,
    store,
    clock: systemClock,
    holder: 'test@ci (pid 1)',
    command: 'slipway abort --env dev',
    emit: (e) => events.push(e),
  };
  const stop = new AbortController();
  deploymentController(cluster, 'sample-web', stop.signal);
  await deploy(ctx, withImage('1.0.0'));
  const v2 = withImage('2.0.0');
  v2.app.services.web!.migrations = { command: ['node', 'migrate.mjs'] };
  const objects = renderObjects(v2.app).objects;
  const job = objects.find((o) => o.kind === 'Job')!;
  const served = (await store.deployed('sample', 'dev'))!;
  await new DeployLock({
    cluster,
    clock: systemClock,
    namespace: 'sample',
    app: 'sample',
    environment: 'dev',
    holder: DEAD,
    command: 'slipway deploy --env dev --set-image web=sample-service:2.0.0',
  }).acquire();
  await store.create({
    ...served,
    revision: 2,
    phase: 'pending',
    spec: v2.app,
    overrides: v2.overrides,
    images: { web: 'sample-service:2.0.0' },
    objects,
    deployedBy: DEAD,
    inventory: undefined,
  });
  await cluster.apply([job, objects.find((o) => o.kind === 'Deployment')!], { fieldManager: 'slipway' });
  const image = async () =>
    (
      await cluster.get<Dep>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'sample',
        name: 'sample-web',
      })
    )?.spec.template.spec.containers[0]?.image;
  const jobRef = { apiVersion: 'batch/v1', kind: 'Job', namespace: 'sample', name: job.metadata.name! };
  return { cluster, store, ctx, events, stop, image, jobRef };
}

const phases = async (store: MemoryReleaseStore) =>
  (await store.list('sample', 'dev')).map((r) => [r.revision, r.phase, r.rollbackOf]);

describe('an interrupted deploy (its deployer gone)', () => {
  it('status names the revision, who deployed it and that its process is gone, with the commands that finish it', async () => {
    const k = await killedDeploy();
    const s = await status(k.ctx, base());
    k.stop.abort();
    expect(s.lock).toMatchObject({
      holder: DEAD,
      gone: 'process-gone',
      command: 'slipway deploy --env dev --set-image web=sample-service:2.0.0',
    });
    expect(s.attention).toEqual([
      `interrupted: revision 2 (pending) was being deployed by ${DEAD}, whose process is gone; run \`slipway deploy --env dev\` to finish it, or \`slipway rollback --env dev\` / \`slipway abort --env dev\` to put the serving release (revision 1) back`,
    ]);
  });

  it('status says when a remote holder stopped renewing, and nothing while it still renews', async () => {
    const cluster = new MemoryCluster({ namespace: 'sample' });
    const store = new MemoryReleaseStore();
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const app = base();
    await store.create({
      app: 'sample',
      environment: 'dev',
      revision: 1,
      phase: 'pending',
      strategy: 'rolling',
      spec: app,
      overrides: [],
      images: {},
      createdAt: '',
      updatedAt: '',
      steps: [],
      deployedBy: 'alice@laptop (pid 7)',
    });
    await new DeployLock({
      cluster,
      clock,
      namespace: 'sample',
      app: 'sample',
      environment: 'dev',
      holder: 'alice@laptop (pid 7)',
      ttlSeconds: 60,
    }).acquire();
    expect((await status({ cluster, store, clock }, app)).attention).toEqual([]);
    await clock.advance(61_000);
    expect((await status({ cluster, store, clock }, app)).attention[0]).toMatch(
      /^interrupted: revision 1 \(pending\) was being deployed by alice@laptop \(pid 7\), whose lease expired at 2026-03-01T10:01:00.000Z; run `slipway deploy --env dev` to finish it, or `slipway rollback --env dev` \/ `slipway abort --env dev` to put the serving release back$/,
    );
  });

  it('abort takes the lock over, records the revision aborted, deletes its migration Job and deploys the serving release again', async () => {
    const k = await killedDeploy();
    expect(await k.image()).toBe('sample-service:2.0.0');
    const result = await abortDeploy(k.ctx, target);
    k.stop.abort();
    expect(result.outcome).toBe('restored');
    expect(result.exitCode).toBe(0);
    expect(await k.image()).toBe('sample-service:1.0.0');
    expect(await k.cluster.get(k.jobRef)).toBeUndefined();
    expect(await k.cluster.get(lockRef('sample', 'sample', 'dev'))).toBeUndefined();
    expect(await phases(k.store)).toEqual([
      [1, 'superseded', undefined],
      [2, 'aborted', undefined],
      [3, 'deployed', 1],
    ]);
    expect((await k.store.get('sample', 'dev', 2))?.message).toBe(
      `interrupted (${DEAD} stopped before it finished); aborted by test@ci (pid 1) with \`slipway abort\`, to put revision 1 back`,
    );
    const warnings = k.events.filter((e) => e.type === 'message').map((e) => (e as { text: string }).text);
    expect(warnings).toContain(
      `took over the deploy lock from ${DEAD} (\`slipway deploy --env dev --set-image web=sample-service:2.0.0\`), whose process is gone`,
    );
    expect((await status(k.ctx, base())).attention).toEqual([]);
  });

  it('rollback does the same: the release that served before the interrupted one goes back', async () => {
    const k = await killedDeploy();
    const result = await rollback(k.ctx, { app: 'sample', environment: 'dev' });
    k.stop.abort();
    expect(result.exitCode).toBe(0);
    expect(result.target).toBe(1);
    expect(result.interrupted?.removed).toEqual([`Job ${k.jobRef.name} deleted`]);
    expect(await k.image()).toBe('sample-service:1.0.0');
    expect(await k.cluster.get(k.jobRef)).toBeUndefined();
    expect(await phases(k.store)).toEqual([
      [1, 'superseded', undefined],
      [2, 'aborted', undefined],
      [3, 'deployed', 1],
    ]);
  });

  it('abort of a deploy whose holder is alive asks it through the control ConfigMap and changes nothing else', async () => {
    const k = await killedDeploy();
    await k.cluster.delete(lockRef('sample', 'sample', 'dev'));
    await new DeployLock({
      cluster: k.cluster,
      clock: systemClock,
      namespace: 'sample',
      app: 'sample',
      environment: 'dev',
      holder: 'alice@laptop (pid 7)',
    }).acquire();
    const result = await abortDeploy(k.ctx, target);
    k.stop.abort();
    expect(result).toMatchObject({
      outcome: 'requested',
      revision: 2,
      exitCode: 0,
      holder: { identity: 'alice@laptop (pid 7)' },
    });
    expect(
      (
        await k.cluster.get<KubeObject & { data: Record<string, string> }>({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'sample',
          name: 'slipway-control-sample-dev',
        })
      )?.data.abort,
    ).toBe('2');
    expect(await k.image()).toBe('sample-service:2.0.0');
    expect((await phases(k.store)).at(-1)).toEqual([2, 'pending', undefined]);
  });
});

describe('rollback target when the latest release never served', () => {
  const r = (revision: number, phase: Release['phase'], strategy: Release['strategy'] = 'rolling') =>
    ({ revision, phase, strategy }) as Release;
  it.each([
    [[r(1, 'superseded'), r(2, 'deployed', 'blue-green'), r(3, 'pending', 'canary')], 2, 'blue-green'],
    [[r(1, 'superseded'), r(2, 'deployed'), r(3, 'failed')], 2, 'rolling'],
    [[r(1, 'deployed'), r(2, 'aborted'), r(3, 'pending')], 1, 'rolling'],
  ])('%j restores revision %s (%s)', (history, revision, strategy) => {
    const t = rollbackTarget(history, { environment: 'dev' });
    expect(t.target.revision).toBe(revision);
    expect(t.strategy).toBe(strategy);
  });
  it('an interrupted first release has nothing to go back to', () => {
    expect(() => rollbackTarget([r(1, 'pending')], { environment: 'dev' })).toThrow(
      'revision 1 (pending) was the first release: nothing served before it',
    );
  });
});
