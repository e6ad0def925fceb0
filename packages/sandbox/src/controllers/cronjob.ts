/**
 * The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go), simplified: at each
 * scheduled time (parsed by cron-parser, honouring spec.timeZone) it creates
 * `<name>-<minutes since epoch>` from the jobTemplate, applies concurrencyPolicy
 * (Allow/Forbid/Replace), records lastScheduleTime/lastSuccessfulTime and the active Jobs, trims
 * finished Jobs to the history limits, and wakes up for the next time. Only the most recent missed
 * time is run (startingDeadlineSeconds bounds how late that may be).
 */
import { type KubeObject, rfc3339 } from '@slipway/kube';
import { CronExpressionParser } from 'cron-parser';
import { isJobFinished } from './job.js';
import { ownerKey, selfKey, type ControllerSpec, type LoopContext } from './loop.js';
import { isControlledBy, ownerRefTo, spec, splitKey, status, type Kinds } from './objects.js';

interface CronJobSpec {
  schedule: string;
  timeZone?: string;
  suspend?: boolean;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  startingDeadlineSeconds?: number;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Record<string, unknown>;
  };
}

export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** The most recent scheduled time in (after, now], and the next one after now. */
export function scheduleTimes(
  expr: string,
  tz: string | undefined,
  after: Date,
  now: Date,
): { due?: Date; next: Date } {
  const opts = { currentDate: now, ...(tz ? { tz } : {}) };
  const next = CronExpressionParser.parse(expr, opts).next().toDate();
  // `now` itself may be a scheduled instant: look back from just after it.
  const prev = CronExpressionParser.parse(expr, { ...opts, currentDate: new Date(now.getTime() + 1) })
    .prev()
    .toDate();
  return { ...(prev.getTime() > after.getTime() ? { due: prev } : {}), next };
}

export function cronJobController(ctx: LoopContext, k: Kinds): ControllerSpec {
  return {
    name: 'cronjob-controller',
    inputs: [
      { type: k.cronJob, keys: selfKey },
      { type: k.job, keys: ownerKey('CronJob') },
    ],
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const cj = ctx.store.get(k.cronJob, namespace, name);
      if (!cj || cj.metadata.deletionTimestamp) return;
      const s = spec<CronJobSpec>(cj);
      const now = ctx.clock.now();
      const st = { ...status<Record<string, unknown>>(cj) };
      const jobs = ctx.store.list(k.job, namespace).items.filter((j) => isControlledBy(j, cj));
      let active = jobs.filter((j) => !isJobFinished(j));
      const lastSchedule = st.lastScheduleTime
        ? new Date(st.lastScheduleTime as string)
        : new Date(cj.metadata.creationTimestamp ?? now);
      let times: { due?: Date; next: Date };
      try {
        times = scheduleTimes(s.schedule, s.timeZone, lastSchedule, now);
      } catch (e) {
        ctx.log(`cronjob-controller: ${key}: unparseable schedule "${s.schedule}": ${(e as Error).message}`);
        return;
      }
      const tooLate =
        times.due &&
        s.startingDeadlineSeconds !== undefined &&
        now.getTime() - times.due.getTime() > s.startingDeadlineSeconds * 1000;
      if (times.due && !s.suspend && !tooLate) {
        const skip = s.concurrencyPolicy === 'Forbid' && active.length > 0;
        if (skip)
          ctx.events?.record(
            cj,
            'Normal',
            'JobAlreadyActive',
            'Not starting job because prior execution is running and concurrency policy is Forbid',
          );
        if (!skip) {
          if (s.concurrencyPolicy === 'Replace') {
            for (const j of active)
              ctx.store.delete(k.job, namespace, j.metadata.name as string, {
                propagationPolicy: 'Background',
              });
            active = [];
          }
          const job = ctx.store.create(jobFor(cj, s, times.due));
          ctx.events?.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`);
          active.push(job);
          st.lastScheduleTime = rfc3339(times.due);
        }
      }
      const succeeded = jobs.filter((j) => isJobFinished(j) === 'Complete');
      const latest = succeeded
        .map((j) => status<{ completionTime?: string }>(j).completionTime ?? '')
        .sort()
        .at(-1);
      if (latest) st.lastSuccessfulTime = latest;
      st.active = active.map((j) => ({
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: j.metadata.name,
        namespace,
        uid: j.metadata.uid,
        resourceVersion: j.metadata.resourceVersion,
      }));
      if (!(st.active as unknown[]).length) delete st.active;
      trim(succeeded, s.successfulJobsHistoryLimit ?? 3);
      trim(
        jobs.filter((j) => isJobFinished(j) === 'Failed'),
        s.failedJobsHistoryLimit ?? 1,
      );
      ctx.store.update({ ...cj, status: st }, { subresource: 'status' });
      return Math.max(1, times.next.getTime() - now.getTime());

      function trim(finished: KubeObject[], limit: number): void {
        const old = [...finished].sort((a, b) =>
          (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
        );
        for (const j of old.slice(0, Math.max(0, old.length - limit)))
          ctx.store.delete(k.job, namespace, j.metadata.name as string, { propagationPolicy: 'Background' });
      }
    },
  };
}

function jobFor(cj: KubeObject, s: CronJobSpec, at: Date): KubeObject {
  const t = s.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cj.metadata.name}-${Math.floor(at.getTime() / 60_000)}`,
      namespace: cj.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: rfc3339(at) },
      ownerReferences: [ownerRefTo(cj)],
    },
    spec: structuredClone(t.spec ?? {}),
  };
}
