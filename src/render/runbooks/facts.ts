/**
 * What a runbook says about one environment, read from the objects render produced (so names,
 * kinds and labels are exactly those in the cluster) and from the environment's spec.
 */
import { backupTarget } from '../objects/backups.js';
import type { NamedObject } from '@slipway/kube';
import type { RenderedEnvironment } from '../format.js';
import { serviceSecretName, dependencyCredentialsName } from '../names.js';
import { dependencyKind } from '../objects/dependencies/catalog.js';

export interface Workload {
  service: string;
  kind: string;
  name: string;
  /** The Service in front of it, when render made one (workers and CronJobs have none). */
  serviceName?: string;
  /**
   * What kubectl commands name: `deployment/NAME`, or, for a blue-green Deployment that exists in
   * the cluster only as `NAME-blue` and `NAME-green` (both carrying the service's labels),
   * `deployment -l SELECTOR`, which reaches both colours.
   */
  ref: string;
  /** The names it has in the cluster. */
  names: string[];
}

export interface EnvironmentFacts {
  name: string;
  namespace: string;
  approval: 'required' | 'none';
  strategy: string;
  /** Long-running workloads (Deployment, StatefulSet) and CronJobs of the app's services. */
  workloads: Workload[];
  /** Services with migrations (run as a Job by slipway deploy). */
  migrations: string[];
  secrets: { service: string; secret: string; keys: string[] }[];
  dependencies: {
    name: string;
    type: string;
    external: boolean;
    workload?: Workload;
    credentials?: string;
    sqlite?: { pvc: string; file: string };
  }[];
  backups: {
    name: string;
    schedule: string;
    keep: number;
    rto?: string;
    rpo?: string;
    /** Set when Slipway backs it up: the kind of dump and the CronJob running it. */
    kind?: string;
    cronJob?: string;
  }[];
  hosts: string[];
  scaleDownDelay?: string;
}

const NAME = 'app.kubernetes.io/name';

export function environmentFacts(app: string, env: RenderedEnvironment): EnvironmentFacts {
  const spec = env.app;
  const byName = (name: string, kinds: string[]) =>
    env.objects.find((o: NamedObject) => kinds.includes(o.kind) && o.metadata.labels?.[NAME] === name);
  const workloads: Workload[] = [];
  for (const service of Object.keys(spec.services)) {
    const o = byName(service, ['Deployment', 'StatefulSet', 'CronJob']);
    const front = env.objects.find((x) => x.kind === 'Service' && x.metadata.labels?.[NAME] === service);
    if (!o) continue;
    // The blue-green strategy runs each Deployment behind a Service as two colours (engine/plan/blue-green.ts).
    const coloured = spec.deploy.strategy === 'blue-green' && o.kind === 'Deployment' && front !== undefined;
    workloads.push({
      service,
      kind: o.kind,
      name: o.metadata.name,
      serviceName: front?.metadata.name,
      ref: coloured
        ? `${o.kind.toLowerCase()} -l ${selector(app, service)}`
        : `${o.kind.toLowerCase()}/${o.metadata.name}`,
      names: coloured ? [`${o.metadata.name}-blue`, `${o.metadata.name}-green`] : [o.metadata.name],
    });
  }
  return {
    name: env.environment,
    namespace: spec.namespace,
    approval: spec.approval,
    strategy: spec.deploy.strategy ?? 'rolling',
    workloads,
    migrations: Object.entries(spec.services)
      .filter(([, s]) => s.migrations)
      .map(([n]) => n),
    secrets: Object.entries(spec.services)
      .filter(([, s]) => s.secrets?.length)
      .map(([n, s]) => ({ service: n, secret: serviceSecretName(app, n), keys: s.secrets ?? [] })),
    dependencies: Object.entries(spec.dependencies).map(([n, d]) => {
      const o = byName(n, ['StatefulSet', 'Deployment']);
      return {
        name: n,
        type: d.type,
        external: Boolean(d.external),
        workload: o
          ? {
              service: n,
              kind: o.kind,
              name: o.metadata.name,
              ref: `${o.kind.toLowerCase()}/${o.metadata.name}`,
              names: [o.metadata.name],
            }
          : undefined,
        credentials: d.external
          ? d.external.secret
          : dependencyKind(d.type)?.credentialKeys.includes('password')
            ? dependencyCredentialsName(app, n)
            : undefined,
        sqlite:
          d.type === 'sqlite' && d.service && d.volume
            ? sqliteLocation(workloads, d.service, d.volume, d.file)
            : undefined,
      };
    }),
    backups: Object.entries(spec.backups).map(([n, b]) => ({
      name: n,
      schedule: b.schedule,
      keep: b.keep,
      rto: b.rto,
      rpo: b.rpo,
      kind: backupTarget(spec, n)?.kind,
      cronJob: backupTarget(spec, n)?.cronJob,
    })),
    hosts: Object.values(spec.services).flatMap((s) => (s.public ? [s.public.host] : [])),
    scaleDownDelay: spec.deploy.scaleDownDelay,
  };
}

/** `kubectl -n NS` with the app's instance label, the selector every runbook command uses. */
export function selector(app: string, service?: string): string {
  return `app.kubernetes.io/instance=${app}${service ? `,app.kubernetes.io/name=${service}` : ''}`;
}

export function kind(w: Workload): string {
  return w.kind.toLowerCase();
}

/** A StatefulSet's claim for pod 0 is `<template>-<statefulset>-0` (the StatefulSet controller's naming). */
function sqliteLocation(
  workloads: Workload[],
  service: string,
  volume: string,
  file: string | undefined,
): { pvc: string; file: string } | undefined {
  const owner = workloads.find((w) => w.service === service && w.kind === 'StatefulSet');
  return owner ? { pvc: `${volume}-${owner.name}-0`, file: file ?? 'DB_FILE' } : undefined;
}
