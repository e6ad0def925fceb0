/**
 * The pieces of `render --format terraform` on their own: the spec's infrastructure: and managed:
 * checks (file:line:col like every spec problem), backup retention from a schedule and `keep`, the
 * HCL writer's escaping and alignment, the deployer rules per rendered kind, and the Pod Security
 * level from the rendered pods.
 */
import { describe, expect, it } from 'vitest';
import { UserErrors } from '../../src/errors.js';
import { dnsZone, gibibytes, registryRepositories, retentionDays } from '../../src/infra/cloud.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  deployerRules,
  ENGINE_KINDS,
  NAMESPACE_RULE,
  ADMISSION_BINDINGS_RULE,
  RESOURCE_OF_KIND,
} from '../../src/infra/deployer-access.js';
import { arg, block, hclFile, nested, ref } from '../../src/infra/hcl.js';
import { podSecurityLevel } from '../../src/infra/kubernetes.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec, resolveEnvironment } from '../../src/spec/index.js';

const BASE = `app: shop
version: "1.0.0"
services:
  api: { image: ghcr.io/acme/api, port: 8080 }
`;

function problemsOf(text: string): string[] {
  try {
    parseSpec(text, 'slipway.yaml');
    return [];
  } catch (e) {
    if (!(e instanceof UserErrors)) throw e;
    return e.problems.map(
      (p) => `${p.location?.file}:${p.location?.line}:${p.location?.column} ${p.message}`,
    );
  }
}

describe('spec: infrastructure and managed', () => {
  it('managed: true without infrastructure is refused where it is written', () => {
    expect(problemsOf(`${BASE}dependencies:\n  db: { type: postgres, managed: true }\n`)).toEqual([
      'slipway.yaml:6:34 managed: true needs infrastructure: the cloud that runs the managed service',
    ]);
  });

  it('managed: true on a kind no cloud runs, or with external, is refused', () => {
    const infra = 'infrastructure: { provider: aws, region: eu-west-1 }\n';
    expect(problemsOf(`${BASE}${infra}dependencies:\n  q: { type: kafka, managed: true }\n`)).toEqual([
      'slipway.yaml:7:30 a kafka dependency has no managed service Slipway creates (postgres, mysql and redis do)',
    ]);
    expect(
      problemsOf(
        `${BASE}${infra}dependencies:\n  db: { type: postgres, managed: true, external: { secret: db } }\n`,
      ),
    ).toEqual([
      'slipway.yaml:7:34 managed: true creates the postgres in the cloud; it cannot also be external',
    ]);
  });

  it('an unknown provider or a malformed region is a schema problem at its line', () => {
    expect(problemsOf(`${BASE}infrastructure: { provider: oracle, region: eu-west-1 }\n`)[0]).toMatch(
      /^slipway\.yaml:5:29 .*aws.*gcp.*azure/,
    );
    expect(problemsOf(`${BASE}infrastructure: { provider: aws, region: EU West }\n`)[0]).toMatch(
      /^slipway\.yaml:5:42 expected a cloud region name/,
    );
  });
});

describe('cloud facts', () => {
  it('backups keep N copies of a schedule: the days a lifecycle keeps them', () => {
    expect(retentionDays('0 1 * * *', 14)).toBe(14);
    expect(retentionDays('0 */6 * * *', 4)).toBe(1);
    expect(retentionDays('0 */6 * * *', 8)).toBe(2);
    expect(retentionDays('@weekly', 4)).toBe(28);
    expect(retentionDays('0 3 * * 0', 2)).toBe(14);
    expect(retentionDays('0 3,15 * * *', 3)).toBe(2);
  });

  it('sizes, zones and registries', () => {
    expect(gibibytes('100Gi', 1)).toBe(100);
    expect(gibibytes('512Mi', 20)).toBe(1);
    expect(gibibytes(undefined, 20)).toBe(20);
    expect(dnsZone({ provider: 'aws', region: 'x' }, ['api.shop.example', 'shop.example'])).toBe(
      'shop.example',
    );
    expect(dnsZone({ provider: 'aws', region: 'x' }, ['a.example', 'b.other'])).toBeUndefined();
    const app = resolveEnvironment(
      parseSpec(
        `${BASE}  web: { image: "registry.example.com:5000/acme/web:1", port: 80 }\n  job: { image: busybox, schedule: "@daily" }\n`,
        'x.yaml',
      ),
      'default',
    );
    expect(registryRepositories([app])).toEqual(['acme/web', 'busybox']);
  });
});

