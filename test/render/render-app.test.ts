import { describe, expect, it } from 'vitest';
import { UserErrors } from '../../src/errors.js';
import { manifestsYaml, renderApp } from '../../src/render/index.js';
import type { Service } from '../../src/spec/schema.js';
import { resolved, shop } from './fixtures.js';
import { at, containerOf, find, podSpecOf } from './helpers.js';

function one(
  service: Service,
  extra: Parameters<typeof resolved>[0] extends infer P ? Partial<P> : never = {},
) {
  return renderApp(resolved({ services: { api: service }, ...extra }));
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserErrors) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('renderApp: what a service becomes', () => {
  it('a service with a port: ServiceAccount without token, Deployment, Service, no PDB at 1 replica', () => {
    const { objects } = one({ image: 'acme/api:1', port: 8080 });
    expect(
      objects.map((o) => `${o.kind}/${o.metadata.name}`).filter((k) => !k.startsWith('NetworkPolicy')),
    ).toEqual(['ServiceAccount/shop-api', 'Service/shop-api', 'Deployment/shop-api']);
    expect(find(objects, 'ServiceAccount', 'shop-api').automountServiceAccountToken).toBe(false);
    const deploy = find(objects, 'Deployment', 'shop-api');
    expect(at(deploy, 'spec', 'replicas')).toBe(1);
    expect(at(deploy, 'spec', 'strategy', 'rollingUpdate')).toEqual({ maxUnavailable: 0, maxSurge: '25%' });
    expect(at(deploy, 'spec', 'selector', 'matchLabels')).toEqual({
      'app.kubernetes.io/name': 'api',
      'app.kubernetes.io/instance': 'shop',
    });
    const c = containerOf(deploy);
    expect(c.readinessProbe).toMatchObject({ tcpSocket: { port: 8080 } });
    expect(c.livenessProbe).toMatchObject({ tcpSocket: { port: 8080 } });
    expect(c.lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    expect(podSpecOf(deploy).terminationGracePeriodSeconds).toBeGreaterThan(10);
  });

  it('a worker without ports gets no Service and no probes', () => {
    const { objects } = one({ image: 'acme/w:1', command: ['run'] });
    expect(objects.some((o) => o.kind === 'Service')).toBe(false);
    expect(containerOf(find(objects, 'Deployment', 'shop-api')).readinessProbe).toBeUndefined();
  });

  it('autoscaled: HPA autoscaling/v2, no replicas on the Deployment, PDB from the HPA floor', () => {
    const { objects } = one({
      image: 'a:1',
      port: 80,
      replicas: 3,
      autoscale: { min: 2, max: 5, memory: 80 },
    });
    expect(at(find(objects, 'Deployment', 'shop-api'), 'spec', 'replicas')).toBeUndefined();
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'shop-api');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(at(hpa, 'spec', 'metrics')).toEqual([
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ]);
    expect(at(find(objects, 'PodDisruptionBudget', 'shop-api'), 'spec', 'maxUnavailable')).toBe(1);
  });

  it('a non-shared volume makes a StatefulSet with a claim template and fsGroup; owner honoured', () => {
    const { objects } = one({
      image: 'bot:1',
      port: 8080,
      volumes: [{ name: 'data', path: '/data', size: '1Gi', owner: { uid: 1000, gid: 2000 } }],
    });
    const sts = find(objects, 'StatefulSet', 'shop-api');
    expect(at(sts, 'spec', 'serviceName')).toBe('shop-api-headless');
    expect(at(sts, 'spec', 'volumeClaimTemplates', 0, 'spec', 'resources')).toEqual({
      requests: { storage: '1Gi' },
    });
    expect(podSpecOf(sts).securityContext).toMatchObject({
      runAsUser: 1000,
      runAsGroup: 2000,
      fsGroup: 2000,
      fsGroupChangePolicy: 'OnRootMismatch',
    });
    expect(containerOf(sts).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(at(find(objects, 'Service', 'shop-api-headless'), 'spec', 'clusterIP')).toBe('None');
  });

  it('a shared volume stays a Deployment with a standalone ReadWriteMany claim', () => {
    const { objects } = one({
      image: 'a:1',
      volumes: [{ name: 'up', path: '/up', size: '5Gi', shared: true }],
    });
    expect(at(find(objects, 'PersistentVolumeClaim', 'shop-api-up'), 'spec', 'accessModes')).toEqual([
      'ReadWriteMany',
    ]);
    expect(podSpecOf(find(objects, 'Deployment', 'shop-api')).volumes).toContainEqual({
      name: 'up',
      persistentVolumeClaim: { claimName: 'shop-api-up' },
    });
  });

  it('config: env ConfigMap through envFrom, files mounted by subPath, checksum changes with content', () => {
    const svc = (content: string): Service => ({
      image: 'a:1',
      env: { A: '1', B: true },
      config: [{ path: '/etc/app/c.yaml', content }],
    });
    const a = one(svc('x: 1')).objects;
    const b = one(svc('x: 2')).objects;
    expect(find(a, 'ConfigMap', 'shop-api-env').data).toEqual({ A: '1', B: 'true' });
    expect(find(a, 'ConfigMap', 'shop-api-files').data).toEqual({ 'etc-app-c.yaml': 'x: 1' });
    expect(containerOf(find(a, 'Deployment', 'shop-api')).volumeMounts).toContainEqual({
      name: 'config-files',
      mountPath: '/etc/app/c.yaml',
      subPath: 'etc-app-c.yaml',
      readOnly: true,
    });
    const sum = (objs: typeof a) =>
      at(
        find(objs, 'Deployment', 'shop-api'),
        'spec',
        'template',
        'metadata',
        'annotations',
        'slipway.dev/config-checksum',
      );
    expect(sum(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(sum(a)).not.toBe(sum(b));
  });

  it('public: Ingress with TLS and class; gateway mode: HTTPRoute and a TLS warning', () => {
    const svc: Service = {
      image: 'a:1',
      port: 8080,
      public: { host: 'x.example.com', tls: { issuer: 'letsencrypt' } },
    };
    const ing = find(one(svc, { kubernetes: { ingressClass: 'nginx' } }).objects, 'Ingress', 'shop-api');
    expect(at(ing, 'spec', 'ingressClassName')).toBe('nginx');
    expect(at(ing, 'spec', 'tls')).toEqual([{ hosts: ['x.example.com'], secretName: 'shop-api-tls' }]);
    expect(at(ing, 'metadata', 'annotations', 'cert-manager.io/cluster-issuer')).toBe('letsencrypt');
    const gw = one(svc, { kubernetes: { ingress: 'gateway', gateway: { name: 'public', namespace: 'gw' } } });
    expect(at(find(gw.objects, 'HTTPRoute', 'shop-api'), 'spec', 'parentRefs')).toEqual([
      { name: 'public', namespace: 'gw' },
    ]);
    expect(gw.warnings.map((w) => w.path)).toContain('services.api.public.tls');
    expect(problemsOf(() => one(svc, { kubernetes: { ingress: 'gateway' } }))).toEqual([
      'kubernetes.gateway: kubernetes.ingress is gateway but no gateway is named',
    ]);
  });

  it('schedule: a CronJob instead of a Deployment, unused fields named in warnings', () => {
    const r = one({ image: 'a:1', schedule: '0 2 * * *', port: 80 });
    expect(at(find(r.objects, 'CronJob', 'shop-api'), 'spec', 'schedule')).toBe('0 2 * * *');
    expect(r.objects.some((o) => o.kind === 'Deployment')).toBe(false);
    expect(r.warnings.map((w) => w.path)).toEqual(['services.api.port']);
  });

  it('migration Job: name hashes image and command; a new release gets a new Job', () => {
    const svc: Service = { image: 'a', port: 80, migrations: { command: ['migrate'], timeout: '5m' } };
    const jobs = (version: string) =>
      renderApp(resolved({ version, services: { api: svc } })).objects.filter((o) => o.kind === 'Job');
    const [j1] = jobs('1.0.0');
    const [j2] = jobs('1.0.1');
    expect(j1?.metadata.name).toMatch(/^shop-api-migrate-[0-9a-f]{10}$/);
    expect(j1?.metadata.name).not.toBe(j2?.metadata.name);
    expect(jobs('1.0.0')[0]?.metadata.name).toBe(j1?.metadata.name);
    expect(at(j1, 'spec')).toMatchObject({
      backoffLimit: 2,
      activeDeadlineSeconds: 300,
      ttlSecondsAfterFinished: 86400,
    });
    expect(containerOf(j1!)).toMatchObject({ image: 'a:1.0.0', command: ['migrate'] });
    expect(at(j1, 'spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/name')).toBe('api-migrate');
  });
});

describe('renderApp: cluster facts from the spec', () => {
  it('an older kubernetes.version gets an exec preStop hook and a warning', () => {
    const r = one({ image: 'a:1', port: 80 }, { kubernetes: { version: '1.29' } });
    expect(containerOf(find(r.objects, 'Deployment', 'shop-api')).lifecycle).toEqual({
      preStop: { exec: { command: ['sleep', '10'] } },
    });
    expect(r.warnings.map((w) => w.path)).toEqual(['kubernetes.version']);
  });

  it('kubernetes.clusterDomain makes reference hosts fully qualified', () => {
    const app = resolved({
      kubernetes: { clusterDomain: 'corp.local' },
      services: { api: { image: 'a:1', env: { W: '${web.url}' } }, web: { image: 'w:1', port: 80 } },
    });
    expect(containerOf(find(renderApp(app).objects, 'Deployment', 'shop-api')).env).toEqual([
      { name: 'W', value: 'http://shop-web.shop.svc.corp.local:80' },
    ]);
  });

  it('deploy.progressDeadline becomes the Deployment progressDeadlineSeconds', () => {
    const r = one({ image: 'a:1' }, { deploy: { progressDeadline: '10m' } });
    expect(at(find(r.objects, 'Deployment', 'shop-api'), 'spec', 'progressDeadlineSeconds')).toBe(600);
  });

  it('deploy.minReady becomes the Deployment minReadySeconds, absent (0) when unset', () => {
    const r = one({ image: 'a:1' }, { deploy: { minReady: '5s' } });
    expect(at(find(r.objects, 'Deployment', 'shop-api'), 'spec', 'minReadySeconds')).toBe(5);
    expect(at(find(one({ image: 'a:1' }).objects, 'Deployment', 'shop-api'), 'spec')).not.toHaveProperty(
      'minReadySeconds',
    );
  });

  it('deploy.minReady becomes the StatefulSet minReadySeconds of a service with a volume too', () => {
    const bot = { image: 'bot:1', volumes: [{ name: 'data', path: '/data', size: '1Gi' }] };
    const r = one(bot, { deploy: { minReady: '2s' } });
    expect(at(find(r.objects, 'StatefulSet', 'shop-api'), 'spec', 'minReadySeconds')).toBe(2);
    expect(at(find(one(bot).objects, 'StatefulSet', 'shop-api'), 'spec')).not.toHaveProperty(
      'minReadySeconds',
    );
  });

  it.each<[string, string | undefined, string, string[]]>([
    ['api', 'staging.example.com', 'api.staging.example.com', []],
    ['api.example.com', 'staging.example.com', 'api.example.com', ['domain']],
    ['api', undefined, 'api', []],
  ])('public host %s with domain %s -> %s', (host, domain, expected, warnings) => {
    const r = one({ image: 'a:1', port: 80, public: { host, tls: true } }, { domain });
    expect(at(find(r.objects, 'Ingress', 'shop-api'), 'spec', 'rules', 0, 'host')).toBe(expected);
    expect(at(find(r.objects, 'Ingress', 'shop-api'), 'spec', 'tls', 0, 'hosts')).toEqual([expected]);
    expect(r.warnings.map((w) => w.path)).toEqual(warnings);
  });

  it('a non-nginx ingress class is told the NetworkPolicy admits only ingress-nginx', () => {
    const r = one(
      { image: 'a:1', port: 80, public: { host: 'h' } },
      { kubernetes: { ingressClass: 'traefik' } },
    );
    expect(r.warnings.map((w) => w.path)).toEqual(['kubernetes.ingressClass']);
    expect(
      one({ image: 'a:1', port: 80, public: { host: 'h' } }, { kubernetes: { ingressClass: 'nginx' } })
        .warnings,
    ).toEqual([]);
  });

  it('a backup the cluster cannot run is named in a warning, not dropped silently', () => {
    const r = one({ image: 'a:1' }, { backups: { db: { schedule: '0 2 * * *', keep: 7 } } });
    expect(r.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'backups.db: names no dependency; nothing backs it up',
    ]);
  });
});

describe('renderApp: images', () => {
  it.each([
    [{ image: 'a:2' }, undefined, '1.0.0', 'a:2'],
    [{ image: 'a' }, undefined, '1.0.0', 'a:1.0.0'],
    [{ image: 'a:2' }, 'abc', '1.0.0', 'a:abc'],
    [{ image: 'a' }, `sha256:${'f'.repeat(64)}`, undefined, `a@sha256:${'f'.repeat(64)}`],
    [{ build: { context: '.' } }, undefined, '3', 'ghcr.io/acme/shop-api:3'],
  ] as const)('%j tag=%s version=%s -> %s', (svc, tag, version, image) => {
    const app = resolved({ version, registry: 'ghcr.io/acme', services: { api: { ...svc } } });
    const { objects } = renderApp(app, { images: tag ? { api: tag } : {} });
    expect(containerOf(find(objects, 'Deployment', 'shop-api')).image).toBe(image);
  });

  it.each(['has space', '-x', 'sha256:abc'])('refuses --image-tag %s', (tag) => {
    expect(
      problemsOf(() => renderApp(resolved({ services: { api: { image: 'a' } } }), { images: { api: tag } })),
    ).toEqual([`--image-tag api=${tag}: not an image tag or a sha256 digest`]);
  });

  it('refuses an implicit latest', () => {
    expect(
      problemsOf(() => renderApp(resolved({ version: undefined, services: { api: { image: 'a' } } }))),
    ).toEqual(['services.api.image: no tag for a: Slipway never deploys an implicit latest']);
  });
});

describe('renderApp: bad input is an error naming the field', () => {
  it.each<[string, Service, string]>([
    [
      'http check without a port',
      { image: 'a:1', health: { readiness: '/r' } },
      'services.api.health.readiness: this check needs a port and the service has none',
    ],
    [
      'grace period under the preStop delay',
      { image: 'a:1', port: 80, terminationGracePeriod: '5s' },
      'services.api.terminationGracePeriod: 5s leaves no time after the 10s preStop delay',
    ],
    [
      'unknown reference',
      { image: 'a:1', env: { X: '${nope.url}' } },
      'services.api.env.X: ${nope.url} names nope, which is neither a service nor a dependency',
    ],
    [
      'public without a port',
      { image: 'a:1', public: { host: 'h' } },
      'services.api.public: a public service needs a port',
    ],
    [
      'config from without contents',
      { image: 'a:1', config: [{ path: '/c', from: 'c.txt' }] },
      'services.api.config[0].from: the contents of c.txt were not given to render',
    ],
    [
      'two mounts at one path',
      {
        image: 'a:1',
        config: [{ path: '/data', content: 'x' }],
        volumes: [{ name: 'd', path: '/data', size: '1Gi' }],
      },
      'services.api.volumes[0].path: /data is already mounted by services.api.config[0].path',
    ],
    [
      'a volume on /tmp',
      { image: 'a:1', volumes: [{ name: 'd', path: '/tmp/', size: '1Gi' }] },
      'services.api.volumes[0].path: /tmp/ is already mounted by the writable /tmp render adds',
    ],
    [
      'reserved volume name',
      { image: 'a:1', volumes: [{ name: 'tmp', path: '/x', size: '1Gi' }] },
      'services.api.volumes: volume name tmp is reserved by render',
    ],
  ])('%s', (_name, svc, problem) => {
    expect(problemsOf(() => one(svc))).toEqual([problem]);
  });

  it('a name too long for a Service or a label is an error, not an apply-time failure', () => {
    const long = 'a'.repeat(60);
    expect(
      problemsOf(() =>
        renderApp(
          resolved({ services: { [long]: { image: 'a:1', port: 80, migrations: { command: ['m'] } } } }),
        ),
      ),
    ).toEqual([
      expect.stringMatching(
        /^app: Job .*: a label app.kubernetes.io\/name=a{60}-migrate is not a valid label value/,
      ),
      expect.stringMatching(/^app: Job .*: a pod label/),
      expect.stringMatching(/^app: Service name shop-a{60} is longer than 63 characters$/),
    ]);
  });

  it('a UDP main port gets no TCP probes, and a warning', () => {
    const r = one({ image: 'a:1', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    expect(containerOf(find(r.objects, 'Deployment', 'shop-api')).readinessProbe).toBeUndefined();
    expect(r.warnings.map((w) => w.path)).toEqual(['services.api.health']);
  });

  it('reports every problem at once', () => {
    expect(
      problemsOf(() =>
        renderApp(resolved({ version: undefined, services: { a: { image: 'x' }, b: { image: 'y' } } })),
      ),
    ).toHaveLength(2);
  });
});

describe('renderApp: determinism', () => {
  it('same input, same bytes; key order of the input does not matter', () => {
    const a = manifestsYaml(renderApp(shop()).objects);
    const reordered = shop();
    reordered.services = Object.fromEntries(Object.entries(reordered.services).reverse());
    reordered.dependencies = Object.fromEntries(Object.entries(reordered.dependencies).reverse());
    expect(manifestsYaml(renderApp(shop()).objects)).toBe(a);
    expect(manifestsYaml(renderApp(reordered).objects)).toBe(a);
  });

  it('every object and pod template carries the standard labels; selectors never carry version', () => {
    for (const o of renderApp(shop()).objects) {
      expect(Object.keys(o.metadata.labels ?? {}), `${o.kind}/${o.metadata.name}`).toEqual(
        expect.arrayContaining([
          'app.kubernetes.io/name',
          'app.kubernetes.io/instance',
          'app.kubernetes.io/component',
          'app.kubernetes.io/part-of',
          'app.kubernetes.io/managed-by',
        ]),
      );
      const tpl =
        at(o, 'spec', 'template', 'metadata', 'labels') ??
        at(o, 'spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels');
      if (tpl)
        expect(tpl).toMatchObject({
          'app.kubernetes.io/part-of': 'shop',
          'app.kubernetes.io/managed-by': 'slipway',
        });
      const sel = at(o, 'spec', 'selector', 'matchLabels') as Record<string, string> | undefined;
      if (sel)
        expect(Object.keys(sel).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/name']);
    }
  });
});
