/**
 * `slipway deploy --infra-outputs FILE`: the outputs of `terraform output -json` replace the
 * managed dependencies' StatefulSets with a Secret holding the cloud endpoint, and a bad file is
 * refused with exit 2 before anything reaches a cluster.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { UserError } from '../../src/errors.js';
import { parseTerraformOutputs, withManagedEndpoints } from '../../src/infra/outputs.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec, resolveEnvironment } from '../../src/spec/index.js';

const SPEC = 'examples/api-web-db-redis-kafka/slipway.yaml';
const OUTPUTS = {
  db_host: {
    value: 'storefront-staging-db.abc.eu-west-1.rds.amazonaws.com',
    type: 'string',
    sensitive: false,
  },
  db_port: { value: 5432, type: 'number', sensitive: false },
  db_database: { value: 'storefront', type: 'string', sensitive: false },
  cache_host: { value: 'master.storefront-staging-cache.abc.euw1.cache.amazonaws.com', type: 'string' },
  cache_port: { value: 6379, type: 'number' },
  namespace: { value: 'storefront', type: 'string' },
};

describe('deploy --infra-outputs', () => {
  const app = resolveEnvironment(parseSpec(readFileSync(SPEC, 'utf8'), SPEC), 'staging', SPEC);

  it('managed dependencies become Secrets with the cloud endpoints; their StatefulSets are gone', () => {
    const outputs = parseTerraformOutputs(JSON.stringify(OUTPUTS), 'outputs.json');
    const managed = withManagedEndpoints(app, outputs, 'outputs.json');
    expect(managed.secrets.map((s) => [s.metadata.name, (s.stringData as { url: string }).url])).toEqual([
      [
        'storefront-db-managed',
        'postgresql://storefront-staging-db.abc.eu-west-1.rds.amazonaws.com:5432/storefront?sslmode=require',
      ],
      [
        'storefront-cache-managed',
        'rediss://master.storefront-staging-cache.abc.euw1.cache.amazonaws.com:6379',
      ],
    ]);
    const before = renderApp(app)
      .objects.filter((o) => o.kind === 'StatefulSet')
      .map((o) => o.metadata.name);
    const objects = renderApp(managed.app).objects;
    const after = objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name);
    expect(before).toEqual(
      expect.arrayContaining(['storefront-db', 'storefront-cache', 'storefront-events']),
    );
    expect(after).toEqual(['storefront-events']);
    const api = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'storefront-api');
    expect(JSON.stringify(api)).toContain('"secretKeyRef":{"name":"storefront-db-managed","key":"url"}');
  });

  it('a changed endpoint changes the pod templates that read it, and only those', () => {
    const templates = (db: string) => {
      const outputs = { ...OUTPUTS, db_host: { value: db, type: 'string' } };
      const managed = withManagedEndpoints(
        app,
        parseTerraformOutputs(JSON.stringify(outputs), 'o.json'),
        'o.json',
      );
      return Object.fromEntries(
        renderApp(managed.app)
          .objects.filter((o) => o.kind === 'Deployment')
          .map((o) => [
            o.metadata.name,
            (o.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata
              .annotations ?? {},
          ]),
      );
    };
    const before = templates('storefront-staging-db.abc.eu-west-1.rds.amazonaws.com');
    const after = templates('storefront-staging-db-restored.abc.eu-west-1.rds.amazonaws.com');
    expect(before).toEqual(templates('storefront-staging-db.abc.eu-west-1.rds.amazonaws.com'));
    for (const reader of ['storefront-api', 'storefront-order-events']) {
      expect(before[reader]?.['slipway.dev/endpoint-db']).toMatch(/^[0-9a-f]{64}$/);
      expect(after[reader]?.['slipway.dev/endpoint-db']).not.toBe(
        before[reader]?.['slipway.dev/endpoint-db'],
      );
      expect(after[reader]?.['slipway.dev/endpoint-cache']).toBe(
        before[reader]?.['slipway.dev/endpoint-cache'],
      );
    }
    expect(before['storefront-api']?.['slipway.dev/endpoint-cache']).toMatch(/^[0-9a-f]{64}$/);
    expect(before['storefront-order-events']?.['slipway.dev/endpoint-cache']).toBeUndefined();
    expect(after['storefront-web']).toEqual(before['storefront-web']);
    expect(Object.keys(before['storefront-web'] ?? {}).filter((k) => k.includes('endpoint'))).toEqual([]);
  });

  it('a missing output names the dependency and the outputs it needs', () => {
    const outputs = parseTerraformOutputs(JSON.stringify({ db_host: { value: 'h' } }), 'o.json');
    expect(() => withManagedEndpoints(app, outputs, 'o.json')).toThrow(
      'o.json has no db_port for the managed postgres "db"',
    );
  });

  it('a file that is not terraform output -json is refused at its line and column', () => {
    let error: unknown;
    try {
      parseTerraformOutputs('{\n  "db_host": { "value": "h" },\n  oops\n}', 'o.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).location).toEqual({ file: 'o.json', line: 3, column: 3 });
    expect(() => parseTerraformOutputs('{"db_host": "h"}', 'o.json')).toThrow(
      'is not the output of terraform output -json',
    );
  });

  it('the CLI exits 2 on a bad file before it reaches a cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-infra-outputs-'));
    const file = join(dir, 'outputs.json');
    writeFileSync(file, '[]');
    const io = memoryIo({ env: { KUBECONFIG: join(dir, 'no-kubeconfig') } });
    const code = await main(
      ['node', 'slipway', 'deploy', '-f', SPEC, '--env', 'staging', '--infra-outputs', file],
      io.io,
    );
    expect(code).toBe(2);
    expect(io.stderr()).toContain('is not the output of terraform output -json');
  });
});