describe('HCL writer', () => {
  it('aligns runs of one-line arguments, spaces blocks, escapes interpolation', () => {
    const text = hclFile([
      block(
        'resource',
        ['x_thing', 'a'],
        [
          ...arg('name', 'a "quoted" ${not} %{an} interpolation\\'),
          ...arg('longer_name', ref('var.x')),
          nested('inner', [...arg('n', 1)]),
          ...arg('tags', { app: 'a', 'k8s.io/x': true }),
          nested('empty', []),
        ],
      ),
    ]);
    expect(text).toBe(
      [
        'resource "x_thing" "a" {',
        '  name        = "a \\"quoted\\" $${not} %%{an} interpolation\\\\"',
        '  longer_name = var.x',
        '',
        '  inner {',
        '    n = 1',
        '  }',
        '',
        '  tags = {',
        '    app        = "a"',
        '    "k8s.io/x" = true',
        '  }',
        '',
        '  empty {}',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('deployer rules and Pod Security', () => {
  const spec = parseSpec(
    `${BASE}  migrate-me: { image: ghcr.io/acme/m, port: 80, migrations: { command: [m] } }\ndependencies:\n  db: { type: postgres }\n`,
    'x.yaml',
  );
  const app = resolveEnvironment(spec, 'default');
  const objects = renderApp(app).objects;

  it('one rule per resource the deploy touches, with the verbs the engine sends', () => {
    const rules = deployerRules(app, objects);
    const byResource = Object.fromEntries(
      rules.map((r) => [`${r.apiGroup}/${r.resource}`, r.verbs.join(',')]),
    );
    expect(byResource['apps/statefulsets']).toBe('create,delete,get,list,patch,watch');
    expect(byResource['batch/jobs']).toBe('create,delete,list,patch,watch');
    expect(byResource['/pods/log']).toBe('get');
    expect(byResource['coordination.k8s.io/leases']).toBe('create,delete,get,update');
    expect(byResource['/namespaces']).toBeUndefined();
    expect(rules.every((r) => r.why.length > 0)).toBe(true);
  });

  it('the namespace enforces restricted when every rendered pod passes it', () => {
    expect(podSecurityLevel(app, objects)).toBe('restricted');
    const relaxed = resolveEnvironment(
      parseSpec(
        [
          'app: shop',
          'version: "1.0.0"',
          'services:',
          '  api:',
          '    image: ghcr.io/acme/api',
          '    port: 8080',
          '    security: { relax: [{ rule: runAsNonRoot, reason: "the vendor image runs as root" }] }',
        ].join('\n'),
        'y.yaml',
      ),
      'default',
    );
    expect(podSecurityLevel(relaxed, renderApp(relaxed).objects)).toBe('baseline');
  });
});

describe('the deployer table and the engine cannot drift apart', () => {
  /** Every `kind: 'X'` a file under src/engine names (Kubernetes kinds start with a capital). */
  function engineKinds(): Set<string> {
    const dir = join(import.meta.dirname, '..', '..', 'src', 'engine');
    const kinds = new Set<string>();
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }))
      if (f.endsWith('.ts'))
        for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/kind: '([A-Z][A-Za-z]+)'/g))
          kinds.add(m[1]!);
    return kinds;
  }

  it('every kind the engine names is a rendered kind or one the table grants', () => {
    const kinds = engineKinds();
    expect(kinds.size).toBeGreaterThan(10);
    const unknown = [...kinds].filter((k) => !(k in RESOURCE_OF_KIND) && !(k in ENGINE_KINDS));
    expect(
      unknown,
      'add the kind to ENGINE_KINDS and a rule to deployerRules (src/infra/deployer-access.ts)',
    ).toEqual([]);
  });

  it('every engine-only kind is granted by the rules of an app that renders everything', () => {
    const spec = parseSpec(
      [
        'app: shop',
        'version: "1.0.0"',
        'services:',
        '  api: { image: ghcr.io/acme/api, port: 8080, migrations: { command: [m] } }',
        'deploy: { strategy: blue-green }',
      ].join('\n'),
      'z.yaml',
    );
    const app = resolveEnvironment(spec, 'default');
    const granted = new Set([
      ...deployerRules(app, renderApp(app).objects).map((r) => r.resource),
      NAMESPACE_RULE.resource,
      ADMISSION_BINDINGS_RULE.resource,
    ]);
    expect(Object.values(ENGINE_KINDS).filter((r) => !granted.has(r))).toEqual([]);
  });
});
