/**
 * Issue 20, the rendered objects: imagePullSecrets on every pod spec (per environment), the ingress
 * controller's namespace in NetworkPolicies, the cert-manager issuer of TLS hosts (or a validate
 * error at the tls field), and the namespace's Pod Security Admission labels.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { podSecurityLevel } from '../../src/policy/pss/level.js';
import { renderApp } from '../../src/render/index.js';
import { renderNamespace } from '../../src/render/objects/namespace.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';
import { sharedPath } from '../helpers/shared.js';
import { at, find, WORKLOAD_KINDS } from './helpers.js';
import { OpenApiValidator } from './openapi-schema.js';

const SPEC = `app: shop
version: "1.0.0"
imagePullSecrets: [ghcr]
kubernetes:
  ingressClass: traefik
  ingressNamespace: traefik-system
  tls: { issuer: letsencrypt }
services:
  api:
    image: ghcr.io/acme/api
    port: 8080
    public: { host: api.example.com, tls: true }
    migrations: { command: [migrate] }
    env: { DATABASE_URL: "\${db.url}" }
  web:
    image: ghcr.io/acme/web
    port: 8080
    public: { host: example.com, tls: { issuer: shop-ca, issuerKind: Issuer } }
    volumes: [{ name: data, path: /data, size: 1Gi }]
  report:
    image: ghcr.io/acme/report
    schedule: "0 1 * * *"
dependencies:
  db: { type: postgres }
backups:
  db: { schedule: "0 2 * * *", keep: 3 }
environments:
  dev: {}
  production:
    imagePullSecrets: [ghcr-production, mirror]
    kubernetes: { podSecurity: { enforce: baseline, version: v1.33 } }
`;

const render = (env: string, text = SPEC) => {
  const app = resolveEnvironment(parseSpec(text, 'slipway.yaml'), env, 'slipway.yaml');
  return { app, objects: renderApp(app).objects };
};

function podSpecs(objects: ReturnType<typeof render>['objects']) {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((o) => ({
      key: `${o.kind}/${o.metadata.name}`,
      spec: (o.kind === 'CronJob'
        ? at(o, 'spec', 'jobTemplate', 'spec', 'template', 'spec')
        : at(o, 'spec', 'template', 'spec')) as Record<string, unknown>,
    }));
}

describe('imagePullSecrets', () => {
  it('is on every pod spec: Deployments, StatefulSets, migration Jobs, CronJobs, dependencies, backups', () => {
    const pods = podSpecs(render('dev').objects);
    expect(pods.map((p) => p.key.split('/')[0]).sort()).toEqual(
      expect.arrayContaining(['CronJob', 'Deployment', 'Job', 'StatefulSet']),
    );
    expect(pods.map((p) => p.key)).toEqual(
      expect.arrayContaining(['StatefulSet/shop-db', 'CronJob/shop-db-backup']),
    );
    for (const p of pods) expect(p.spec.imagePullSecrets, p.key).toEqual([{ name: 'ghcr' }]);
  });

  it('follows the environment and is absent when the spec names none', () => {
    for (const p of podSpecs(render('production').objects))
      expect(p.spec.imagePullSecrets, p.key).toEqual([{ name: 'ghcr-production' }, { name: 'mirror' }]);
    const none = render('dev', SPEC.replace('imagePullSecrets: [ghcr]\n', ''));
    for (const p of podSpecs(none.objects)) expect(p.spec.imagePullSecrets, p.key).toBeUndefined();
  });
});

describe('ingress class, controller namespace and TLS issuer', () => {
  const { objects } = render('dev');
  it('admits public traffic from kubernetes.ingressNamespace', () => {
    const from = at(find(objects, 'NetworkPolicy', 'shop-api'), 'spec', 'ingress');
    expect(JSON.stringify(from)).toContain('"kubernetes.io/metadata.name":"traefik-system"');
    expect(JSON.stringify(from)).not.toContain('ingress-nginx');
    expect(at(find(objects, 'Ingress', 'shop-api'), 'spec', 'ingressClassName')).toBe('traefik');
  });

  it('annotates each Ingress with its issuer: the app-wide ClusterIssuer, or the host’s own Issuer', () => {
    expect(at(find(objects, 'Ingress', 'shop-api'), 'metadata', 'annotations')).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt',
    });
    expect(at(find(objects, 'Ingress', 'shop-web'), 'metadata', 'annotations')).toEqual({
      'cert-manager.io/issuer': 'shop-ca',
    });
    expect(at(find(objects, 'Ingress', 'shop-web'), 'spec', 'tls')).toEqual([
      { hosts: ['example.com'], secretName: 'shop-web-tls' },
    ]);
  });

  it('keeps ingress-nginx as the default controller namespace', () => {
    const plain = render('dev', SPEC.replace('  ingressNamespace: traefik-system\n', ''));
    expect(JSON.stringify(at(find(plain.objects, 'NetworkPolicy', 'shop-api'), 'spec'))).toContain(
      'ingress-nginx',
    );
  });

  it('slipway validate refuses tls: true with no issuer and no secret, at the tls field (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tls-'));
    try {
      const file = join(dir, 'slipway.yaml');
      writeFileSync(file, SPEC.replace('  tls: { issuer: letsencrypt }\n', ''));
      const io = memoryIo({ cwd: dir });
      expect(await main(['node', 'slipway', 'validate', '-f', file], io.io)).toBe(2);
      const err = io.stderr();
      expect(err).toMatch(/slipway\.yaml:11:\d+/);
      expect(err).toContain('TLS for api.example.com needs a certificate');
      expect(err).toContain('kubernetes.tls');
      // An existing Secret is enough.
      writeFileSync(
        file,
        SPEC.replace('  tls: { issuer: letsencrypt }\n', '').replace(
          'tls: true',
          'tls: { secretName: api-cert }',
        ),
      );
      const ok = memoryIo({ cwd: dir });
      expect(await main(['node', 'slipway', 'validate', '-f', file], ok.io), ok.stderr()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Pod Security Admission labels', () => {
  it('enforce the level every pod meets (restricted here), audit and warn restricted, version latest', () => {
    const { app, objects } = render('dev');
    const level = podSecurityLevel(objects, app.kubernetes?.version);
    expect(level).toBe('restricted');
    expect(renderNamespace(app, level).metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
  });

  it('take the spec’s levels and version', () => {
    const { app, objects } = render('production');
    const labels = renderNamespace(app, podSecurityLevel(objects)).metadata.labels;
    expect(labels?.['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(labels?.['pod-security.kubernetes.io/warn-version']).toBe('v1.33');
  });

  it('fall back to baseline when a relaxation leaves restricted', () => {
    const relaxed = SPEC.replace(
      '    schedule: "0 1 * * *"\n',
      '    schedule: "0 1 * * *"\n    security: { relax: [{ rule: runAsNonRoot, reason: "the vendor image needs root" }] }\n',
    );
    const { app, objects } = render('dev', relaxed);
    expect(renderNamespace(app, podSecurityLevel(objects)).metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });
});

const swagger = sharedPath('kubernetes-openapi', 'swagger-v1.36.json');

describe.skipIf(!swagger)('the new fields against the Kubernetes OpenAPI document', () => {
  it('every object of both environments, the Ingresses with their issuers, and the Namespace are valid', () => {
    const validator = new OpenApiValidator(swagger!);
    for (const env of ['dev', 'production']) {
      const { app, objects } = render(env);
      for (const o of [...objects, renderNamespace(app, podSecurityLevel(objects))])
        expect(validator.validate(o), `${env}: ${o.kind}/${o.metadata.name}`).toEqual([]);
    }
  });
});
