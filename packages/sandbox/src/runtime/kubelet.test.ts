import type { KubeObject } from '@slipway/kube';
import { readFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isPodReady, kinds, status } from '../controllers/objects.js';
import { FakeClock } from '../../testing/fake-clock.js';
import { freeLoopbackPort } from './kubelet.js';
import { startHarness, until, type Harness } from '../../testing/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function pod(
  name: string,
  container: Record<string, unknown>,
  extra: { annotations?: Record<string, string>; spec?: Record<string, unknown> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    spec: { containers: [{ name: 'c', ...container }], ...extra.spec },
  };
}

describe('kubelet, simulated pods (fake clock)', () => {
  it('honours a preStop sleep before the pod goes away', async () => {
    const clock = new FakeClock();
    h = startHarness({ clock });
    const step = (ms: number) => clock.advance(ms, () => (h as Harness).settle());
    h.apply(
      pod(
        'p',
        { image: 'nginx:1', lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 2'] } } } },
        { spec: { terminationGracePeriodSeconds: 10 } },
      ),
    );
    await step(1000);
    h.store.delete(kinds(h.store).pod, 'default', 'p');
    await step(1500);
    expect(h.store.get(kinds(h.store).pod, 'default', 'p')?.metadata.deletionTimestamp).toBeDefined();
    await step(1000);
    expect(h.store.get(kinds(h.store).pod, 'default', 'p')).toBeUndefined();
  });

  it('shutting down cuts short a preStop sleep of a pod that is terminating gracefully', async () => {
    const clock = new FakeClock();
    h = startHarness({ clock });
    const step = (ms: number) => clock.advance(ms, () => (h as Harness).settle());
    h.apply(
      pod(
        'p',
        { image: 'nginx:1', lifecycle: { preStop: { sleep: { seconds: 10 } } } },
        { spec: { terminationGracePeriodSeconds: 30 } },
      ),
    );
    await step(1000);
    h.store.delete(kinds(h.store).pod, 'default', 'p');
    await step(500);
    // The fake clock no longer moves: close() ends only if the 10 s preStop sleep is cut short.
    let closed = false;
    const closing = h.close().then(() => (closed = true));
    await until('the runtime to stop', () => closed, 5000);
    await closing;
    h = undefined;
  });

  it('flapping-readiness toggles Ready every period', async () => {
    const clock = new FakeClock();
    h = startHarness({ clock });
    const step = (ms: number) => clock.advance(ms, () => (h as Harness).settle());
    h.apply(
      pod(
        'p',
        { image: 'nginx:1' },
        { annotations: { 'sandbox.slipway.dev/fault': 'flapping-readiness=2s' } },
      ),
    );
    const ready = () =>
      isPodReady(h?.store.get(kinds((h as Harness).store).pod, 'default', 'p') as KubeObject);
    await step(500);
    expect(ready()).toBe(true);
    await step(2000);
    expect(ready()).toBe(false);
    await step(2000);
    expect(ready()).toBe(true);
  });

  it('holds readiness until the startupProbe passes', async () => {
    const clock = new FakeClock();
    h = startHarness({ clock });
    h.apply(
      pod('p', {
        image: 'nginx:1',
        startupProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 5, periodSeconds: 1 },
      }),
    );
    const current = () =>
      (h as Harness).store.get(kinds((h as Harness).store).pod, 'default', 'p') as KubeObject;
    await clock.advance(3000, () => (h as Harness).settle());
    expect(isPodReady(current())).toBe(false);
    expect(current().status).toMatchObject({ phase: 'Running', containerStatuses: [{ started: false }] });
    await clock.advance(3000, () => (h as Harness).settle());
    expect(isPodReady(current())).toBe(true);
    expect(current().status).toMatchObject({ containerStatuses: [{ started: true }] });
  });

  it('runs init containers in order before the app container, and fails the pod when one fails under restartPolicy Never', async () => {
    const clock = new FakeClock();
    h = startHarness({ clock });
    const k = kinds(h.store);
    const step = (ms: number) => clock.advance(ms, () => (h as Harness).settle());
    h.apply(
      pod(
        'p',
        { image: 'nginx:1' },
        {
          spec: {
            initContainers: [
              { name: 'migrate', image: 'migrate:1' },
              { name: 'seed', image: 'seed:1' },
            ],
          },
        },
      ),
    );
    await step(500);
    const p1 = h.store.get(k.pod, 'default', 'p') as KubeObject;
    expect(p1.status).toMatchObject({
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'migrate', state: { running: {} } },
        { name: 'seed', state: { waiting: { reason: 'ContainerCreating' } } },
      ],
      containerStatuses: [{ state: { waiting: { reason: 'PodInitializing' } } }],
    });
    expect(isPodReady(p1)).toBe(false);
    await step(1500);
    expect(
      (h.store.get(k.pod, 'default', 'p')?.status as { initContainerStatuses: { state: object }[] })
        .initContainerStatuses[0]?.state,
    ).toMatchObject({ terminated: { exitCode: 0, reason: 'Completed' } });
    await step(2000);
    const done = h.store.get(k.pod, 'default', 'p') as KubeObject;
    expect(isPodReady(done)).toBe(true);
    expect(done.status).toMatchObject({
      phase: 'Running',
      conditions: expect.arrayContaining([expect.objectContaining({ type: 'Initialized', status: 'True' })]),
    });

    h.apply(
      pod(
        'f',
        { image: 'nginx:1' },
        {
          annotations: { 'sandbox.slipway.dev/exit-code': '2' },
          spec: { restartPolicy: 'Never', initContainers: [{ name: 'migrate', image: 'migrate:1' }] },
        },
      ),
    );
    await step(3000);
    const failed = h.store.get(k.pod, 'default', 'f') as KubeObject;
    expect(failed.status).toMatchObject({
      phase: 'Failed',
      initContainerStatuses: [{ state: { terminated: { exitCode: 2 } } }],
      containerStatuses: [{ state: { waiting: { reason: 'PodInitializing' } } }],
    });
  });

  it('a configured per-image fault applies to every pod of the image', async () => {
    const clock = new FakeClock();
    h = startHarness({ clock, config: { images: [{ match: 'flaky', faults: 'never-ready' }] } });
    h.apply(pod('p', { image: 'registry.example/flaky:2' }));
    await clock.advance(5000, () => (h as Harness).settle());
    const p = h.store.get(kinds(h.store).pod, 'default', 'p') as KubeObject;
    expect(status<{ phase: string }>(p).phase).toBe('Running');
    expect(isPodReady(p)).toBe(false);
  });
});

