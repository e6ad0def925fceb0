/**
 * Hand-made objects for three environments, covering what the writers must handle: values that
 * differ, keys and list items only some environments have, objects only production has, a Job,
 * per-environment namespaces, multi-line config with `{{` in it and YAML 1.1 look-alike strings.
 */
import type { NamedObject } from '@slipway/kube';
import type { FormatInput, RenderedEnvironment } from '../../src/cli/formats.js';
import type { ResolvedApp } from '../../src/spec/resolved.js';
import type { App } from '../../src/spec/schema.js';

const ENVS = ['dev', 'staging', 'production'] as const;
type Env = (typeof ENVS)[number];

const labels = (name: string, component: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/instance': 'shop',
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/part-of': 'shop',
  'app.kubernetes.io/managed-by': 'slipway',
});

/** Strings a careless YAML writer turns into other types or other strings. */
const TRICKY: Record<string, string> = Object.fromEntries(
  [
    'a: b',
    '- x',
    '#x',
    ' leading',
    'tab\there',
    'ü',
    '@at',
    '`tick',
    '*star',
    '&amp',
    '!bang',
    '%pct',
    '|pipe',
    '>gt',
    "'quote",
    '"dq',
    '1e3',
    '0x1F',
    '.5',
    '+1',
    '~',
    'null',
    'Yes',
    'NO',
    'y',
    'n',
    '2001-12-14',
    '12:30:00',
    '1_000',
    '0o17',
    '.inf',
    '-.NaN',
    '=',
    '<<',
    '?q',
    'x #y',
    '{a}',
    '[b]',
  ].map((v, i) => [`tricky-${i}`, v]),
);

function objects(env: Env, ns: string): NamedObject[] {
  const replicas = { dev: 1, staging: 2, production: 3 }[env];
  const env_ = [
    { name: 'LOG_LEVEL', value: env === 'production' ? 'warn' : 'debug' },
    { name: 'FEATURE_X', value: 'on' },
    ...(env === 'production' ? [{ name: 'SENTRY', value: 'yes' }] : []),
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db-credentials', key: 'password' } } },
    // Service DNS names become release-relative: the same everywhere once marked (one expression),
    // different per environment (tpl values), or only in production (a guarded tpl value); with
    // `%`, `{{` and a brace next to the name, which printf and tpl must leave as they are.
    { name: 'SELF_URL', value: `http://shop-api.${ns}.svc:80/100%` },
    { name: 'PEER', value: env === 'production' ? 'shop-api.shop.svc' : `x {{y}} {shop-api.${ns}.svc}%d` },
    ...(env === 'production'
      ? [{ name: 'CALLBACK', value: '{{ not a template }} {http://shop-api.shop.svc}' }]
      : []),
  ];
  const list: NamedObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shop-api-config', namespace: ns, labels: labels('api', 'api') },
      data: {
        'app.conf': `# {{ not a template }}\nlisten: 8080\n  indented: ${env}\n`,
        'lead.txt': '  starts with spaces\nand ends without newline',
        'trail.txt': 'trailing spaces  \n\n\n',
        MODE: '0777',
        EMPTY: '',
        ...TRICKY,
        [`key-${env}`]: env,
        true: 'key that YAML 1.1 reads as a boolean',
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'shop-api',
        namespace: ns,
        labels: { ...labels('api', 'api'), 'app.kubernetes.io/version': '1.2.3' },
      },
      spec: {
        ...(env === 'production' ? {} : { replicas }),
        selector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'shop' } },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: 0, maxSurge: env === 'dev' ? 1 : '25%' },
        },
        template: {
          metadata: {
            labels: labels('api', 'api'),
            annotations: { 'slipway.dev/config-checksum': `sha256-${env}` },
          },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'api',
                image: 'ghcr.io/acme/shop-api:1.2.3',
                ports: [{ name: 'http', containerPort: 8080 }],
                env: env_,
                resources: {
                  requests: { cpu: env === 'production' ? '500m' : '100m', memory: '256Mi' },
                  limits: { memory: '256Mi' },
                },
                readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'shop-api', namespace: ns, labels: labels('api', 'api') },
      spec: {
        selector: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'shop' },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'shop-api-migrate', namespace: ns, labels: labels('api', 'migration') },
      spec: {
        backoffLimit: 2,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              { name: 'migrate', image: 'ghcr.io/acme/shop-api:1.2.3', command: ['npm', 'run', 'migrate'] },
            ],
          },
        },
      },
    },
  ];
  if (env === 'production') {
    list.push(
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'shop-api', namespace: ns, labels: labels('api', 'api') },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop-api' },
          minReplicas: 3,
          maxReplicas: 10,
        },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'shop-api', namespace: ns, labels: labels('api', 'api') },
        spec: {
          tls: [{ hosts: ['shop.example.com'], secretName: 'shop-api-tls' }],
          rules: [
            {
              host: 'shop.example.com',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'shop-api', port: { name: 'http' } } },
                  },
                ],
              },
            },
          ],
        },
      },
    );
  }
  return list;
}

export function fixtureInput(): FormatInput {
  const spec = { app: 'shop', version: '1.2.3', services: {} } as App;
  const environments: RenderedEnvironment[] = ENVS.map((env) => {
    const namespace = env === 'production' ? 'shop' : `shop-${env}`;
    const app = {
      app: 'shop',
      version: '1.2.3',
      environment: env,
      namespace,
      approval: 'none',
      services: {},
      dependencies: {},
      deploy: {},
      backups: {},
      environments: [...ENVS],
    } as ResolvedApp;
    return { environment: env, app, objects: objects(env, namespace) };
  });
  return { spec, environments };
}
