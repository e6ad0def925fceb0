import { describe, expect, it } from 'vitest';
import type { NamedObject } from '@slipway/kube';
import { check } from '../../src/policy/engine.js';
import { parseManifests } from '../../src/policy/load/parse.js';
import { manifestsYaml, renderApp } from '../../src/render/index.js';
import { resolved } from './fixtures.js';
import { find } from './helpers.js';

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
  const r = renderApp(
    app({
      backups: {
        db: { schedule: '0 1 * * *', keep: 14, rto: '1h' },
        cache: { schedule: '0 */6 * * *', keep: 4, storage: '5Gi' },
        memory: { schedule: '0 3 * * *', keep: 7 },
        vectors: { schedule: '0 3 * * *', keep: 7 },
      },
    }),
  );

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

  it('chromadb is named in a warning: nothing backs it up', () => {
    expect(r.warnings.map((w) => w.path)).toEqual(['backups.vectors']);
    expect(r.objects.some((o) => o.metadata.name === 'shop-vectors-backup')).toBe(false);
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
    ]);
    const { manifests } = parseManifests(manifestsYaml(r.objects), 'all.yaml');
    const names = new Set(backupObjects.map((o) => o.metadata.name));
    const findings = check({ manifests, options: OPTIONS }).findings.filter(
      (f) => f.severity !== 'info' && names.has(f.object.name),
    );
    expect(findings.map((f) => `${f.rule} ${f.message}`)).toEqual([]);
  });
});
