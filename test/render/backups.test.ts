import { describe, expect, it } from 'vitest';
import type { NamedObject } from '@slipway/kube';
import { check } from '../../src/policy/engine.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { manifestsYaml, renderApp } from '../../src/render/index.js';
import { resolved } from './fixtures.js';
import { find } from './helpers.js';
import { backupPod, backupTarget } from '../../src/render/objects/backups.js';

const OPTIONS = { kubeVersion: { major: 1, minor: 36 }, pssVersion: { major: 1, minor: 35 } };

function app(extra: Parameters<typeof resolved>[0] extends infer P ? Partial<P> : never) {
  return resolved({
    services: {
      api: { image: 'a:1', port: 8080, env: { DATABASE_URL: '${db.url}' } },
      bot: {
        image: 'b:1',
        port: 8080,
        volumes: [{ name: 'data', path: '/app/data', size: '1Gi' }],
        security: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
      },
    },
    dependencies: {
      db: { type: 'postgres', version: '16' },
      cache: { type: 'redis' },
      memory: { type: 'sqlite', service: 'bot', volume: 'data', file: 'bot.db' },
      vectors: { type: 'chromadb' },
    },
    ...extra,
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a rendered pod spec, read field by field
type Loose = any;
const pod = (o: NamedObject): Loose =>
  (o.spec as { jobTemplate: { spec: { template: { spec: unknown } } } }).jobTemplate.spec.template.spec;

describe('render: backups', () => {
  const input = app({
    backups: {
      db: { schedule: '0 1 * * *', keep: 14, rto: '1h' },
      cache: { schedule: '0 */6 * * *', keep: 4, storage: '5Gi' },
      memory: { schedule: '0 3 * * *', keep: 7 },
      vectors: { schedule: '0 3 * * *', keep: 7 },
    },
  });
  const r = { ...renderApp(input), app: input };

  it('a CronJob per dependency that never overlaps, with the dependency image and its own dump tool', () => {
    const db = find(r.objects, 'CronJob', 'shop-db-backup');
    expect(db.spec).toMatchObject({ schedule: '0 1 * * *', concurrencyPolicy: 'Forbid' });
    const c = pod(db).containers[0];
    expect(c.image).toBe('postgres:16');
    expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.command[2]).toContain('pg_dump -h "$host" -p "$port" -d "$PGDATABASE" -Fc');
    expect(c.command[2]).toContain('--globals-only');
    expect(c.env).toContainEqual({ name: 'DB_ADDRESS', value: 'shop-db.shop.svc:5432' });
    expect(c.env).toContainEqual({ name: 'KEEP', value: '14' });
    expect(pod(find(r.objects, 'CronJob', 'shop-cache-backup')).containers[0].command[2]).toContain('--rdb');
    expect(find(r.objects, 'PersistentVolumeClaim', 'shop-cache-backups').spec).toMatchObject({
      resources: { requests: { storage: '5Gi' } },
    });
    expect(find(r.objects, 'PersistentVolumeClaim', 'shop-db-backups').spec).toMatchObject({
      resources: { requests: { storage: '10Gi' } },
    });
  });

  it('SQLite: the online backup API from a pod beside the service, on its volume', () => {
    const p = pod(find(r.objects, 'CronJob', 'shop-memory-backup'));
    const c = p.containers[0];
    expect(c.command[2]).toContain(`sqlite3 "$DATABASE_PATH" ".timeout 10000" ".backup`);
    expect(c.env).toContainEqual({ name: 'DATABASE_PATH', value: '/app/data/bot.db' });
    expect(p.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'data-shop-bot-0' },
    });
    expect(p.securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 1000 });
    expect(p.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'bot', 'app.kubernetes.io/instance': 'shop' },
    });
  });

  it('chromadb: a backups volume but no CronJob (its writer must be stopped; backups.yml runs slipway backup run)', () => {
    expect(r.warnings).toEqual([]);
    expect(r.objects.some((o) => o.kind === 'CronJob' && o.metadata.name === 'shop-vectors-backup')).toBe(
      false,
    );
    expect(find(r.objects, 'PersistentVolumeClaim', 'shop-vectors-backups')).toBeDefined();
    const target = backupTarget(r.app, 'vectors')!;
    expect(target.files).toEqual({
      service: 'vectors',
      workload: 'shop-vectors',
      claim: 'data-shop-vectors-0',
      mountPath: '/data',
      stop: true,
    });
    const p = backupPod(r.app, target, 'backup', { keep: 7 });
    expect(p.affinity).toBeUndefined();
    const c = (p as Loose).containers[0];
    expect(c.command[2]).toContain('tar -C "$DATA_DIR" -cf "$out/data.tar" .');
    expect(c.env).toContainEqual({ name: 'DATA_DIR', value: '/data' });
    expect((p as Loose).volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'data-shop-vectors-0' },
    });
  });

  it('backup pods may reach their database, and the database admits them', () => {
    const own = find(r.objects, 'NetworkPolicy', 'shop-db-backup');
    expect(own.spec).toMatchObject({ policyTypes: ['Egress'] });
    const db = find(r.objects, 'NetworkPolicy', 'shop-db');
    const from = JSON.stringify((db.spec as { ingress: unknown[] }).ingress);
    expect(from).toContain('db-backup');
  });

  it('slipway check finds nothing to warn about in the backup objects', () => {
    const backupObjects = r.objects.filter(
      (o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'backup',
    );
    expect(backupObjects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'CronJob/shop-cache-backup',
      'CronJob/shop-db-backup',
      'CronJob/shop-memory-backup',
      'NetworkPolicy/shop-cache-backup',
      'NetworkPolicy/shop-db-backup',
      'PersistentVolumeClaim/shop-cache-backups',
      'PersistentVolumeClaim/shop-db-backups',
      'PersistentVolumeClaim/shop-memory-backups',
      'PersistentVolumeClaim/shop-vectors-backups',
    ]);
    const { manifests } = parseManifests(manifestsYaml(r.objects), 'all.yaml');
    const names = new Set(backupObjects.map((o) => o.metadata.name));
    const findings = check({ manifests, options: OPTIONS }).findings.filter(
      (f) => f.severity !== 'info' && names.has(f.object.name),
    );
    expect(findings.map((f) => `${f.rule} ${f.message}`)).toEqual([]);
  });
});

