import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { MemoryCluster } from '../../../src/cluster/memory.js';
import { jobFactory } from '../../../src/engine/analysis/job.js';
import { ManualClock } from '../../../src/engine/clock.js';

/**
 * The in-memory cluster has no Job controller, so the test plays it: when the analysis Job
 * appears it starts a pod (with logs) and writes the Job's final condition, as kube-controller-
 * manager would.
 */
async function playJobController(
  cluster: MemoryCluster,
  name: string,
  outcome: 'Complete' | 'Failed',
  log: string,
): Promise<KubeObject> {
  const ref = { apiVersion: 'batch/v1', kind: 'Job', namespace: 'shop', name };
  const job = (await cluster.watch<KubeObject>(ref, (j) => j !== undefined, AbortSignal.timeout(5_000)))!;
  const labels = (job.spec as { template: { metadata: { labels: Record<string, string> } } }).template
    .metadata.labels;
  await cluster.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${name}-x7k2p`,
      namespace: 'shop',
      labels,
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid!, controller: true },
      ],
    },
  });
  cluster.logs.set(`shop/${name}-x7k2p`, log);
  await cluster.replace({
    ...job,
    status: {
      conditions: [
        { type: outcome, status: 'True', reason: outcome === 'Failed' ? 'BackoffLimitExceeded' : undefined },
      ],
    },
  });
  return job;
}

function setup() {
  const cluster = new MemoryCluster({ namespace: 'shop' });
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const provider = jobFactory.create(
    'smoke',
    {
      job: {
        image: 'ghcr.io/acme/shop-tests:{{revision}}',
        command: ['npm', 'test', '--', '--base={{service}}'],
      },
    },
    {
      cluster,
      clock,
      namespace: 'shop',
      vars: { app: 'shop', revision: '7', service: 'http://shop-api-preview:8080' },
    },
  );
  const name = `shop-analysis-smoke-${clock.now().getTime().toString(36)}-1`;
  return { cluster, provider, name };
}

describe('Job analysis provider', () => {
  it('runs the test container as a restricted Job with placeholders resolved; Complete is a success; the Job is cleaned up', async () => {
    const { cluster, provider, name } = setup();
    expect(provider.resolved).toMatchObject({
      image: 'ghcr.io/acme/shop-tests:7',
      command: ['npm', 'test', '--', '--base=http://shop-api-preview:8080'],
    });
    const [m, job] = await Promise.all([
      provider.measure(AbortSignal.timeout(5_000)),
      playJobController(cluster, name, 'Complete', 'all green\n'),
    ]);
    expect(m.phase).toBe('successful');
    const spec = job.spec as {
      backoffLimit: number;
      template: {
        spec: { restartPolicy: string; containers: Array<{ securityContext: Record<string, unknown> }> };
      };
    };
    expect(spec.backoffLimit).toBe(0);
    expect(spec.template.spec.restartPolicy).toBe('Never');
    expect(spec.template.spec.containers[0]?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(
      await cluster.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'shop', name }),
    ).toBeUndefined();
    expect(
      await cluster.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: `${name}-x7k2p` }),
    ).toBeUndefined();
  });

  it('a Failed Job is a failed measurement carrying the tail of the pod log', async () => {
    const { cluster, provider, name } = setup();
    const [m] = await Promise.all([
      provider.measure(AbortSignal.timeout(5_000)),
      playJobController(cluster, name, 'Failed', 'ok 1 - home page\nnot ok 2 - checkout returns 500\n'),
    ]);
    expect(m.phase).toBe('failed');
    expect(m.message).toContain('BackoffLimitExceeded');
    expect(m.message).toContain('not ok 2 - checkout returns 500');
  });

  it('a Job the API refuses is an error measurement', async () => {
    const { cluster, provider } = setup();
    const { ClusterError } = await import('../../../src/cluster/cluster.js');
    cluster.errors.create = new ClusterError(403, 'Forbidden', 'jobs.batch is forbidden');
    const m = await provider.measure(AbortSignal.timeout(5_000));
    expect(m.phase).toBe('error');
    expect(m.message).toContain('forbidden');
  });
});
