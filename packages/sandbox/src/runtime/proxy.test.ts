import type { KubeObject } from '@slipway/kube';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kinds } from '../controllers/objects.js';
import { startHarness, until, type Harness } from '../../testing/harness.js';
import { get } from '../../testing/http.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A sample-service pod that is ready while `flag` exists (a real exec readiness probe). */
function pod(name: string, version: string, flag: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: {
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: 'app',
          image: `sample-service:${version}`,
          ports: [{ containerPort: 8080 }],
          readinessProbe: { exec: { command: ['test', '-f', flag] }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    },
  };
}

describe('Service proxy', () => {
  it('round-robins over ready pods and stops sending new connections to a pod the moment it is not ready or terminating', async () => {
    h = startHarness();
    const dir = mkdtempSync(join(tmpdir(), 'slipway-proxy-'));
    const [flagA, flagB] = [join(dir, 'a'), join(dir, 'b')];
    writeFileSync(flagA, '');
    writeFileSync(flagB, '');
    h.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    h.apply(pod('a', 'a', flagA));
    h.apply(pod('b', 'b', flagB));
    const k = kinds(h.store);
    const ready = (name: string) => h?.runtime.kubelet.worker('default', name)?.isReady() ?? false;
    const readyAddresses = () =>
      (
        (h?.store.get(k.endpoints, 'default', 'web')?.subsets as { addresses?: unknown[] }[] | undefined)?.[0]
          ?.addresses ?? []
      ).length;
    await until('both ready in Endpoints', () => ready('a') && ready('b') && readyAddresses() === 2);
    // The exec probe passes before the server listens (as a lying probe would on a cluster): wait for it.
    await until('both listening', () =>
      ['a', 'b'].every((n) => /listening/.test(h?.runtime.podLogs('default', n, {}) ?? '')),
    );
    const port = await until(
      'proxy port',
      () => h?.runtime.servicePorts().find((p) => p.name === 'web')?.localPort,
    );
    const versions = async (n: number) => {
      const seen: string[] = [];
      for (let i = 0; i < n; i++) {
        const r = await get(port);
        if (r.code !== 200)
          throw new Error(
            `request ${i} failed: ${r.body}; a ready=${ready('a')} b ready=${ready('b')} endpoints=${JSON.stringify(h?.store.get(kinds(h.store).endpoints, 'default', 'web')?.subsets)}`,
          );
        seen.push((JSON.parse(r.body) as { version: string }).version);
      }
      return seen;
    };
    expect(new Set(await versions(6))).toEqual(new Set(['a', 'b']));

    rmSync(flagA);
    await until('a not ready', () => !ready('a'));
    // No wait for the Endpoints update: the proxy asks the kubelet at connection time.
    expect(new Set(await versions(6))).toEqual(new Set(['b']));
    writeFileSync(flagA, '');
    await until('a ready again', () => ready('a') && readyAddresses() === 2);
    expect(new Set(await versions(6))).toEqual(new Set(['a', 'b']));

    h.store.delete(k.pod, 'default', 'b');
    expect(new Set(await versions(6))).toEqual(new Set(['a']));
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('closes connections when no endpoint is ready, and lists one local port per Service port', async () => {
    h = startHarness();
    h.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'empty', namespace: 'default' },
      spec: {
        selector: { app: 'none' },
        ports: [
          { name: 'http', port: 80 },
          { name: 'admin', port: 9090 },
        ],
      },
    });
    const ports = await until('ports', () => {
      const p = h?.runtime.servicePorts().filter((x) => x.name === 'empty');
      return p?.length === 2 ? p : undefined;
    });
    expect(ports.map((p) => p.port).sort()).toEqual([80, 9090]);
    expect((await get(ports[0]?.localPort as number)).code).toBe(0);
    h.store.delete(kinds(h.store).service, 'default', 'empty');
    await until('ports gone', () => !h?.runtime.servicePorts().some((x) => x.name === 'empty'));
  }, 20_000);
});
