/**
 * The first blue-green deploy after a rolling (or canary) release: the active Service selects the
 * plain Deployment's pods by the service's base labels, which the new colour's pods carry too. Until
 * the switch, the Service must be narrowed to the serving ReplicaSet (pod-template-hash), so the new
 * colour takes no request before promotion; a failure deletes the new colour before the base
 * selector comes back (test/e2e/deploy-switch-matrix.test.ts: under load, with real pods, no request
 * reaches a crashing first colour). The in-memory cluster stands in for the API server, the test plays the
 * Deployment controller (ReplicaSets with their pod-template-hash) and the Endpoints controller.
 */
import type { KubeObject } from '@slipway/kube';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { systemClock } from '../../src/engine/clock.js';
import type { EngineContext } from '../../src/engine/context.js';
import { controlRef, requestControl } from '../../src/engine/control.js';
import { deploy } from '../../src/engine/deploy.js';
import { applyOverrides } from '../../src/engine/overrides.js';
import { MemoryReleaseStore } from '../../src/engine/releases/memory.js';
import type { Strategy } from '../../src/engine/releases/release.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';
import type { ResolvedApp } from '../../src/spec/resolved.js';
import { deploymentController, endpointsController } from './helpers/controllers.js';

const SPEC = 'examples/sample-service/slipway.yaml';
const NS = 'sample';

const app = (tag: string, strategy: Strategy, autoPromote = true): ResolvedApp => {
  const a = resolveEnvironment(parseSpec(readFileSync(SPEC, 'utf8'), SPEC), 'dev');
  delete a.deploy.analysis;
  a.deploy.strategy = strategy;
  a.deploy.scaleDownDelay = '0s';
  a.deploy.autoPromote = autoPromote;
  return applyOverrides(a, [], [`web=sample-service:${tag}`]).app;
};

type Service = KubeObject & { spec: { selector: Record<string, string> } };
type Endpoints = KubeObject & { subsets?: Array<{ addresses: unknown[] }> };

const stops: AbortController[] = [];
afterEach(() => stops.splice(0).forEach((s) => s.abort()));

function world() {
  const cluster = new MemoryCluster({ namespace: NS });
  const stop = new AbortController();
  stops.push(stop);
  for (const name of ['sample-web', 'sample-web-blue', 'sample-web-green'])
    deploymentController(cluster, name, stop.signal);
  endpointsController(cluster, NS, stop.signal);
  const ctx: EngineContext = {
    cluster,
    store: new MemoryReleaseStore(),
    clock: systemClock,
    holder: 'test@ci (pid 1)',
    emit: () => undefined,
  };
  const service = () =>
    cluster.get<Service>({ apiVersion: 'v1', kind: 'Service', namespace: NS, name: 'sample-web' });
  /** Ready addresses behind the active Service (one per available replica its selector reaches). */
  const addresses = async () =>
    (
      await cluster.get<Endpoints>({ apiVersion: 'v1', kind: 'Endpoints', namespace: NS, name: 'sample-web' })
    )?.subsets?.reduce((n, s) => n + s.addresses.length, 0) ?? 0;
  const until = async (what: () => Promise<boolean>) => {
    for (let i = 0; i < 2000 && !(await what()); i++) await new Promise((r) => setTimeout(r, 5));
  };
  return { cluster, ctx, service, addresses, until };
}

describe('the first blue-green deploy after a rolling release', () => {
  it('narrows the active Service to the serving pods until the switch: the new colour takes no request while promotion waits', async () => {
    const w = world();
    expect((await deploy(w.ctx, { app: app('1.0.0', 'rolling'), overrides: [] })).outcome).toBe('deployed');
    await w.until(async () => (await w.addresses()) > 0);
    const serving = await w.addresses();
    const base = (await w.service())!.spec.selector;
    expect(base['pod-template-hash']).toBeUndefined();

    // autoPromote: false holds the deploy between the new colour ready and the switch.
    const running = deploy(w.ctx, { app: app('2.0.0', 'blue-green', false), overrides: [] });
    const preview = () =>
      w.cluster.get<Endpoints>({
        apiVersion: 'v1',
        kind: 'Endpoints',
        namespace: NS,
        name: 'sample-web-preview',
      });
    await w.until(async () => ((await preview())?.subsets?.length ?? 0) > 0);
    const pinned = (await w.service())!.spec.selector;
    expect(pinned).toEqual({ ...base, 'pod-template-hash': expect.any(String) });
    // Only the plain Deployment's replicas answer behind the Service: none of the new colour's.
    await new Promise((r) => setTimeout(r, 50));
    expect(await w.addresses()).toBe(serving);

    await requestControl(w.cluster, controlRef(NS, 'sample', 'dev'), 'promote', 2, 'test', new Date());
    expect((await running).outcome).toBe('deployed');
    // The switch is a server-side apply without the pin: the colour selector alone.
    expect((await w.service())!.spec.selector).toEqual({ ...base, 'slipway.dev/colour': 'blue' });
  });

  it('a first colour that never becomes available: deleted before the Service selects by the base labels again', async () => {
    const w = world();
    await deploy(w.ctx, { app: app('1.0.0', 'rolling'), overrides: [] });
    await w.until(async () => (await w.addresses()) > 0);
    const base = (await w.service())!.spec.selector;
    const colour = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'sample-web-blue' };
    // Each write of the active Service that selects by the base labels alone (no pin, no colour):
    // did the new colour's Deployment still exist then?
    const baseWrites: boolean[] = [];
    const cluster = new Proxy(w.cluster, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'apply') return typeof v === 'function' ? v.bind(target) : v;
        return async (objects: KubeObject[], opts: never) => {
          for (const o of objects) {
            const selector = (o as Service).spec?.selector ?? {};
            if (
              o.kind === 'Service' &&
              o.metadata.name === 'sample-web' &&
              JSON.stringify(selector) === JSON.stringify(base)
            )
              baseWrites.push((await target.get(colour)) !== undefined);
          }
          return target.apply(objects, opts);
        };
      },
    });
    const result = await deploy({ ...w.ctx, cluster }, { app: app('broken', 'blue-green'), overrides: [] });
    expect(result.outcome).toBe('rolled-back');
    expect((await w.service())!.spec.selector).toEqual(base);
    expect(await w.cluster.get(colour)).toBeUndefined();
    // The revert wrote the base selector back, and only once the colour was gone.
    expect(baseWrites.length).toBeGreaterThan(0);
    expect(baseWrites).not.toContain(true);
  });
});
