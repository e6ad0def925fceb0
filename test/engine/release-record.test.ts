/**
 * Part 9 of issue 25, on the in-memory cluster: each release records the objects it applied, and a
 * rollback or an automatic revert applies exactly those, not the recorded spec rendered again. The
 * case that showed it: a spec whose service reads a file (`config: [{ from: app.conf }]`) deploys,
 * rolls back without the file at hand, and then reports no diff.
 */
import type { KubeObject } from '@slipway/kube';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deploy } from '../../src/engine/deploy.js';
import { diff } from '../../src/engine/diff.js';
import { applyOverrides } from '../../src/engine/overrides.js';
import {
  isSecretReference,
  RECORDED_DATA_CHECKSUM,
  recordedObjects,
} from '../../src/engine/releases/objects.js';
import { releaseSecret } from '../../src/engine/releases/secrets.js';
import { rollback } from '../../src/engine/rollback.js';
import { status } from '../../src/engine/status.js';
import { UserError } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';
import type { ResolvedApp } from '../../src/spec/resolved.js';
import { memoryEngine } from './helpers/engine.js';

const SPEC = 'examples/sample-service/slipway.yaml';
/** The sample service reading /etc/app/app.conf from app.conf next to slipway.yaml. */
const withConfig = (tag: string): ResolvedApp => {
  const app = resolveEnvironment(parseSpec(readFileSync(SPEC, 'utf8'), SPEC), 'dev');
  delete app.deploy.analysis;
  app.services.web!.config = [{ path: '/etc/app/app.conf', from: 'app.conf' }];
  return applyOverrides(app, [], [`web=sample-service:${tag}`]).app;
};
const V1 = { 'app.conf': 'level=info\n' };
const V2 = { 'app.conf': 'level=debug\n' };

function setup() {
  const { cluster, store, ctx, events, stop } = memoryEngine();
  const live = async () => {
    const files = await cluster.get<KubeObject & { data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'sample',
      name: 'sample-web-files',
    });
    const web = await cluster.get<
      KubeObject & { spec: { template: { spec: { containers: Array<{ image: string }> } } } }
    >({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'sample', name: 'sample-web' });
    return { conf: files?.data?.['etc-app-app.conf'], image: web?.spec.template.spec.containers[0]?.image };
  };
  const warnings = () => events.flatMap((e) => (e.type === 'message' && e.level === 'warn' ? [e.text] : []));
  return { cluster, store, ctx, stop, live, warnings };
}

