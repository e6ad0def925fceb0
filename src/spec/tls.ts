/**
 * `tls` on a public host needs something that makes its Secret: a cert-manager issuer (the host's
 * `tls.issuer` or the app's `kubernetes.tls.issuer`) or `tls.secretName` of a Secret that exists.
 * Without either the Ingress names a Secret nothing creates and the controller serves its default
 * certificate. Checked per environment (an environment may name its own issuer), not on the top
 * level alone. A Gateway terminates TLS on its listener, so HTTPRoutes are not checked.
 */
import type { CheckedSpec, SpecProblem } from './spec-problem.js';

export function tlsProblems(spec: CheckedSpec): SpecProblem[] {
  if (spec.kubernetes?.ingress === 'gateway' || spec.kubernetes?.tls?.issuer) return [];
  const out: SpecProblem[] = [];
  for (const [name, service] of Object.entries(spec.services ?? {})) {
    const tls = service.public?.tls;
    if (!tls || (typeof tls === 'object' && (tls.issuer || tls.secretName))) continue;
    out.push({
      path: ['services', name, 'public', 'tls'],
      message: `TLS for ${service.public?.host ?? name} needs a certificate, and nothing would create its Secret`,
      hint: 'set kubernetes.tls: { issuer: <a cert-manager ClusterIssuer> } for every host, or on this host tls: { issuer: ... } or tls: { secretName: <an existing TLS Secret> }',
    });
  }
  return out;
}
