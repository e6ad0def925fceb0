/**
 * One run of a backup pod as a Job: create it, wait for Complete or Failed within a budget, and
 * read what its script reported (`slipway:{json}` lines in the pod's log). Every backup command
 * works through Jobs in the cluster, never through a connection from the machine running Slipway,
 * so it works the same from a laptop and from a CI runner that reaches only the API server.
 */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../cluster/cluster.js';
import { EXIT_FAILED, UserError } from '../errors.js';
import { formatDuration } from '../spec/duration.js';
import { Budget, DeadlineExceeded } from '../engine/deadline.js';
import type { Clock } from '../engine/clock.js';
import { FIELD_MANAGER } from '../engine/defaults.js';

const LOG_LINES = 400;

export interface JobReport {
  job: string;
  ok: boolean;
  /** Each `slipway:` line's JSON, in order. */
  records: Array<Record<string, unknown>>;
  /** The rest of the log (the tools' own messages), last lines. */
  log: string;
  reason?: string;
}

interface PodContainers {
  initContainers?: Array<{ name: string }>;
  containers?: Array<{ name: string }>;
}

interface Job extends KubeObject {
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

function finished(job: Job | undefined): { type: string; reason?: string; message?: string } | undefined {
  return job?.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

export function parseReport(text: string): Pick<JobReport, 'records' | 'log'> {
  const records: Array<Record<string, unknown>> = [];
  const other: string[] = [];
  for (const line of text.split('\n')) {
    const at = line.indexOf('slipway:{');
    if (at >= 0) {
      try {
        records.push(JSON.parse(line.slice(at + 'slipway:'.length)) as Record<string, unknown>);
        continue;
      } catch {
        // not one of ours: keep it in the log
      }
    }
    if (line.trim()) other.push(line);
  }
  return { records, log: other.slice(-40).join('\n') };
}

export interface RunJobOptions {
  cluster: Cluster;
  clock: Clock;
  namespace: string;
  timeoutMs: number;
  /** What the job does, for messages: `backup of db`. */
  what: string;
}

/** Creates `job`, waits for it to finish and returns its report; the Job is left for its TTL (its log stays readable). */
export async function runJob(job: KubeObject, opts: RunJobOptions): Promise<JobReport> {
  const { cluster, namespace } = opts;
  const name = job.metadata.name ?? '';
  await cluster.create(job, { fieldManager: FIELD_MANAGER });
  const ref = { apiVersion: 'batch/v1', kind: 'Job', namespace, name };
  const done = await withinBudget(
    opts.clock,
    opts.timeoutMs,
    `the ${opts.what} (Job ${namespace}/${name})`,
    (signal) => cluster.watch<Job>(ref, (j) => finished(j) !== undefined, signal),
    () => cluster.delete(ref, { propagationPolicy: 'Background' }).catch(() => false),
  );
  const outcome = finished(done);
  const text = await jobLog(cluster, namespace, name);
  return {
    job: name,
    ok: outcome?.type === 'Complete',
    ...parseReport(text),
    reason: outcome?.type === 'Failed' ? (outcome.message ?? outcome.reason) : undefined,
  };
}

/**
 * The log of the Job's newest pod (the Job controller labels its pods with the Job's name): each
 * container's in the order they ran, init containers first (a dump, then its upload).
 */
async function jobLog(cluster: Cluster, namespace: string, job: string): Promise<string> {
  const pods = (
    await cluster.list(
      { apiVersion: 'v1', kind: 'Pod', namespace },
      { labelSelector: { 'batch.kubernetes.io/job-name': job } },
    )
  ).items.sort((a, b) =>
    (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
  );
  const pod = pods[0] as (KubeObject & { spec?: PodContainers }) | undefined;
  if (!pod) return '';
  const name = pod.metadata.name ?? '';
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const logs = await Promise.all(
    containers.map((c) =>
      cluster
        .podLogs({ namespace, name }, { container: c.name, tailLines: LOG_LINES })
        // A container that never started has no log.
        .catch(() => ''),
    ),
  );
  return logs.join('\n');
}

/**
 * `wait` within `ms`: when the budget runs out, `giveUp` runs (say, deleting the Job) and the wait
 * ends as a failure (exit 1) naming what took too long; any other error passes through.
 */
export async function withinBudget<T>(
  clock: Clock,
  ms: number,
  what: string,
  wait: (signal: AbortSignal) => Promise<T>,
  giveUp?: () => Promise<unknown>,
): Promise<T> {
  const budget = new Budget(clock, ms, what);
  try {
    return await wait(budget.signal);
  } catch (err) {
    if (!(budget.signal.reason instanceof DeadlineExceeded)) throw err;
    await giveUp?.();
    throw new UserError(`gave up waiting for ${what} after ${formatDuration(ms)}`, {
      code: 'backup/timeout',
      exitCode: EXIT_FAILED,
      hint: 'raise --timeout for a large database, or see kubectl describe for why it is slow',
    });
  } finally {
    budget.dispose();
  }
}