describe('a release record that can be trusted', () => {
  it('a spec reading a config file deploys (and dry-runs), rolls back to the recorded objects without the file, and reports no diff after', async () => {
    const { ctx, store, stop, live, warnings } = setup();
    // The engine renders nothing it was not given: without the file a dry run is refused at render.
    await expect(deploy(ctx, { app: withConfig('1.0.0'), overrides: [], dryRun: true })).rejects.toThrow(
      /the contents of app.conf were not given to render/,
    );
    const dry = await deploy(ctx, { app: withConfig('1.0.0'), overrides: [], dryRun: true, files: V1 });
    expect(dry.outcome).toBe('dry-run');

    expect((await deploy(ctx, { app: withConfig('1.0.0'), overrides: [], files: V1 })).outcome).toBe(
      'deployed',
    );
    expect(await live()).toEqual({ conf: 'level=info\n', image: 'sample-service:1.0.0' });
    expect((await deploy(ctx, { app: withConfig('2.0.0'), overrides: [], files: V2 })).outcome).toBe(
      'deployed',
    );
    expect(await live()).toEqual({ conf: 'level=debug\n', image: 'sample-service:2.0.0' });
    const [first] = await store.list('sample', 'dev');
    expect(
      first!.objects?.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'sample-web-files'),
    ).toMatchObject({ data: { 'etc-app-app.conf': 'level=info\n' } });

    // No files are passed: the rollback applies what revision 1 recorded.
    const back = await rollback(ctx, { app: 'sample', environment: 'dev' });
    stop.abort();
    expect(back.outcome).toBe('deployed');
    expect(back.target).toBe(1);
    expect(back.release?.steps.find((s) => s.step === 'check')?.outcome).toBe('skipped');
    expect(await live()).toEqual({ conf: 'level=info\n', image: 'sample-service:1.0.0' });
    expect(warnings().filter((w) => /kept no objects/.test(w))).toEqual([]);
    // The rollback's own record keeps the same objects, so rolling forward to it later is exact too.
    expect(back.release?.objects).toEqual(first!.objects);

    // The working tree back at v1: a deploy would change nothing, and status renders it too.
    const d = await diff(ctx, withConfig('1.0.0'), V1);
    expect(d.changes).toEqual([]);
    expect(d.unchanged).toBeGreaterThan(0);
    expect((await status(ctx, withConfig('1.0.0'), { files: V1 })).deployed?.revision).toBe(3);
  });

  it('an automatic revert puts back the recorded objects of the serving release, file contents included', async () => {
    const { ctx, stop, live } = setup();
    await deploy(ctx, { app: withConfig('1.0.0'), overrides: [], files: V1 });
    const failed = await deploy(ctx, { app: withConfig('broken'), overrides: [], files: V2 });
    stop.abort();
    expect(failed.outcome).toBe('rolled-back');
    expect(await live()).toEqual({ conf: 'level=info\n', image: 'sample-service:1.0.0' });
  });

  it('a release recorded without objects (an older Slipway) falls back to rendering its spec, with a note; one that cannot render is refused clearly', async () => {
    const { ctx, store, stop, live, warnings } = setup();
    const plain = (tag: string) => {
      const app = withConfig(tag);
      delete app.services.web!.config;
      return app;
    };
    await deploy(ctx, { app: plain('1.0.0'), overrides: [] });
    await deploy(ctx, { app: plain('2.0.0'), overrides: [] });
    const [old] = await store.list('sample', 'dev');
    delete old!.objects;
    await store.update(old!);
    const back = await rollback(ctx, { app: 'sample', environment: 'dev' });
    expect(back.outcome).toBe('deployed');
    expect((await live()).image).toBe('sample-service:1.0.0');
    expect(warnings()).toContain(
      'revision 1 was recorded by a Slipway that kept no objects in its release record: its recorded spec was rendered again with this version',
    );

    // An old record of a spec that read a file cannot be rendered again: exit 3, saying why and what to do.
    await deploy(ctx, { app: withConfig('3.0.0'), overrides: [], files: V1 });
    await deploy(ctx, { app: withConfig('4.0.0'), overrides: [], files: V2 });
    const third = (await store.list('sample', 'dev')).find((r) => r.images.web === 'sample-service:3.0.0')!;
    delete third.objects;
    await store.update(third);
    const refused = await rollback(ctx, { app: 'sample', environment: 'dev' }).catch((e: unknown) => e);
    stop.abort();
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toMatch(
      /kept no objects.*no longer renders: .*the contents of app.conf were not given to render/,
    );
    expect((refused as UserError).exitCode).toBe(3);
    expect((await live()).image).toBe('sample-service:4.0.0');
  });

  it('a Secret is recorded as a reference with a checksum of its data, and never applied again from the record', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'sample' },
      data: { password: Buffer.from('hunter2').toString('base64') },
    };
    const other = { ...secret, data: { password: Buffer.from('other').toString('base64') } };
    const [recorded] = recordedObjects([secret]);
    expect(JSON.stringify(recorded)).not.toContain(secret.data.password);
    expect(recorded).not.toHaveProperty('data');
    expect(recorded!.metadata.annotations?.[RECORDED_DATA_CHECKSUM]).toMatch(/^[0-9a-f]{64}$/);
    expect(recordedObjects([other])[0]!.metadata.annotations?.[RECORDED_DATA_CHECKSUM]).not.toBe(
      recorded!.metadata.annotations?.[RECORDED_DATA_CHECKSUM],
    );
    expect(isSecretReference(recorded!)).toBe(true);
    expect(isSecretReference(secret)).toBe(false);
  });

  it('a record above what a Secret holds is refused before it is written, naming its size', () => {
    const app = withConfig('1.0.0');
    // Random text does not compress: 1.5 MB of it cannot fit in 1 MiB.
    let noise = '';
    for (let i = 0; noise.length < 1_500_000; i++) noise += Math.sin(i * 7919).toString(36);
    const huge = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big', namespace: 'sample' },
      data: { blob: noise },
    };
    const release = {
      app: 'sample',
      environment: 'dev',
      revision: 1,
      phase: 'pending' as const,
      strategy: 'rolling' as const,
      spec: app,
      overrides: [],
      images: {},
      objects: [huge],
      createdAt: '',
      updatedAt: '',
      steps: [],
    };
    expect(() => releaseSecret(release, 'sample')).toThrow(
      /is \d+ bytes compressed; a Secret holds at most 1048576/,
    );
    expect(() => releaseSecret({ ...release, objects: [] }, 'sample')).not.toThrow();
  });
});
