/** The behaviour every ReleaseStore driver shows (Helm tests its drivers against one set of cases too). */
import { describe, expect, it } from 'vitest';
import type { Release } from '../../../src/engine/releases/release.js';
import type { ReleaseStore } from '../../../src/engine/releases/store.js';
import { UserError } from '../../../src/errors.js';
import type { ResolvedApp } from '../../../src/spec/resolved.js';

export function sampleRelease(
  revision: number,
  phase: Release['phase'],
  over: Partial<Release> = {},
): Release {
  const spec: ResolvedApp = {
    app: 'shop',
    environment: 'staging',
    namespace: 'shop',
    approval: 'none',
    services: { api: { image: 'ghcr.io/acme/shop-api', port: 8080, replicas: 2 } },
    dependencies: {},
    deploy: { strategy: 'blue-green' },
    backups: {},
    environments: ['staging'],
  };
  return {
    app: 'shop',
    environment: 'staging',
    revision,
    phase,
    strategy: 'blue-green',
    spec,
    overrides: [{ path: 'services.api.env.ERROR_RATE', value: '0.05' }],
    images: { api: `ghcr.io/acme/shop-api:v${revision}` },
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    steps: [
      {
        step: 'render',
        startedAt: '2026-01-01T00:00:00Z',
        finishedAt: '2026-01-01T00:00:00.120Z',
        durationMs: 120,
        outcome: 'ok',
      },
    ],
    ...over,
  };
}

export function releaseStoreContract(label: string, make: () => ReleaseStore | Promise<ReleaseStore>): void {
  describe(`ReleaseStore contract: ${label}`, () => {
    it('creates, reads back exactly, and refuses a second record of the same revision', async () => {
      const store = await make();
      const r1 = sampleRelease(1, 'pending');
      await store.create(r1);
      expect(await store.get('shop', 'staging', 1)).toEqual(r1);
      const err = await store.create(r1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).code).toBe('release-exists');
    });

    it('updates a record in place; updating a missing one is an error', async () => {
      const store = await make();
      await store.create(sampleRelease(1, 'pending'));
      const done = sampleRelease(1, 'deployed', { updatedAt: '2026-01-01T00:01:00Z' });
      await store.update(done);
      expect((await store.get('shop', 'staging', 1))?.phase).toBe('deployed');
      await expect(store.update(sampleRelease(7, 'deployed'))).rejects.toThrow(/does not exist/);
    });

    it('lists oldest first, per app and environment; latest and deployed pick the right revision', async () => {
      const store = await make();
      await store.create(sampleRelease(1, 'superseded'));
      await store.create(sampleRelease(2, 'deployed'));
      await store.create(sampleRelease(3, 'rolled-back'));
      await store.create(sampleRelease(1, 'deployed', { environment: 'production' }));
      await store.create(sampleRelease(1, 'deployed', { app: 'blog' }));
      expect((await store.list('shop', 'staging')).map((r) => r.revision)).toEqual([1, 2, 3]);
      expect((await store.latest('shop', 'staging'))?.revision).toBe(3);
      expect((await store.deployed('shop', 'staging'))?.revision).toBe(2);
      expect((await store.list('shop', 'production')).map((r) => r.revision)).toEqual([1]);
    });

    it('answers empty for an app never deployed', async () => {
      const store = await make();
      expect(await store.list('nothing', 'staging')).toEqual([]);
      expect(await store.latest('nothing', 'staging')).toBeUndefined();
      expect(await store.deployed('nothing', 'staging')).toBeUndefined();
      expect(await store.get('nothing', 'staging', 1)).toBeUndefined();
    });

    it('orders revisions numerically, not as strings (v10 after v9)', async () => {
      const store = await make();
      for (const rev of [9, 10, 2]) await store.create(sampleRelease(rev, 'superseded'));
      expect((await store.list('shop', 'staging')).map((r) => r.revision)).toEqual([2, 9, 10]);
      expect((await store.latest('shop', 'staging'))?.revision).toBe(10);
    });
  });
}
