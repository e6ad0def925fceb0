/**
 * Turns what @kubernetes/client-node throws into our two kinds of failure: a ClusterError when the
 * API server answered with a refusal (its Status object's reason and message), and a UserError with
 * exit code 3 when it could not be reached at all, naming the server and context so the user knows
 * which kubeconfig entry to fix.
 */
import { ApiException } from '@kubernetes/client-node';
import { EXIT_NEEDS_ATTENTION, UserError } from '../errors.js';
import { ClusterError, reasonForStatus } from './cluster.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

interface StatusBody {
  reason?: string;
  message?: string;
}

function networkCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const { code, errno, type, cause } = cur as {
      code?: unknown;
      errno?: unknown;
      type?: unknown;
      cause?: unknown;
    };
    for (const c of [code, errno]) if (typeof c === 'string' && NETWORK_CODES.has(c)) return c;
    if (type === 'system' && typeof code === 'string') return code;
    cur = cause;
  }
  return undefined;
}

export function unreachable(description: string, detail: string): UserError {
  return new UserError(`cannot reach the cluster: ${description}: ${detail}`, {
    code: 'cluster-unreachable',
    exitCode: EXIT_NEEDS_ATTENTION,
    hint: 'check that the cluster is running and that the kubeconfig context (--context, $KUBECONFIG) points at it',
  });
}

export function translateError(err: unknown, description: string, what: string): Error {
  if (err instanceof ClusterError || err instanceof UserError) return err;
  if (err instanceof ApiException) {
    const body = parseBody(err.body);
    const message = body.message ?? `${what}: HTTP ${err.code}`;
    return new ClusterError(err.code, reasonForStatus(err.code, body.reason), message);
  }
  const code = networkCode(err);
  if (code) return unreachable(description, `${code} (${(err as Error).message})`);
  if (err instanceof Error && /Unrecognized API version and kind/.test(err.message)) {
    return new ClusterError(404, 'Other', `${what}: the server does not serve this kind (${err.message})`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

function parseBody(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return parseBody(JSON.parse(body));
    } catch {
      return { message: body || undefined };
    }
  }
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    return {
      reason: typeof b.reason === 'string' ? b.reason : undefined,
      message: typeof b.message === 'string' ? b.message : undefined,
    };
  }
  return {};
}
