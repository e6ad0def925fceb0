/**
 * A ClusterError that reached the user (retries exhausted, or a refusal no retry can fix) as a
 * UserError with exit code 3: the verb and object, the cluster, the status, and what to do. An API
 * server's refusal is the cluster needing attention, not a bug in Slipway.
 */
import { EXIT_NEEDS_ATTENTION, UserError } from '../errors.js';
import type { ClusterError } from './cluster.js';

function hintFor(err: ClusterError): string | undefined {
  const context = err.context.cluster ?? 'the kubeconfig context';
  const tries =
    err.context.attempts && err.context.attempts > 1 ? ` (tried ${err.context.attempts} times)` : '';
  if (err.status === 401)
    return `the token or client certificate of ${context} was rejected: it is wrong or expired; fetch fresh credentials for the cluster`;
  if (err.status === 403)
    return `the user of ${context} lacks the RBAC permission for this; ask a cluster admin, or check with \`kubectl auth can-i\``;
  if (err.status === 429) return `the API server is throttling requests${tries}; try again later`;
  if (err.status >= 500)
    return `the API server failed${tries}; check the control plane's health (\`kubectl get --raw /readyz\`) and try again`;
  if (err.status === 409) return 'the object changed while Slipway wrote it; run the command again';
  return undefined;
}

function statusText(err: ClusterError): string {
  if (err.status === 401) return 'HTTP 401 Unauthorized (token rejected)';
  return `HTTP ${err.status}${err.reason === 'Other' ? '' : ` ${err.reason}`}`;
}

export function clusterProblem(err: ClusterError): UserError {
  const what = err.context.what ?? 'request';
  const where = err.context.cluster ? ` on ${err.context.cluster}` : '';
  return new UserError(`${what}${where}: ${statusText(err)}: ${err.message}`, {
    code: `cluster-${err.reason === 'Other' ? `http-${err.status}` : err.reason.toLowerCase()}`,
    exitCode: EXIT_NEEDS_ATTENTION,
    hint: hintFor(err),
  });
}
