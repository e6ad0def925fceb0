/**
 * Who runs a dependency (dependencies.<name>.provider): the combinations a spec may not write,
 * each reported at its line:column with a hint; what render makes for each provider; the
 * CloudNativePG Cluster validated against the upstream CRD schema (test/fixtures/cloudnative-pg);
 * the Helm chart's Chart.yaml dependencies and subchart values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { credentialsSecret } from '../../src/engine/credentials.js';
import { UserErrors } from '../../src/errors.js';
import { writeHelmChart } from '../../src/render/helm/index.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec } from '../../src/spec/parse.js';
import { environmentNames, resolveEnvironment } from '../../src/spec/resolve.js';

const BASE = `app: shop
version: "1.0.0"
services:
  api:
    image: ghcr.io/acme/api
    port: 8080
    env: { DATABASE_URL: "\${db.url}", DB_HOST: "\${db.host}" }
dependencies:
`;

function problems(yaml: string): string[] {
  try {
    parseSpec(yaml, 'slipway.yaml');
  } catch (error) {
    if (!(error instanceof UserErrors)) throw error;
    return error.format().split('\n');
  }
  return [];
}

/** `at`: the text in the dependency's line where the problem is reported (the value of the field). */
const BAD: { name: string; dependency: string; at: string; expected: string; hint: string }[] = [
  {
    name: 'provider external without external:',
    dependency: '  db: { type: postgres, provider: external }',
    at: 'external }',
    expected: 'dependencies.db.provider: provider: external needs external:',
    hint: 'hint: add external: { secret: <name of the Secret>, key: url }',
  },
  {
    name: 'external: beside another provider',
    dependency: '  db: { type: postgres, provider: statefulset, external: { secret: pg } }',
    at: '{ secret: pg }',
    expected: 'dependencies.db.external: external: names a managed service, but provider is statefulset',
    hint: 'hint: remove provider (external: implies provider: external), or remove external:',
  },
  {
    name: 'a subchart for kafka',
    dependency: '  db: { type: kafka, provider: chart, chart: { version: "1.0.0" } }',
    at: 'chart, chart',
    expected: 'dependencies.db.provider: Slipway cannot wire a subchart for a kafka dependency',
    hint: 'hint: provider: chart supports postgres and redis; use provider: statefulset or external',
  },
  {
    name: 'a subchart without a pinned version',
    dependency: '  db: { type: postgres, provider: chart }',
    at: 'chart }',
    expected: 'dependencies.db.provider: provider: chart needs chart: with the pinned chart version',
    hint: 'hint: add chart: { version: "<version of the postgresql chart>" }',
  },
  {
    name: 'chart: without provider: chart',
    dependency: '  db: { type: postgres, chart: { version: "16.7.4" } }',
    at: '{ version',
    expected: 'dependencies.db.chart: chart: applies only to provider: chart',
    hint: 'hint: set provider: chart, or remove chart:',
  },
  {
    name: 'the operator for redis',
    dependency: '  db: { type: redis, provider: operator }',
    at: 'operator }',
    expected:
      'dependencies.db.provider: provider: operator runs postgres (a CloudNativePG Cluster), not redis',
    hint: 'hint: use provider: statefulset, chart or external',
  },
  {
    name: 'operator: without provider: operator',
    dependency:
      '  db: { type: postgres, provider: chart, chart: { version: "1.0.0" }, operator: { instances: 3 } }',
    at: '{ instances',
    expected: 'dependencies.db.operator: operator: applies only to provider: operator',
    hint: 'hint: set provider: operator, or remove operator:',
  },
  {
    name: 'an unknown provider',
    dependency: '  db: { type: postgres, provider: helm }',
    at: 'helm }',
    expected: 'dependencies.db.provider:',
    hint: '',
  },
];

describe('dependency providers in the spec', () => {
  it.each(BAD)('$name: file:line:col, field and hint', ({ dependency, at, expected, hint }) => {
    const lines = problems(BASE + dependency + '\n');
    const column = dependency.lastIndexOf(at) + 1;
    expect(lines[0], lines.join('\n')).toContain(`slipway.yaml:9:${column} ${expected}`);
    if (hint) expect(lines[1]?.trim()).toBe(hint);
  });

  it('a subchart named like a key of the chart values is refused', () => {
    const yaml = BASE.replace('${db.url}', '${tests.url}').replace('${db.host}', '${tests.host}');
    const lines = problems(
      `${yaml}  tests: { type: postgres, provider: chart, chart: { version: "1.0.0" } }\n`,
    );
    expect(lines[0]).toContain('dependencies.tests: a subchart');
  });
});

