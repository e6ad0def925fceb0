/**
 * The behaviour every Cluster implementation shows, run against the in-memory fake and against
 * the client-node implementation talking to a real API server (the sandbox). When the fake and the
 * server disagree, this suite says so, and the fake is what changes.
 */
import type { KubeObject } from '@slipway/kube';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError, isClusterError, type Cluster } from '../../src/cluster/cluster.js';

export interface ContractTarget {
  cluster: Cluster;
  teardown?: () => Promise<void>;
}

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

let counter = 0;
function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

function configMap(
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

const cmRef = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name });

export function clusterContract(label: string, setup: () => Promise<ContractTarget | undefined>): void {
  describe(`Cluster contract: ${label}`, () => {
    let target: ContractTarget | undefined;
    let c: Cluster;
    beforeAll(async () => {
      target = await setup();
      if (target) c = target.cluster;
    });
    afterAll(async () => {
      await target?.teardown?.();
    });
    /** Each case skips (visibly, in the report) when the setup could not provide a cluster. */
    const check = (name: string, fn: () => Promise<void>): void => {
      it(name, async (ctx) => {
        if (!target) return ctx.skip();
        await fn();
      });
    };

    check('apply creates, then updates in place (same uid, new resourceVersion)', async () => {
      const name = uniqueName('apply');
      const [created] = await c.apply([configMap(name, { a: '1' })], { fieldManager: 'slipway' });
      expect(created?.metadata.uid).toBeTruthy();
      expect(created?.metadata.namespace).toBe(c.namespace);
      const [updated] = await c.apply([configMap(name, { a: '2' })], { fieldManager: 'slipway' });
      expect(updated?.metadata.uid).toBe(created?.metadata.uid);
      expect(updated?.metadata.resourceVersion).not.toBe(created?.metadata.resourceVersion);
      const live = await c.get<ConfigMap>(cmRef(name));
      expect(live?.data).toEqual({ a: '2' });
    });

    check('apply with dryRun returns the result without persisting it', async () => {
      const name = uniqueName('dry');
      const [result] = await c.apply([configMap(name, { a: '1' })], {
        fieldManager: 'slipway',
        dryRun: true,
      });
      expect((result as ConfigMap).data).toEqual({ a: '1' });
      expect(await c.get(cmRef(name))).toBeUndefined();
    });

    check('apply removes fields the same manager stopped applying', async () => {
      const name = uniqueName('prune');
      await c.apply([configMap(name, { a: '1', b: '2' }, { keep: 'yes', drop: 'yes' })], {
        fieldManager: 'slipway',
      });
      await c.apply([configMap(name, { a: '1' }, { keep: 'yes' })], { fieldManager: 'slipway' });
      const live = await c.get<ConfigMap>(cmRef(name));
      expect(live?.data).toEqual({ a: '1' });
      expect(live?.metadata.labels).toEqual({ keep: 'yes' });
    });

    check('apply conflicts on a field another manager owns, unless forced', async () => {
      const name = uniqueName('conflict');
      await c.apply([configMap(name, { a: '1' })], { fieldManager: 'slipway' });
      const err = await c
        .apply([configMap(name, { a: '2' })], { fieldManager: 'someone-else' })
        .catch((e: unknown) => e);
      expect(isClusterError(err, 'Conflict')).toBe(true);
      const [forced] = await c.apply([configMap(name, { a: '2' })], {
        fieldManager: 'someone-else',
        force: true,
      });
      expect((forced as ConfigMap).data).toEqual({ a: '2' });
    });

    check('create refuses a taken name with AlreadyExists', async () => {
      const name = uniqueName('create');
      await c.create(configMap(name, { a: '1' }));
      const err = await c.create(configMap(name, { a: '1' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterError);
      expect((err as ClusterError).reason).toBe('AlreadyExists');
    });

    check(
      'replace with a stale resourceVersion is a Conflict; with the current one it succeeds',
      async () => {
        const name = uniqueName('cas');
        const created = await c.create(configMap(name, { a: '1' }));
        const first = await c.replace({ ...created, data: { a: '2' } });
        const stale = await c.replace({ ...created, data: { a: '3' } }).catch((e: unknown) => e);
        expect(isClusterError(stale, 'Conflict')).toBe(true);
        const second = await c.replace({ ...first, data: { a: '4' } });
        expect((second as ConfigMap).data).toEqual({ a: '4' });
      },
    );

    check('get returns undefined for a missing object', async () => {
      expect(await c.get(cmRef(uniqueName('missing')))).toBeUndefined();
    });

    check('list filters by label selector, as a map or as a string', async () => {
      const app = uniqueName('sel');
      await c.apply(
        [
          configMap(`${app}-a`, {}, { app, tier: 'web' }),
          configMap(`${app}-b`, {}, { app, tier: 'api' }),
          configMap(`${app}-c`, {}, { app: `${app}-other`, tier: 'web' }),
        ],
        { fieldManager: 'slipway' },
      );
      const names = (items: KubeObject[]) => items.map((i) => i.metadata.name).sort();
      expect(
        names((await c.list({ apiVersion: 'v1', kind: 'ConfigMap' }, { labelSelector: { app } })).items),
      ).toEqual([`${app}-a`, `${app}-b`]);
      expect(
        names(
          (
            await c.list(
              { apiVersion: 'v1', kind: 'ConfigMap' },
              { labelSelector: `app=${app},tier in (api)` },
            )
          ).items,
        ),
      ).toEqual([`${app}-b`]);
      expect(
        names(
          (await c.list({ apiVersion: 'v1', kind: 'ConfigMap' }, { labelSelector: `app=${app},tier!=api` }))
            .items,
        ),
      ).toEqual([`${app}-a`]);
      const all = await c.list({ apiVersion: 'v1', kind: 'ConfigMap' }, { labelSelector: { app } });
      expect(all.resourceVersion).not.toBe('');
      expect(all.items.every((i) => i.kind === 'ConfigMap' && i.apiVersion === 'v1')).toBe(true);
    });

    check(
      'delete reports whether the object existed, and honours a resourceVersion precondition',
      async () => {
        const name = uniqueName('del');
        const created = await c.create(configMap(name, { a: '1' }));
        await c.replace({ ...created, data: { a: '2' } });
        const guarded = await c
          .delete(cmRef(name), { resourceVersion: created.metadata.resourceVersion })
          .catch((e: unknown) => e);
        expect(isClusterError(guarded, 'Conflict')).toBe(true);
        expect(await c.delete(cmRef(name))).toBe(true);
        expect(await c.get(cmRef(name))).toBeUndefined();
        expect(await c.delete(cmRef(name))).toBe(false);
      },
    );

    check('patch: merge (null deletes a key) and JSON patch', async () => {
      const name = uniqueName('patch');
      await c.create(configMap(name, { a: '1', b: '2' }));
      const merged = await c.patch<ConfigMap>(cmRef(name), { data: { b: null, c: '3' } }, 'merge');
      expect(merged.data).toEqual({ a: '1', c: '3' });
      const patched = await c.patch<ConfigMap>(
        cmRef(name),
        [{ op: 'replace', path: '/data/a', value: '9' }],
        'json',
      );
      expect(patched.data).toEqual({ a: '9', c: '3' });
      const missing = await c
        .patch(cmRef(uniqueName('nope')), { data: {} }, 'merge')
        .catch((e: unknown) => e);
      expect(isClusterError(missing, 'NotFound')).toBe(true);
    });

    check(
      'Leases in coordination.k8s.io/v1 are created and compare-and-swapped like any object',
      async () => {
        const name = uniqueName('lease');
        const lease = await c.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name },
          spec: { holderIdentity: 'a', leaseDurationSeconds: 30 },
        });
        const taken = await c.replace({ ...lease, spec: { holderIdentity: 'b', leaseDurationSeconds: 30 } });
        const lost = await c
          .replace({ ...lease, spec: { holderIdentity: 'c', leaseDurationSeconds: 30 } })
          .catch((e: unknown) => e);
        expect(isClusterError(lost, 'Conflict')).toBe(true);
        expect((taken.spec as { holderIdentity: string }).holderIdentity).toBe('b');
      },
    );

    check('watch resolves at once when the condition already holds', async () => {
      const name = uniqueName('now');
      await c.create(configMap(name, { ready: 'yes' }));
      const got = await c.watch<ConfigMap>(
        cmRef(name),
        (o) => o?.data?.ready === 'yes',
        AbortSignal.timeout(10_000),
      );
      expect(got?.metadata.name).toBe(name);
    });

    check('watch waits for creation, a later change, and deletion', async () => {
      const name = uniqueName('watch');
      const created = c.watch<ConfigMap>(cmRef(name), (o) => o !== undefined, AbortSignal.timeout(10_000));
      await new Promise((r) => setTimeout(r, 100));
      await c.create(configMap(name, { ready: 'no' }));
      expect((await created)?.data).toEqual({ ready: 'no' });

      const ready = c.watch<ConfigMap>(
        cmRef(name),
        (o) => o?.data?.ready === 'yes',
        AbortSignal.timeout(10_000),
      );
      await new Promise((r) => setTimeout(r, 100));
      await c.patch(cmRef(name), { data: { ready: 'yes' } }, 'merge');
      expect((await ready)?.data?.ready).toBe('yes');

      const gone = c.watch(cmRef(name), (o) => o === undefined, AbortSignal.timeout(10_000));
      await new Promise((r) => setTimeout(r, 100));
      await c.delete(cmRef(name));
      expect(await gone).toBeUndefined();
    });

    check('watch rejects with the abort reason, and with the error the condition throws', async () => {
      const name = uniqueName('abort');
      await c.create(configMap(name, { state: 'waiting' }));
      const controller = new AbortController();
      const waiting = c.watch(cmRef(name), () => false, controller.signal);
      controller.abort(new Error('deadline passed'));
      await expect(waiting).rejects.toThrow('deadline passed');

      const failing = c.watch<ConfigMap>(
        cmRef(name),
        (o) => {
          if (o?.data?.state === 'failed') throw new Error('rollout failed');
          return false;
        },
        AbortSignal.timeout(10_000),
      );
      await new Promise((r) => setTimeout(r, 100));
      await c.patch(cmRef(name), { data: { state: 'failed' } }, 'merge');
      await expect(failing).rejects.toThrow('rollout failed');
    });

    check(
      'watchList sees the matching objects: at once, then as they are created, changed and deleted; others never',
      async () => {
        const group = uniqueName('grp');
        const selector = { group };
        await c.create(configMap(uniqueName('a'), { n: '1' }, { group }));
        await c.create(configMap(uniqueName('other'), { n: '9' }, { group: 'elsewhere' }));
        const now = await c.watchList<ConfigMap>(
          { apiVersion: 'v1', kind: 'ConfigMap' },
          { labelSelector: selector },
          (items) => items.length === 1,
          AbortSignal.timeout(10_000),
        );
        expect(now.map((o) => o.data)).toEqual([{ n: '1' }]);
        expect(now[0]?.kind).toBe('ConfigMap');

        const second = uniqueName('b');
        const seen: number[] = [];
        const two = c.watchList<ConfigMap>(
          { apiVersion: 'v1', kind: 'ConfigMap' },
          { labelSelector: `group=${group}` },
          (items) => (seen.push(items.length), items.some((o) => o.data?.n === '2')),
          AbortSignal.timeout(10_000),
        );
        await c.create(configMap(second, { n: '0' }, { group }));
        await c.patch(cmRef(second), { data: { n: '2' } }, 'merge');
        expect((await two).length).toBe(2);
        expect(Math.max(...seen)).toBe(2);

        const fewer = c.watchList<ConfigMap>(
          { apiVersion: 'v1', kind: 'ConfigMap' },
          { labelSelector: selector },
          (items) => items.length === 1,
          AbortSignal.timeout(10_000),
        );
        await c.delete(cmRef(second));
        expect((await fewer).map((o) => o.data?.n)).toEqual(['1']);
      },
    );

    check('watchList rejects with what the condition throws and with the abort reason', async () => {
      const group = uniqueName('grp');
      const failing = c.watchList<ConfigMap>(
        { apiVersion: 'v1', kind: 'ConfigMap' },
        { labelSelector: { group } },
        (items) => {
          if (items.some((o) => o.data?.state === 'CrashLoopBackOff')) throw new Error('a pod crashed');
          return false;
        },
        AbortSignal.timeout(10_000),
      );
      await c.create(configMap(uniqueName('pod'), { state: 'CrashLoopBackOff' }, { group }));
      await expect(failing).rejects.toThrow('a pod crashed');
      const controller = new AbortController();
      const waiting = c.watchList(
        { apiVersion: 'v1', kind: 'ConfigMap' },
        { labelSelector: { group } },
        () => false,
        controller.signal,
      );
      controller.abort(new Error('deadline passed'));
      await expect(waiting).rejects.toThrow('deadline passed');
    });

    check('podLogs of a missing pod is NotFound', async () => {
      const err = await c.podLogs({ name: uniqueName('no-pod') }).catch((e: unknown) => e);
      expect(isClusterError(err, 'NotFound')).toBe(true);
    });
  });
}
