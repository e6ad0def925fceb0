/**
 * The deploy flow on the in-memory cluster, where the test plays the Deployment and Job
 * controllers: migration failure, failed analysis, a held lock, an interrupted deploy.
 */
import type { KubeObject } from '@slipway/kube';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { systemClock } from '../../src/engine/clock.js';
import { deploy } from '../../src/engine/deploy.js';
import { DeployLock } from '../../src/engine/lock.js';
import { applyOverrides } from '../../src/engine/overrides.js';
import { UserError } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/parse.js';
import { forceGc } from '../helpers/gc.js';
import { memoryEngine } from './helpers/engine.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';
import type { ResolvedApp } from '../../src/spec/resolved.js';

const SPEC = 'examples/sample-service/slipway.yaml';
const base = (): ResolvedApp => {
  const app = resolveEnvironment(parseSpec(readFileSync(SPEC, 'utf8'), SPEC), 'dev');
  delete app.deploy.analysis;
  return app;
};

/** Plays the Job controller for the migration Job (whose name carries a hash): fails it and leaves a pod with a log. */
function failingJobController(cluster: MemoryCluster, signal: AbortSignal): void {
  void (async () => {
    let job: KubeObject | undefined;
    while (!job && !signal.aborted) {
      job = (await cluster.list<KubeObject>({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'sample' }))
        .items[0];
      if (!job) await new Promise((r) => setTimeout(r, 10));
    }
    if (!job) return;
    const pod = `${job.metadata.name}-k2x9q`;
    await cluster.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod,
        namespace: 'sample',
        labels: { 'batch.kubernetes.io/job-name': job.metadata.name! },
      },
    });
    cluster.logs.set(
      `sample/${pod}`,
      'applying 0042_add_orders.sql\nERROR: relation "customers" does not exist\n',
    );
    await cluster.replace({
      ...job,
      status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
    });
  })();
}

const setup = memoryEngine;

/** The image the sample-web Deployment's pod template names now. */
async function imageOf(cluster: MemoryCluster): Promise<string | undefined> {
  const d = await cluster.get<
    KubeObject & { spec: { template: { spec: { containers: Array<{ image: string }> } } } }
  >({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'sample', name: 'sample-web' });
  return d?.spec.template.spec.containers[0]?.image;
}

const withImage = (tag: string, app = base()) => applyOverrides(app, [], [`web=sample-service:${tag}`]);

/** The deploy lock of sample/dev as another user holds it. */
const aliceLock = (cluster: MemoryCluster) =>
  new DeployLock({
    cluster,
    clock: systemClock,
    namespace: 'sample',
    app: 'sample',
    environment: 'dev',
    holder: 'alice@laptop (pid 7)',
  });