function input(dependency: string) {
  const spec = parseSpec(
    `${BASE}${dependency}\nenvironments:\n  staging: {}\n  production: {}\n`,
    'slipway.yaml',
  );
  const environments = environmentNames(spec).map((env) => {
    const app = resolveEnvironment(spec, env, 'slipway.yaml');
    return { environment: env, app, objects: renderApp(app).objects };
  });
  return { spec, environments };
}

const envOf = (objects: { kind: string; spec?: unknown }[], name: string) =>
  (
    objects.find((o) => o.kind === 'Deployment')!.spec as {
      template: { spec: { containers: { env: { name: string; value?: string }[] }[] } };
    }
  ).template.spec.containers[0]!.env.find((e) => e.name === name);

/** The Cluster CRD's schema, with unknown fields refused as kubectl's strict field validation does. */
function clusterValidator() {
  const file = join(import.meta.dirname, '..', 'fixtures', 'cloudnative-pg', 'cluster-v1.schema.json');
  const { schema } = JSON.parse(readFileSync(file, 'utf8')) as { schema: Record<string, unknown> };
  const strict = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strict);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = k.startsWith('x-kubernetes-') ? undefined : strict(v);
    const n = node as Record<string, unknown>;
    if (n.properties && n.additionalProperties === undefined && !n['x-kubernetes-preserve-unknown-fields'])
      out.additionalProperties = false;
    return JSON.parse(JSON.stringify(out));
  };
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The formats the CRD uses (OpenAPI's integers, RFC 3339 times); ajv alone knows none of them.
  for (const [format, bits] of [
    ['int32', 31],
    ['int64', 63],
  ] as const)
    ajv.addFormat(format, {
      type: 'number',
      validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** bits,
    });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i);
  return ajv.compile(strict(schema) as object);
}

