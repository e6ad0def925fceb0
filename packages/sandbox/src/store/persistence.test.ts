import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResourceType } from '../types.js';
import { bootstrapCluster } from './bootstrap.js';
import { MemoryStore } from './memory-store.js';
import { loadState, persistTo } from './persistence.js';

const configmaps: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};
const services: ResourceType = {
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  namespaced: true,
};
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('--data-dir persistence', () => {
  it('restores objects with their identity, keeps versions rising, and expires old watches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-store-'));
    dirs.push(dir);
    const first = new MemoryStore();
    const stopBootstrap = bootstrapCluster(first);
    const stop = persistTo(first, dir);
    const cm = first.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kept' },
      data: { a: '1' },
    });
    const svc = first.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'svc' },
      spec: { ports: [{ port: 80 }] },
    });
    stop();
    stopBootstrap();

    const second = new MemoryStore();
    expect(loadState(second, dir)).toBe(true);
    const restored = second.get(configmaps, 'default', 'kept');
    expect(restored?.metadata.uid).toBe(cm.metadata.uid);
    expect(restored?.metadata.resourceVersion).toBe(cm.metadata.resourceVersion);
    const next = second.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'other' },
      spec: { ports: [{ port: 80 }] },
    });
    expect(Number(next.metadata.resourceVersion)).toBeGreaterThan(Number(cm.metadata.resourceVersion));
    expect((next.spec as { clusterIP: string }).clusterIP).not.toBe(
      (svc.spec as { clusterIP: string }).clusterIP,
    );
    expect(second.get(services, 'default', 'svc')).toBeDefined();
    expect(() =>
      second.watch(configmaps, 'default', { resourceVersion: cm.metadata.resourceVersion }, () => {}),
    ).toThrow(expect.objectContaining({ status: 410 }));
  });
});
