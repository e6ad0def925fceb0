/**
 * The drill identity's table (src/infra/drill-access.ts) and the drill's code cannot drift apart:
 * `slipway backup drill` runs here, unchanged, against the in-memory cluster (this test plays the
 * Job controller and kubelet: each restore Job gets a pod whose log reports a verified restore, each
 * scratch StatefulSet becomes ready), and every request it makes is turned into the RBAC verb and
 * resource the API server authorizes. Each must be granted by drillRules, the Role's rules in the
 * app's namespace and the ClusterRole's anywhere. A new call in src/backup (a kind or a verb the
 * table misses) fails here, naming the request.
 */
import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { drill } from '../../src/backup/backup.js';
import type { ApplyOptions, WriteOptions } from '../../src/cluster/cluster.js';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { clusterContext } from '../../src/engine/context.js';
import { SecretReleaseStore } from '../../src/engine/releases/secrets.js';
import { RESOURCE_OF_KIND, type AccessRule } from '../../src/infra/deployer-access.js';
import { DRILL_KINDS, drillRules } from '../../src/infra/drill-access.js';
import { renderApp } from '../../src/render/index.js';
import { dependencyCredentialsName } from '../../src/render/names.js';
import { sampleRelease } from '../engine/releases/contract.js';
import { resolved } from '../render/fixtures.js';

const app = resolved({
  services: {
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
  },
  backups: {
    db: { schedule: '0 1 * * *', keep: 3 },
    cache: { schedule: '0 1 * * *', keep: 3 },
    memory: { schedule: '0 1 * * *', keep: 3 },
  },
});

/** The in-memory cluster with a Job controller and kubelet whose own writes are not the drill's requests. */
class DrillCluster extends MemoryCluster {
  /**
   * Starts a call of the controller's own and drops its request from `requests`: the memory cluster
   * records a request synchronously when a call starts, so no request of the drill slips in between.
   */
  private quiet<T>(call: () => Promise<T>): Promise<T> {
    const before = this.requests.length;
    const pending = call();
    this.requests.splice(before);
    return pending;
  }

  override async create<T extends KubeObject>(object: T, opts: WriteOptions = {}): Promise<T> {
    const created = await super.create(object, opts);
    if (object.kind !== 'Job') return created;
    const { name = '', namespace = '' } = created.metadata;
    const pod = `${name}-x1`;
    await this.quiet(() =>
      super.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod, namespace, labels: { 'batch.kubernetes.io/job-name': name } },
        spec: { containers: [{ name: 'restore' }] },
      } as KubeObject),
    );
    const manifest = { id: '20261206T010000Z', started: '2026-12-06T01:00:00Z', files: [] };
    this.logs.set(
      `${namespace}/${pod}`,
      `slipway:${JSON.stringify({ restoring: manifest })}\nslipway:{"verified":true}\n`,
    );
    setTimeout(() => {
      void this.quiet(() =>
        this.patch(
          { apiVersion: 'batch/v1', kind: 'Job', namespace, name },
          { status: { conditions: [{ type: 'Complete', status: 'True' }] } },
          'merge',
        ),
      );
    }, 1);
    return created;
  }

  override async apply(objects: KubeObject[], opts: ApplyOptions): Promise<KubeObject[]> {
    const applied = await super.apply(objects, opts);
    for (const o of applied.filter((x) => x.kind === 'StatefulSet'))
      setTimeout(() => {
        void this.quiet(() =>
          this.patch(
            {
              apiVersion: 'apps/v1',
              kind: 'StatefulSet',
              namespace: o.metadata.namespace,
              name: o.metadata.name!,
            },
            { status: { readyReplicas: 1 } },
            'merge',
          ),
        );
      }, 1);
    return applied;
  }
}