describe('deploy on the in-memory cluster', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? 200 : 500;
      res.end(req.url === '/healthz' ? 'ok' : 'boom');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('a failing migration: nothing switched, the Job log in the message, exit 1', async () => {
    const { ctx, cluster, store, stop } = setup();
    await deploy(ctx, withImage('1.0.0'));
    const app = withImage('2.0.0').app;
    app.services.web!.migrations = { command: ['npm', 'run', 'migrate'] };
    failingJobController(cluster, stop.signal);
    const result = await deploy(ctx, { app, overrides: [] });
    stop.abort();
    expect(result.exitCode).toBe(1);
    expect(result.message).toContain('ERROR: relation "customers" does not exist');
    expect(await imageOf(cluster)).toBe('sample-service:1.0.0');
    expect((await store.list('sample', 'dev')).map((r) => r.phase)).toEqual(['deployed', 'rolled-back']);
  });

  it('a failed HTTP analysis rolls back to the previous release with the measurements recorded', async () => {
    const { ctx, cluster, store, stop, events } = setup();
    await deploy(ctx, withImage('1.0.0'));
    const app = withImage('2.0.0').app;
    app.deploy.analysis = { smoke: { http: { url: `${url}/checkout` } } };
    const result = await deploy(ctx, { app, overrides: [] });
    stop.abort();
    expect(result.outcome).toBe('rolled-back');
    expect(result.exitCode).toBe(1);
    expect(result.analysis[0]).toMatchObject({
      name: 'smoke',
      phase: 'failed',
      resolved: { url: `${url}/checkout` },
    });
    expect(result.release?.analysis).toHaveLength(1);
    expect(events.some((e) => e.type === 'measurement' && e.analysis === 'smoke')).toBe(true);
    expect(await imageOf(cluster)).toBe('sample-service:1.0.0');
    expect((await store.deployed('sample', 'dev'))?.revision).toBe(1);
  });

  it('the first analysis that fails stops the others, so the rollback starts at once', async () => {
    const { ctx, stop } = setup();
    await deploy(ctx, withImage('1.0.0'));
    const app = withImage('2.0.0').app;
    app.deploy.analysis = {
      smoke: { http: { url: `${url}/checkout` } },
      soak: { http: { url: `${url}/healthz` }, count: 5, interval: '30s' },
    };
    // soak would take 5 × 30 s, longer than the test may run: only stopping it ends the deploy in time.
    const result = await deploy(ctx, { app, overrides: [] });
    stop.abort();
    expect(result.outcome).toBe('rolled-back');
    expect(result.analysis.map((a) => [a.name, a.phase])).toEqual([
      ['smoke', 'failed'],
      ['soak', 'inconclusive'],
    ]);
    expect(result.analysis[1]?.message).toContain('another analysis did not pass');
  });

  it('a passing analysis deploys; the previous release is superseded', async () => {
    const { ctx, store, stop } = setup();
    await deploy(ctx, withImage('1.0.0'));
    const app = withImage('2.0.0').app;
    app.deploy.analysis = { smoke: { http: { url: `${url}/healthz`, body: 'ok' } } };
    const result = await deploy(ctx, { app, overrides: [] });
    stop.abort();
    expect(result.outcome).toBe('deployed');
    expect((await store.list('sample', 'dev')).map((r) => r.phase)).toEqual(['superseded', 'deployed']);
  });

  it('the first release failing has nothing to roll back to: exit 3', async () => {
    const { ctx, stop } = setup();
    const result = await deploy(ctx, withImage('broken'));
    stop.abort();
    expect(result.outcome).toBe('failed');
    expect(result.exitCode).toBe(3);
    expect(result.message).toMatch(/progress deadline.*first release/);
  });

  it('a rollout that never completes ends at the deploy timeout, garbage collections notwithstanding: rolled back, exit 1', async () => {
    const { ctx, cluster, store, stop } = setup();
    await deploy(ctx, withImage('1.0.0'));
    let running = true;
    const deploying = deploy(ctx, { ...withImage('stuck'), timeoutMs: 1000 }).finally(
      () => (running = false),
    );
    while (running) {
      await forceGc();
      await new Promise((r) => setTimeout(r, 50));
    }
    const result = await deploying;
    stop.abort();
    expect(result.outcome).toBe('rolled-back');
    expect(result.exitCode).toBe(1);
    expect(result.message).toContain('the deploy timeout ran out (1s)');
    expect(await imageOf(cluster)).toBe('sample-service:1.0.0');
    expect((await store.list('sample', 'dev')).map((r) => r.phase)).toEqual(['deployed', 'rolled-back']);
  });

  it('rolling: a background analysis that fails while the rollout is still going undoes it at once, long before the timeout', async () => {
    const { ctx, cluster, store, stop } = setup();
    await deploy(ctx, withImage('1.0.0'));
    const app = withImage('stuck').app;
    // The rollout never completes (:stuck) and the timeout is 10 min: only the background analysis can end it.
    app.deploy.timeout = '10m';
    app.deploy.analysis = {
      errors: { http: { url: `${url}/checkout` }, interval: '100ms', phase: 'background' },
    };
    const result = await deploy(ctx, { app, overrides: [] });
    stop.abort();
    expect(result.outcome).toBe('rolled-back');
    expect(result.exitCode).toBe(1);
    expect(result.message).toMatch(/^background analysis errors failed/);
    expect(result.analysis.map((a) => [a.name, a.phase])).toEqual([['errors', 'failed']]);
    expect(await imageOf(cluster)).toBe('sample-service:1.0.0');
    expect((await store.list('sample', 'dev')).map((r) => r.phase)).toEqual(['deployed', 'rolled-back']);
  });

  it('rolling: a passing background analysis runs beside the rollout and is recorded with the post-rollout one', async () => {
    const { ctx, stop } = setup();
    await deploy(ctx, withImage('1.0.0'));
    const app = withImage('2.0.0').app;
    app.deploy.analysis = {
      errors: { http: { url: `${url}/healthz` }, interval: '100ms', phase: 'background' },
      smoke: { http: { url: `${url}/healthz` } },
    };
    const result = await deploy(ctx, { app, overrides: [] });
    stop.abort();
    expect(result.outcome).toBe('deployed');
    expect(result.analysis.map((a) => [a.name, a.phase])).toEqual([
      ['smoke', 'successful'],
      ['errors', 'successful'],
    ]);
    expect(result.analysis[1]?.measurements.length).toBeGreaterThan(0);
  });

  it('a deploy held by someone else is refused before anything is written', async () => {
    const { ctx, cluster, store, stop } = setup();
    await aliceLock(cluster).acquire();
    const err = await deploy(ctx, withImage('1.0.0')).catch((e: unknown) => e);
    stop.abort();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain('being deployed by alice@laptop (pid 7)');
    expect((err as UserError).exitCode).toBe(1);
    expect(await store.list('sample', 'dev')).toEqual([]);
  });

  it('the endpoint Secrets of deploy --infra-outputs are applied under the lock: none while another deploy holds it', async () => {
    const { ctx, cluster, stop } = setup();
    const endpoint: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sample-db-managed', namespace: 'sample' },
      stringData: { url: 'postgresql://db.example:5432/sample?sslmode=require' },
    };
    const ref = { apiVersion: 'v1', kind: 'Secret', namespace: 'sample', name: 'sample-db-managed' };
    const other = aliceLock(cluster);
    await other.acquire();
    const refused = await deploy(ctx, { ...withImage('1.0.0'), endpoints: [endpoint] }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UserError);
    expect(await cluster.get(ref)).toBeUndefined();
    await other.release();
    const result = await deploy(ctx, { ...withImage('1.0.0'), endpoints: [endpoint] });
    stop.abort();
    expect(result.outcome).toBe('deployed');
    expect(await cluster.get(ref)).toMatchObject({ stringData: endpoint.stringData });
  });

  it('a pending record left by a killed deploy is marked aborted by the next one, which converges', async () => {
    const { ctx, store, stop } = setup();
    await deploy(ctx, withImage('1.0.0'));
    const deployed = (await store.deployed('sample', 'dev'))!;
    await store.create({
      ...deployed,
      revision: 2,
      phase: 'pending',
      images: { web: 'sample-service:2.0.0' },
    });
    const result = await deploy(ctx, withImage('2.0.0'));
    stop.abort();
    expect(result.outcome).toBe('deployed');
    expect((await store.list('sample', 'dev')).map((r) => [r.revision, r.phase])).toEqual([
      [1, 'superseded'],
      [2, 'aborted'],
      [3, 'deployed'],
    ]);
  });

  it('a deploy killed between recording itself deployed and superseding its predecessor leaves two deployed; the next deploy supersedes both', async () => {
    const { ctx, store, stop } = setup();
    await deploy(ctx, withImage('1.0.0'));
    const first = (await store.deployed('sample', 'dev'))!;
    // What a SIGKILL right after finish('deployed') leaves: revision 2 deployed, revision 1 still deployed too.
    await store.create({ ...first, revision: 2, images: { web: 'sample-service:2.0.0' } });
    const result = await deploy(ctx, withImage('3.0.0'));
    stop.abort();
    expect(result.outcome).toBe('deployed');
    expect((await store.list('sample', 'dev')).map((r) => [r.revision, r.phase])).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'deployed'],
    ]);
  });
});
