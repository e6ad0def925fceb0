/**
 * The strictest Pod Security Standards level every pod of a set of rendered objects is admitted
 * at, by the same evaluator `slipway check --profile pss-*` runs (agreeing with the upstream
 * admission fixtures). Namespaces get it as their `pod-security.kubernetes.io/enforce` default.
 */
import type { KubeObject } from '@slipway/kube';
import type { Manifest } from '../types.js';
import { workloadOf } from '../workloads.js';
import { evaluatePss, type PssLevel } from './evaluate.js';

/** The Kubernetes version Pod Security is evaluated at when the spec names none. */
const DEFAULT_PSS_VERSION = { major: 1, minor: 33 };

function asManifest(o: KubeObject): Manifest {
  const start = { line: 1, column: 1 };
  return {
    file: 'rendered',
    start,
    ref: {
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name ?? '',
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    },
    body: o as Record<string, unknown>,
    docPath: [],
    locate: () => start,
    docKey: `${o.kind}/${o.metadata.name ?? ''}`,
  };
}

/** `kubernetesVersion`: the spec's kubernetes.version (`1.33`), if any. */
export function podSecurityLevel(
  objects: readonly KubeObject[],
  kubernetesVersion?: string,
): PssLevel | 'privileged' {
  const version = kubernetesVersion
    ? { major: 1, minor: Number(kubernetesVersion.split('.')[1]) }
    : DEFAULT_PSS_VERSION;
  const workloads = objects.map((o) => workloadOf(asManifest(o))).filter((w) => w !== undefined);
  for (const level of ['restricted', 'baseline'] as const)
    if (workloads.every((w) => evaluatePss(w, level, version).allowed)) return level;
  return 'privileged';
}