/** What the API server authorizes for each request the Cluster makes (src/cluster/kube.ts). */
const VERBS: Record<string, string[]> = {
  apply: ['patch', 'create'],
  create: ['create'],
  replace: ['update'],
  get: ['get'],
  list: ['list'],
  delete: ['delete'],
  patch: ['patch'],
  // watch(ref) and watchList: a list (by name or labels), then a watch from its resourceVersion
  watch: ['list', 'watch'],
  podLogs: ['get'],
};

function grants(rules: AccessRule[], resource: string, verb: string): boolean {
  return rules.some(
    (r) => `${r.apiGroup}/${r.resource}` === resource && (r.verbs as string[]).includes(verb),
  );
}

describe('the drill table and the drill cannot drift apart', () => {
  it('every request of a drill (a server copied into a scratch namespace, a file restored in its pod) is granted', async () => {
    const cluster = new DrillCluster({ namespace: 'shop' });
    const ctx = clusterContext(cluster, 'shop');
    const rendered = renderApp(app);
    // What a deploy leaves: the credentials Secrets, the namespace, a deployed release to record on.
    await cluster.apply(
      [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        ...['db', 'cache'].map((dep) => ({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: dependencyCredentialsName('shop', dep), namespace: 'shop' },
          data: { password: 'c2VjcmV0' },
        })),
      ] as KubeObject[],
      { fieldManager: 'test' },
    );
    await new SecretReleaseStore(cluster, 'shop').create(
      sampleRelease(1, 'deployed', { app: 'shop', environment: 'dev' }),
    );
    cluster.requests.splice(0);

    const { results, recordedOn } = await drill({ ctx, app, timeoutMs: 60_000 });
    expect(
      results.map((r) => `${r.dependency} ${r.result}`),
      JSON.stringify(results),
    ).toEqual(['cache passed', 'db passed', 'memory passed']);
    expect(recordedOn).toBe(1);

    const access = drillRules(app, rendered);
    const refused: string[] = [];
    const seen = new Set<string>();
    for (const { verb, ref } of cluster.requests) {
      const [kind, where = ''] = ref.split(' ');
      const namespace = where.includes('/') ? where.split('/')[0] : undefined;
      const mapping = RESOURCE_OF_KIND[kind!] ?? DRILL_KINDS[kind!];
      if (!mapping) {
        refused.push(`${verb} ${ref}: ${kind} is in neither RESOURCE_OF_KIND nor DRILL_KINDS`);
        continue;
      }
      const resource = `${mapping.apiGroup}/${mapping.resource}${verb === 'podLogs' ? '/log' : ''}`;
      const rules = namespace === 'shop' ? [...access.namespace, ...access.cluster] : access.cluster;
      for (const v of VERBS[verb] ?? [verb]) {
        seen.add(`${v} ${resource}`);
        if (!grants(rules, resource, v))
          refused.push(
            `${v} ${resource} (${verb} ${ref}) is not granted ${namespace === 'shop' ? 'in the app namespace' : 'cluster-wide'}`,
          );
      }
    }
    expect(refused, 'add the rule to drillRules (src/infra/drill-access.ts)').toEqual([]);
    // The drill really went through the scratch namespaces and the restore Jobs.
    expect([...seen].sort()).toEqual(
      expect.arrayContaining([
        'create /namespaces',
        'delete /namespaces',
        'create batch/jobs',
        'get /pods/log',
        'update /secrets',
        'watch apps/statefulsets',
      ]),
    );
  });

  it('only the files kinds: no scratch namespace, so no ClusterRole; nothing backed up: no drill identity', () => {
    const files = resolved({ ...app, backups: { memory: app.backups.memory! } });
    const access = drillRules(files, renderApp(files));
    expect(access.cluster).toEqual([]);
    expect(access.namespace.map((r) => `${r.apiGroup}/${r.resource} ${r.verbs.join(',')}`)).toEqual([
      '/pods list',
      '/pods/log get',
      '/secrets get,list,update',
      'batch/jobs create,delete,list,watch',
    ]);
    const none = resolved({ ...app, backups: {} });
    expect(drillRules(none, renderApp(none))).toEqual({ namespace: [], cluster: [] });
  });
});