describe('render: backups to object storage (to: s3://...)', () => {
  const r = renderApp(
    app({
      backups: {
        db: {
          schedule: '0 1 * * *',
          keep: 3,
          to: 's3://acme-backups/shop/',
          s3: { secret: 'backup-s3', endpoint: 'https://minio.example:9000', region: 'eu-west-1' },
          storage: '20Gi',
        },
        memory: { schedule: '0 3 * * *', keep: 7, to: 's3://acme-backups' },
      },
    }),
  );

  it('the dump writes into scratch space and rclone uploads it, with the manifest last; no backups volume', () => {
    const p = pod(find(r.objects, 'CronJob', 'shop-db-backup'));
    expect(p.initContainers.map((c: Loose) => [c.name, c.image])).toEqual([['backup', 'postgres:16']]);
    expect(p.containers.map((c: Loose) => [c.name, c.image])).toEqual([['upload', 'rclone/rclone:1.68.2']]);
    expect(p.volumes).toContainEqual({ name: 'backups', emptyDir: { sizeLimit: '20Gi' } });
    const upload = p.containers[0];
    expect(upload.env).toEqual(
      expect.arrayContaining([
        { name: 'REMOTE', value: 'backups:acme-backups/shop/shop/db' },
        { name: 'REMOTE_URL', value: 's3://acme-backups/shop/shop/db' },
        { name: 'RCLONE_CONFIG_BACKUPS_PROVIDER', value: 'Other' },
        { name: 'RCLONE_CONFIG_BACKUPS_ENDPOINT', value: 'https://minio.example:9000' },
        { name: 'RCLONE_CONFIG_BACKUPS_REGION', value: 'eu-west-1' },
        { name: 'KEEP', value: '3' },
      ]),
    );
    expect(upload.envFrom).toEqual([{ secretRef: { name: 'backup-s3' } }]);
    // The database's own container never sees the bucket's keys.
    expect(p.initContainers[0].envFrom).toBeUndefined();
    const script = upload.command[2] as string;
    expect(script.indexOf('--exclude manifest.json')).toBeLessThan(script.indexOf('copyto'));
    expect(upload.resources.limits['ephemeral-storage']).toBe('20Gi');
    expect(
      r.objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'shop-db-backups'),
    ).toBe(false);
  });

  it('AWS S3 without keys: the pod identity, port 443; SQLite gets a NetworkPolicy for the upload', () => {
    const p = pod(find(r.objects, 'CronJob', 'shop-memory-backup'));
    const upload = p.containers[0];
    expect(upload.env).toContainEqual({ name: 'RCLONE_CONFIG_BACKUPS_PROVIDER', value: 'AWS' });
    expect(upload.env).toContainEqual({ name: 'REMOTE', value: 'backups:acme-backups/shop/memory' });
    expect(upload.envFrom).toBeUndefined();
    // rclone never mounts the service's data volume: only the dump reads it.
    expect(upload.volumeMounts.map((m: Loose) => m.name)).toEqual(['backups', 'tmp']);
    expect(p.initContainers[0].volumeMounts.map((m: Loose) => m.name)).toContain('data');
    expect((find(r.objects, 'NetworkPolicy', 'shop-memory-backup').spec as Loose).egress).toEqual([
      { ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
    const db = (find(r.objects, 'NetworkPolicy', 'shop-db-backup').spec as Loose).egress;
    expect(db.at(-1)).toEqual({ ports: [{ protocol: 'TCP', port: 9000 }] });
  });

  it('slipway check finds nothing to warn about in them', () => {
    const { manifests } = parseManifests(manifestsYaml(r.objects), 'all.yaml');
    const findings = check({ manifests, options: OPTIONS }).findings.filter(
      (f) => f.severity !== 'info' && /backup/.test(f.object.name),
    );
    expect(findings.map((f) => `${f.object.name} ${f.rule} ${f.message}`)).toEqual([]);
  });
});
