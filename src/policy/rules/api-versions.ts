import { removalFor } from '../api-removals.js';
import { atLeast, formatKubeVersion, parseKubeVersion } from '../pss/version.js';
import type { KubeVersion, Rule, Violation } from '../types.js';
import { setRule } from './define.js';

const reached = (target: KubeVersion, version: string) => {
  const v = parseKubeVersion(version);
  return v !== undefined && atLeast(target, v.major, v.minor);
};

const removed = setRule(
  {
    id: 'api-removed',
    title: 'API version removed in the target Kubernetes version',
    severity: 'error',
    category: 'api-versions',
    checks:
      'apiVersion/kind must still be served by the target Kubernetes version (--kube-version): extensions/v1beta1, apps/v1beta1 and v1beta2, networking.k8s.io/v1beta1 Ingress, policy/v1beta1 PodDisruptionBudget and PodSecurityPolicy, batch/v1beta1 CronJob, autoscaling/v2beta1 and v2beta2, flowcontrol v1beta1-3, rbac/storage/admissionregistration v1beta1 and others.',
    rationale:
      'The API server rejects objects of a removed version: the deploy fails, or an upgrade of the cluster breaks the next deploy.',
    remediation: 'Move to the replacement API version the message names (kubectl convert can help).',
  },
  (ctx) =>
    ctx.manifests.flatMap((m): Violation[] => {
      const r = removalFor(m.ref.apiVersion, m.ref.kind);
      if (!r?.removed || !reached(ctx.options.kubeVersion, r.removed)) return [];
      return [
        {
          manifest: m,
          path: ['apiVersion'],
          message: `${m.ref.apiVersion} ${m.ref.kind} was removed in Kubernetes ${r.removed} (target ${formatKubeVersion(ctx.options.kubeVersion)}); use ${r.replacement}`,
        },
      ];
    }),
);

const deprecated = setRule(
  {
    id: 'api-deprecated',
    title: 'Deprecated API version',
    severity: 'warning',
    category: 'api-versions',
    checks:
      'apiVersion/kind must not be deprecated in the target Kubernetes version (and not yet removed; removal is api-removed).',
    rationale:
      'A deprecated version disappears in a later release; moving now avoids a broken deploy after a cluster upgrade.',
    remediation: 'Move to the replacement API version the message names.',
  },
  (ctx) =>
    ctx.manifests.flatMap((m): Violation[] => {
      const r = removalFor(m.ref.apiVersion, m.ref.kind);
      if (
        !r ||
        !reached(ctx.options.kubeVersion, r.deprecated) ||
        (r.removed && reached(ctx.options.kubeVersion, r.removed))
      )
        return [];
      const when = r.removed ? `, removed in ${r.removed}` : '';
      return [
        {
          manifest: m,
          path: ['apiVersion'],
          message: `${m.ref.apiVersion} ${m.ref.kind} is deprecated since Kubernetes ${r.deprecated}${when}; use ${r.replacement}`,
        },
      ];
    }),
);

export const API_VERSION_RULES: Rule[] = [removed, deprecated];
