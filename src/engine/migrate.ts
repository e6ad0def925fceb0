/**
 * Migrations: the rendered migration Job applied and waited for before any workload changes. A
 * failed Job stops the deploy with nothing switched, and its pod's log in the error so the user
 * sees why without a second command. The Job's name carries a hash of its image and command
 * (render), so re-running a deploy whose migration already completed finds it complete at once.
 */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../cluster/cluster.js';
import { FIELD_MANAGER } from './defaults.js';

/** Lines of the migration pod's log shown when it fails. */
const LOG_TAIL_LINES = 40;

interface Job extends KubeObject {
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

export class MigrationFailed extends Error {
  constructor(
    readonly job: string,
    readonly logs: string,
    reason: string,
  ) {
    super(`migration Job ${job} failed${reason ? ` (${reason})` : ''}${logs ? `; its log:\n${logs}` : ''}`);
    this.name = 'MigrationFailed';
  }
}

function outcome(job: Job | undefined): { type: string; reason?: string } | undefined {
  return job?.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

export async function runMigration(
  cluster: Cluster,
  job: KubeObject,
  namespace: string,
  signal: AbortSignal,
): Promise<void> {
  const name = job.metadata.name ?? '';
  await cluster.apply([job], { fieldManager: FIELD_MANAGER });
  const done = await cluster.watch<Job>(
    { apiVersion: 'batch/v1', kind: 'Job', namespace, name },
    (j) => outcome(j) !== undefined,
    signal,
  );
  const result = outcome(done)!;
  if (result.type === 'Complete') return;
  // The Job controller labels its pods with the Job's name (batch.kubernetes.io/job-name, and job-name before 1.27).
  let pods = (
    await cluster.list(
      { apiVersion: 'v1', kind: 'Pod', namespace },
      { labelSelector: { 'batch.kubernetes.io/job-name': name } },
    )
  ).items;
  if (pods.length === 0)
    pods = (
      await cluster.list(
        { apiVersion: 'v1', kind: 'Pod', namespace },
        { labelSelector: { 'job-name': name } },
      )
    ).items;
  const newest = pods.sort((a, b) =>
    (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
  )[0];
  const logs = newest
    ? (
        await cluster
          .podLogs({ namespace, name: newest.metadata.name ?? '' }, { tailLines: LOG_TAIL_LINES })
          .catch(() => '')
      ).trimEnd()
    : '';
  throw new MigrationFailed(name, logs, result.reason ?? '');
}