describe('kubelet, process pods (real clock)', () => {
  it('sends SIGKILL when a process ignores SIGTERM past terminationGracePeriodSeconds', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'slipway-kubelet-')), 'pid');
    const script =
      "require('fs').writeFileSync(process.env.PIDFILE, String(process.pid)); process.on('SIGTERM', () => console.log('ignoring SIGTERM')); setInterval(() => {}, 1000); console.log('up');";
    h = startHarness({
      config: {
        images: [{ match: 'stubborn', command: [process.execPath, '-e', script], env: { PIDFILE: pidFile } }],
      },
    });
    const k = kinds(h.store);
    h.apply(pod('p', { image: 'stubborn:1' }, { spec: { terminationGracePeriodSeconds: 1 } }));
    await until('ready', () => isPodReady(h?.store.get(k.pod, 'default', 'p') as KubeObject));
    const pid = Number(
      await until('pid file', () => {
        try {
          return readFileSync(pidFile, 'utf8');
        } catch {
          return undefined;
        }
      }),
    );
    await until('logs', () => /up/.test(h?.runtime.podLogs('default', 'p', {}) ?? ''));
    const t0 = Date.now();
    h.store.delete(k.pod, 'default', 'p');
    await until('ignored SIGTERM', () =>
      /ignoring SIGTERM/.test(h?.runtime.podLogs('default', 'p', {}) ?? ''),
    );
    await until('pod removed', () => !h?.store.get(k.pod, 'default', 'p'), 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(() => process.kill(pid, 0)).toThrow();
  }, 20_000);

  it('restarts a container whose liveness probe fails', async () => {
    h = startHarness({ config: { crashLoopBackoff: { initialMs: 100, maxMs: 1000 } } });
    const k = kinds(h.store);
    h.apply(
      pod('p', {
        image: 'sample-service:v1',
        ports: [{ containerPort: 8080 }],
        livenessProbe: { httpGet: { path: '/missing', port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
      }),
    );
    const restarted = await until(
      'a restart',
      () => {
        const p = h?.store.get(k.pod, 'default', 'p');
        const cs = p && status<{ containerStatuses?: { restartCount: number }[] }>(p).containerStatuses?.[0];
        return cs && cs.restartCount >= 1 ? p : undefined;
      },
      15_000,
    );
    expect(restarted.status).toMatchObject({ phase: 'Running' });
    expect(h.runtime.podLogs('default', 'p', { previous: true })).toMatch(/liveness probe failed/);
  }, 20_000);

  it('restarts a container whose startupProbe fails, and never runs its readiness probe', async () => {
    h = startHarness({ config: { crashLoopBackoff: { initialMs: 100, maxMs: 1000 } } });
    const k = kinds(h.store);
    h.apply(
      pod('p', {
        image: 'sample-service:v1',
        ports: [{ containerPort: 8080 }],
        startupProbe: { httpGet: { path: '/missing', port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
        readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 1 },
      }),
    );
    const restarted = await until(
      'a restart',
      () => {
        const p = h?.store.get(k.pod, 'default', 'p');
        return p &&
          (status<{ containerStatuses?: { restartCount: number }[] }>(p).containerStatuses?.[0]
            ?.restartCount ?? 0) >= 1
          ? p
          : undefined;
      },
      15_000,
    );
    expect(isPodReady(restarted)).toBe(false);
    expect(h.runtime.podLogs('default', 'p', { previous: true })).toMatch(/startup probe failed/);
  }, 20_000);

  it('gives a process its env from values, Secret and ConfigMap refs, envFrom, fieldRefs, and Secret files at mapped paths', async () => {
    const script =
      "const fs = require('fs'); const e = process.env; console.log([e.TOKEN, e.LEVEL, e.APP_MODE, e.POD, e.IP, e.TOKEN_FILE, fs.readFileSync(e.TOKEN_FILE, 'utf8'), fs.readFileSync(e.SANDBOX_MOUNT_ETC_SECRET + '/token', 'utf8'), e.HOSTILE === undefined].join('|'))";
    h = startHarness({
      config: { images: [{ match: 'printer', command: [process.execPath, '-e', script] }] },
    });
    const k = kinds(h.store);
    h.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default' },
      data: { token: Buffer.from('s3cret').toString('base64') },
    });
    h.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default' },
      data: { LEVEL: 'debug', MODE: 'fast' },
    });
    process.env.HOSTILE = 'leak';
    try {
      h.apply(
        pod(
          'p',
          {
            image: 'printer:1',
            envFrom: [{ prefix: 'APP_', configMapRef: { name: 'c' } }],
            env: [
              { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'token' } } },
              { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'c', key: 'LEVEL' } } },
              { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'TOKEN_FILE', value: '/etc/secret/token' },
            ],
            volumeMounts: [{ name: 'sec', mountPath: '/etc/secret', readOnly: true }],
          },
          { spec: { restartPolicy: 'Never', volumes: [{ name: 'sec', secret: { secretName: 's' } }] } },
        ),
      );
      await until(
        'finished',
        () =>
          status<{ phase?: string }>(h?.store.get(k.pod, 'default', 'p') as KubeObject).phase === 'Succeeded',
        10_000,
      );
    } finally {
      delete process.env.HOSTILE;
    }
    const [token, level, mode, name, ip, file, fromEnvPath, fromMountVar, noLeak] = (
      h.runtime.podLogs('default', 'p', {}) ?? ''
    )
      .trim()
      .split('|');
    expect([token, level, mode, name]).toEqual(['s3cret', 'debug', 'fast', 'p']);
    expect(ip).toMatch(/^127\.1\.\d+\.\d+$/);
    expect(file).toMatch(/pods\/[^/]+\/volumes\/sec\/token$/);
    expect([fromEnvPath, fromMountVar, noLeak]).toEqual(['s3cret', 's3cret', 'true']);
  }, 20_000);

  it('runs a Job pod to completion as a process and records its exit code', async () => {
    h = startHarness({
      config: {
        images: [
          {
            match: 'task',
            command: [process.execPath, '-e', 'console.log("done"); process.exit(Number(process.env.CODE))'],
          },
        ],
      },
    });
    const k = kinds(h.store);
    h.apply(
      pod(
        'ok',
        { image: 'task:1', env: [{ name: 'CODE', value: '0' }] },
        { spec: { restartPolicy: 'Never' } },
      ),
    );
    h.apply(
      pod(
        'bad',
        { image: 'task:1', env: [{ name: 'CODE', value: '3' }] },
        { spec: { restartPolicy: 'Never' } },
      ),
    );
    await until(
      'both finished',
      () =>
        ['ok', 'bad'].every((n) =>
          ['Succeeded', 'Failed'].includes(
            status<{ phase?: string }>(h?.store.get(k.pod, 'default', n) as KubeObject).phase ?? '',
          ),
        ),
      10_000,
    );
    expect(status<{ phase: string }>(h.store.get(k.pod, 'default', 'ok') as KubeObject).phase).toBe(
      'Succeeded',
    );
    const bad = h.store.get(k.pod, 'default', 'bad') as KubeObject;
    expect(bad.status).toMatchObject({
      phase: 'Failed',
      containerStatuses: [{ state: { terminated: { exitCode: 3, reason: 'Error' } } }],
    });
    expect(h.runtime.podLogs('default', 'ok', {})).toBe('done\n');
  }, 20_000);
});

describe('pod ports', () => {
  it('come from below the ephemeral range, are not handed out twice, and skip a port something listens on', async () => {
    const ephemeral = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    const first = await freeLoopbackPort();
    expect(first).toBeGreaterThanOrEqual(20_000);
    expect(first).toBeLessThan(ephemeral);
    // Something now listens on the next port the walk would reach: it is skipped.
    const next = first + 1 < ephemeral ? first + 1 : 20_000;
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(next, '127.0.0.1', r));
    try {
      const second = await freeLoopbackPort();
      expect(second).not.toBe(first);
      expect(second).not.toBe(next);
      expect(second).toBeGreaterThanOrEqual(20_000);
      expect(second).toBeLessThan(ephemeral);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
