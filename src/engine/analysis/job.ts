/**
 * A Job as analysis: run a test container in the cluster and read its outcome, as Argo Rollouts'
 * `job` provider does (`metricproviders/job`): the Job's Complete condition is a success, its
 * Failed condition a failure, and a failure carries the tail of the pod's log so the output says
 * why. `backoffLimit: 0` because a flaky test retried until green is not evidence.
 */
import type { KubeObject } from '@slipway/kube';
import { UserError } from '../../errors.js';
import type { Analysis } from '../../spec/schema.js';
import type {
  AnalysisEnv,
  AnalysisProvider,
  Measurement,
  MeasurementPhase,
  ProviderFactory,
} from './provider.js';
import { resolveTemplate } from './template.js';

/** Lines of the test pod's log kept in a failed measurement's message. */
const LOG_TAIL_LINES = 20;
/** Finished analysis Jobs are garbage-collected by the TTL controller if our delete is lost. */
const TTL_AFTER_FINISHED_SECONDS = 600;

interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface Job extends KubeObject {
  status?: { conditions?: JobCondition[] };
}

export interface JobCheck {
  name: string;
  image: string;
  command?: string[];
}

export function analysisJob(check: JobCheck, namespace: string, labels: Record<string, string>): Job {
  const podLabels = { ...labels, 'slipway.dev/analysis-job': check.name };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: check.name, namespace, labels: podLabels },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: TTL_AFTER_FINISHED_SECONDS,
      template: {
        metadata: { labels: podLabels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'analysis',
              image: check.image,
              ...(check.command ? { command: check.command } : {}),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              resources: {
                requests: { cpu: '50m', memory: '64Mi' },
                limits: { cpu: '500m', memory: '256Mi' },
              },
            },
          ],
        },
      },
    },
  };
}

function finished(job: Job | undefined): JobCondition | undefined {
  return job?.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

export class JobProvider implements AnalysisProvider {
  readonly kind = 'job';
  readonly resolved: Record<string, unknown>;
  private runs = 0;

  constructor(
    private readonly base: { jobPrefix: string; image: string; command?: string[] },
    private readonly env: Pick<AnalysisEnv, 'cluster' | 'clock' | 'namespace'>,
  ) {
    this.resolved = { image: base.image, command: base.command, namespace: env.namespace };
  }

  async measure(signal: AbortSignal): Promise<Measurement> {
    const startedAt = this.env.clock.now().toISOString();
    const done = (phase: MeasurementPhase, message: string, value?: string): Measurement => ({
      phase,
      message,
      value,
      startedAt,
      finishedAt: this.env.clock.now().toISOString(),
    });
    this.runs += 1;
    const name = `${this.base.jobPrefix}-${this.env.clock.now().getTime().toString(36)}-${this.runs}`
      .slice(0, 63)
      .replace(/-+$/, '');
    const ref = { apiVersion: 'batch/v1', kind: 'Job', namespace: this.env.namespace, name };
    const { cluster } = this.env;
    try {
      await cluster.create(
        analysisJob({ name, image: this.base.image, command: this.base.command }, this.env.namespace, {
          owner: 'slipway',
        }),
      );
      const job = await cluster.watch<Job>(ref, (j) => finished(j) !== undefined, signal);
      const outcome = finished(job)!;
      if (outcome.type === 'Complete') return done('successful', `Job ${name} completed`, 'Complete');
      const logs = await this.logsOf(name);
      return done(
        'failed',
        `Job ${name} failed${outcome.reason ? ` (${outcome.reason})` : ''}${logs ? `:\n${logs}` : ''}`,
        'Failed',
      );
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (err instanceof UserError) throw err;
      return done('error', `cannot run Job ${name}: ${(err as Error).message}`);
    } finally {
      await cluster.delete(ref, { propagationPolicy: 'Background' }).catch(() => undefined);
    }
  }

  private async logsOf(jobName: string): Promise<string> {
    const { items } = await this.env.cluster.list(
      { apiVersion: 'v1', kind: 'Pod', namespace: this.env.namespace },
      { labelSelector: { 'slipway.dev/analysis-job': jobName } },
    );
    const pod = items[0]?.metadata.name;
    if (!pod) return '';
    return (
      await this.env.cluster
        .podLogs({ namespace: this.env.namespace, name: pod }, { tailLines: LOG_TAIL_LINES })
        .catch(() => '')
    ).trimEnd();
  }
}

export const jobFactory: ProviderFactory = {
  kind: 'job',
  matches: (spec: Analysis) => spec.job !== undefined,
  create(name, spec, env) {
    const where = `deploy.analysis.${name}.job`;
    const job = spec.job!;
    const command = job.command?.map((arg, i) => resolveTemplate(arg, env.vars, `${where}.command[${i}]`));
    const prefix = `${env.vars.app ?? 'slipway'}-analysis-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    return new JobProvider(
      {
        jobPrefix: prefix.slice(0, 40),
        image: resolveTemplate(job.image, env.vars, `${where}.image`),
        command,
      },
      env,
    );
  },
};
