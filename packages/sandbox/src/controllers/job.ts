/**
 * The Job controller (pkg/controller/job/job_controller.go), simplified: keeps
 * min(parallelism, completions − succeeded) pods running, counts Succeeded/Failed pods, and ends
 * with Complete (after SuccessCriteriaMet) or Failed/BackoffLimitExceeded (after FailureTarget)
 * once failures exceed backoffLimit. Failed pods are replaced at once (upstream waits an
 * exponential 10 s backoff); container restarts under OnFailure do not count toward backoffLimit.
 * activeDeadlineSeconds fails the Job (DeadlineExceeded); ttlSecondsAfterFinished deletes it.
 */
import { type KubeObject, rfc3339, type LabelSelector } from '@slipway/kube';
import { ownerKey, selfKey, type ControllerSpec, type LoopContext } from './loop.js';
import {
  getCondition,
  isPodActive,
  isPodReady,
  setCondition,
  spec,
  splitKey,
  status,
  type Condition,
  type Kinds,
} from './objects.js';
import { ownedPods, podFromTemplate } from './replicaset.js';

interface JobSpec {
  completions?: number;
  parallelism?: number;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  suspend?: boolean;
  selector?: LabelSelector;
  template?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Record<string, unknown>;
  };
}

export function isJobFinished(job: KubeObject): 'Complete' | 'Failed' | undefined {
  const conditions = status<{ conditions?: Condition[] }>(job).conditions;
  if (getCondition(conditions, 'Complete')?.status === 'True') return 'Complete';
  if (getCondition(conditions, 'Failed')?.status === 'True') return 'Failed';
  return undefined;
}

export function jobController(ctx: LoopContext, k: Kinds): ControllerSpec {
  return {
    name: 'job-controller',
    inputs: [
      { type: k.job, keys: selfKey },
      { type: k.pod, keys: ownerKey('Job') },
    ],
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const job = ctx.store.get(k.job, namespace, name);
      if (!job || job.metadata.deletionTimestamp) return;
      const s = spec<JobSpec>(job);
      if (isJobFinished(job)) return expireFinished(job, s);
      const now = rfc3339(ctx.clock.now());
      const started = status<{ startTime?: string }>(job).startTime;
      const deadlineLeft =
        s.activeDeadlineSeconds !== undefined && started
          ? Date.parse(started) + s.activeDeadlineSeconds * 1000 - ctx.clock.now().getTime()
          : undefined;
      const pods = ownedPods(ctx, k, job, s.selector);
      const phase = (p: KubeObject) => status<{ phase?: string }>(p).phase;
      const succeeded = pods.filter((p) => phase(p) === 'Succeeded').length;
      const failed = pods.filter((p) => phase(p) === 'Failed').length;
      let active = pods.filter(isPodActive);
      const completions = s.completions ?? 1;
      const st = { ...status<Record<string, unknown>>(job) };
      let conditions = [...((st.conditions as Condition[] | undefined) ?? [])];
      const cond = (type: string, reason: string, message: string) => {
        conditions = setCondition(
          conditions,
          { type, status: 'True', reason, message, lastProbeTime: now },
          now,
        );
      };
      const stopActive = () => {
        for (const p of active) ctx.store.delete(k.pod, namespace, p.metadata.name as string);
        active = [];
      };
      if (succeeded >= completions) {
        stopActive();
        cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods');
        cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods');
        ctx.events?.record(job, 'Normal', 'Completed', 'Job completed');
        st.completionTime = now;
      } else if (deadlineLeft !== undefined && deadlineLeft <= 0) {
        stopActive();
        cond('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline');
        cond('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline');
        ctx.events?.record(
          job,
          'Warning',
          'DeadlineExceeded',
          'Job was active longer than specified deadline',
        );
      } else if (failed > (s.backoffLimit ?? 6)) {
        stopActive();
        cond('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
        cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
        ctx.events?.record(
          job,
          'Warning',
          'BackoffLimitExceeded',
          'Job has reached the specified backoff limit',
        );
      } else if (s.suspend) {
        stopActive();
        cond('Suspended', 'JobSuspended', 'Job suspended');
      } else {
        const want = Math.min(s.parallelism ?? 1, completions - succeeded) - active.length;
        for (let i = 0; i < want; i++) {
          const pod = ctx.store.create(podFromTemplate(job, s.template, { generateName: `${name}-` }));
          ctx.events?.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        }
        active = ownedPods(ctx, k, job, s.selector).filter(isPodActive);
      }
      st.startTime ??= now;
      st.active = active.length;
      st.ready = active.filter(isPodReady).length;
      st.succeeded = succeeded;
      st.failed = failed;
      for (const f of ['active', 'succeeded', 'failed'] as const) if (st[f] === 0) delete st[f];
      st.conditions = conditions;
      if (!conditions.length) delete st.conditions;
      const stored = ctx.store.update({ ...job, status: st }, { subresource: 'status' });
      if (isJobFinished(stored)) return expireFinished(stored, s);
      // activeDeadlineSeconds counts from startTime; look again when it runs out.
      const left =
        s.activeDeadlineSeconds !== undefined
          ? Date.parse(st.startTime as string) + s.activeDeadlineSeconds * 1000 - ctx.clock.now().getTime()
          : undefined;
      return left !== undefined ? Math.max(1, left + 1) : undefined;
    },
  };

  /** The TTL-after-finished controller: a finished Job goes ttlSecondsAfterFinished later, with its pods. */
  function expireFinished(job: KubeObject, s: JobSpec): number | undefined {
    if (s.ttlSecondsAfterFinished === undefined) return undefined;
    const st = status<{ completionTime?: string; conditions?: Condition[] }>(job);
    const finishedAt =
      st.completionTime ??
      st.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
        ?.lastTransitionTime;
    const left = Date.parse(finishedAt ?? '') + s.ttlSecondsAfterFinished * 1000 - ctx.clock.now().getTime();
    if (Number.isFinite(left) && left > 0) return left + 1;
    ctx.store.delete(k.job, job.metadata.namespace, job.metadata.name as string, {
      propagationPolicy: 'Background',
    });
    return undefined;
  }
}
