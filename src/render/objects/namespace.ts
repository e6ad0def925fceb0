/**
 * The app's Namespace with Pod Security Admission labels
 * (https://kubernetes.io/docs/concepts/security/pod-security-admission/): `enforce`, `audit` and
 * `warn` with their `-version`. `enforce` defaults to the strictest level every rendered pod meets
 * (the caller computes it with the policy's evaluator, src/policy/pss/level.ts: restricted unless a
 * `security.relax` or a dependency's image needs less); `audit` and `warn` to restricted, so a
 * relaxation shows in the audit log and as a warning without blocking. The version is the spec's
 * kubernetes.version (`v1.33`), else `latest`.
 */
import type { NamedObject } from '@slipway/kube';
import type { ResolvedApp } from '../../spec/resolved.js';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** The `pod-security.kubernetes.io/*` labels of the app's namespace, given the level its objects meet. */
export function podSecurityLabels(app: ResolvedApp, meets: PodSecurityLevel): Record<string, string> {
  const ps = app.kubernetes?.podSecurity;
  const version = ps?.version ?? (app.kubernetes?.version ? `v${app.kubernetes.version}` : 'latest');
  const modes = {
    enforce: ps?.enforce ?? meets,
    audit: ps?.audit ?? 'restricted',
    warn: ps?.warn ?? 'restricted',
  };
  const labels: Record<string, string> = {};
  for (const [mode, level] of Object.entries(modes)) {
    labels[`pod-security.kubernetes.io/${mode}`] = level;
    labels[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  return labels;
}

/** The Namespace object with its Pod Security Admission labels, `meets` being the level its pods meet. */
export function renderNamespace(app: ResolvedApp, meets: PodSecurityLevel): NamedObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: app.namespace, labels: podSecurityLabels(app, meets) },
  };
}