describe('what each provider renders', () => {
  it('statefulset (the default): a StatefulSet and Services, as before', () => {
    const { environments } = input('  db: { type: postgres, storage: 5Gi }');
    const objects = environments[1]!.objects;
    expect(
      objects
        .filter((o) => o.metadata.name === 'shop-db')
        .map((o) => o.kind)
        .sort(),
    ).toEqual(['NetworkPolicy', 'Service', 'ServiceAccount', 'StatefulSet']);
    expect(envOf(objects, 'DB_HOST')?.value).toBe('shop-db.shop.svc');
  });

  it('operator: a CloudNativePG Cluster that the upstream CRD schema accepts, the app pointed at <cluster>-rw', () => {
    const { environments } = input(
      '  db: { type: postgres, provider: operator, operator: { instances: 3 }, storage: 5Gi, storageClass: fast, database: orders }',
    );
    const objects = environments[1]!.objects;
    const cluster = objects.find((o) => o.kind === 'Cluster')!;
    expect(objects.some((o) => o.kind === 'StatefulSet')).toBe(false);
    const validate = clusterValidator();
    expect(validate(JSON.parse(JSON.stringify(cluster))), JSON.stringify(validate.errors)).toBe(true);
    // The validator is not lenient: a misspelt field and a wrong type are refused.
    const broken = JSON.parse(JSON.stringify(cluster));
    broken.spec.storage.sise = '1Gi';
    broken.spec.instances = 'three';
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath).sort()).toEqual(['/spec/instances', '/spec/storage']);
    expect(cluster).toMatchObject({
      apiVersion: 'postgresql.cnpg.io/v1',
      metadata: { name: 'shop-db', namespace: 'shop' },
      spec: {
        instances: 3,
        imageName: 'ghcr.io/cloudnative-pg/postgresql:16',
        inheritedMetadata: {
          labels: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'shop' },
        },
        bootstrap: { initdb: { database: 'orders', owner: 'shop', secret: { name: 'shop-db-credentials' } } },
        storage: { size: '5Gi', storageClass: 'fast' },
      },
    });
    expect(envOf(objects, 'DB_HOST')?.value).toBe('shop-db-rw.shop.svc');
    // The credentials Secret the deploy step makes: basic-auth, the owner as username, the URL on -rw.
    const secret = credentialsSecret(environments[1]!.app, 'db', 'pw')!;
    expect(secret.type).toBe('kubernetes.io/basic-auth');
    expect(secret.stringData).toEqual({
      username: 'shop',
      password: 'pw',
      url: 'postgresql://shop:pw@shop-db-rw.shop.svc:5432/orders',
    });
    // The app's egress reaches the Cluster's pods through the labels they inherit.
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'shop-api')!;
    expect(JSON.stringify(policy.spec)).toContain('"values":["db"]');
    // In the chart, the Cluster and the -rw host follow the release like every other name.
    const chart = writeHelmChart(input('  db: { type: postgres, provider: operator }')).files;
    expect(chart.get('templates/cluster-shop-db.yaml')).toContain(
      'name: {{ printf "%s-db" (include "shop.fullname" $) | toJson }}',
    );
    expect(chart.get('templates/deployment-shop-api.yaml')).toContain(
      'value: {{ printf "%s-db-rw.%s.svc" (include "shop.fullname" $) $.Release.Namespace | toJson }}',
    );
  });

  it('external: nothing in the cluster; the app reads the managed service from its Secret', () => {
    const { environments } = input(
      '  db: { type: postgres, provider: external, external: { secret: rds-orders } }',
    );
    const objects = environments[1]!.objects;
    expect(objects.filter((o) => o.metadata.name.startsWith('shop-db'))).toEqual([]);
    const deployment = JSON.stringify(objects.find((o) => o.kind === 'Deployment'));
    expect(deployment).toContain('{"secretKeyRef":{"name":"rds-orders","key":"url"}}');
  });

  it('chart: no objects of its own; Chart.yaml names the pinned subchart with a condition, its values use the credentials', () => {
    const data = input(
      '  db: { type: postgres, provider: chart, chart: { version: "16.7.4" }, storage: 8Gi, database: orders }\n  cache: { type: redis, provider: chart, chart: { version: "21.2.5", repository: "oci://mirror.example/charts" } }',
    );
    const objects = data.environments[1]!.objects;
    expect(objects.filter((o) => ['StatefulSet', 'Cluster'].includes(o.kind))).toEqual([]);
    expect(envOf(objects, 'DB_HOST')?.value).toBe('shop-db.shop.svc');
    const { files, warnings } = writeHelmChart(data);
    expect(parse(files.get('Chart.yaml')!).dependencies).toEqual([
      {
        name: 'postgresql',
        alias: 'db',
        version: '16.7.4',
        repository: 'oci://registry-1.docker.io/bitnamicharts',
        condition: 'db.enabled',
      },
      {
        name: 'redis',
        alias: 'cache',
        version: '21.2.5',
        repository: 'oci://mirror.example/charts',
        condition: 'cache.enabled',
      },
    ]);
    const values = parse(files.get('values-production.yaml')!);
    expect(values.db).toEqual({
      enabled: true,
      fullnameOverride: 'shop-db',
      architecture: 'standalone',
      auth: {
        username: 'shop',
        database: 'orders',
        existingSecret: 'shop-db-credentials',
        secretKeys: { userPasswordKey: 'password', adminPasswordKey: 'password' },
      },
      primary: { persistence: { size: '8Gi' } },
    });
    expect(values.cache).toEqual({
      enabled: true,
      fullnameOverride: 'shop-cache',
      architecture: 'standalone',
      auth: {
        enabled: true,
        existingSecret: 'shop-cache-credentials',
        existingSecretPasswordKey: 'password',
      },
      master: { persistence: { size: '1Gi' } },
    });
    // The host the credentials URL and ${cache.host} name is the redis chart's standalone Service.
    const url = credentialsSecret(data.environments[1]!.app, 'cache', 'pw')!.stringData as Record<
      string,
      string
    >;
    expect(url.url).toBe('redis://:pw@shop-cache-master.shop.svc:6379');
    expect(warnings.map((w) => w.message)).toEqual([]);
  });
});
