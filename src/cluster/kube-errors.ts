/**
 * Turns what @kubernetes/client-node throws into our two kinds of failure: a ClusterError when the
 * API server answered with a refusal (its Status object's reason and message, the verb and object,
 * and any `Retry-After`), and a UserError with exit code 3 when it could not be reached at all,
 * naming the server and context and saying what failed (refused, no answer, a certificate from
 * another authority) so the user knows which kubeconfig entry to fix.
 */
import { ApiException } from '#kubernetes-client';
import { EXIT_NEEDS_ATTENTION, UserError } from '../errors.js';
import { ClusterError, reasonForStatus } from './cluster.js';
import { CONNECTION_RESET_CODE } from './retry.js';
import { CONNECT_TIMEOUT_CODE, RESPONSE_TIMEOUT_CODE } from './timeouts.js';

interface StatusBody {
  reason?: string;
  message?: string;
}

interface NetworkFailure {
  detail: string;
  hint: string;
  /** The request may have reached the server: idempotent calls can repeat it. */
  reset?: boolean;
}

const CHECK_SERVER =
  'check that the cluster is running and that the server address of the kubeconfig context (--context, $KUBECONFIG) is right';
const UNKNOWN_AUTHORITY: NetworkFailure = {
  detail: 'certificate signed by unknown authority (the server is not the one the kubeconfig trusts)',
  hint: "the context's certificate-authority(-data) does not match this server: fetch a fresh kubeconfig for the cluster, or fix the server address",
};

/** Node's and our own error codes, by what they mean to a user. */
const NETWORK_FAILURES: Record<string, NetworkFailure> = {
  ECONNREFUSED: { detail: 'connection refused (nothing listens at that address)', hint: CHECK_SERVER },
  ENOTFOUND: { detail: 'the host name does not resolve', hint: CHECK_SERVER },
  EAI_AGAIN: { detail: 'the host name could not be resolved (DNS failure)', hint: CHECK_SERVER },
  ETIMEDOUT: { detail: 'the connection timed out', hint: CHECK_SERVER },
  EHOSTUNREACH: { detail: 'no route to the host', hint: CHECK_SERVER },
  ENETUNREACH: { detail: 'the network is unreachable', hint: CHECK_SERVER },
  ECONNRESET: { detail: 'the connection was reset', hint: CHECK_SERVER, reset: true },
  EPIPE: { detail: 'the connection was closed while sending', hint: CHECK_SERVER, reset: true },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNKNOWN_AUTHORITY,
  UNABLE_TO_GET_ISSUER_CERT: UNKNOWN_AUTHORITY,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNKNOWN_AUTHORITY,
  SELF_SIGNED_CERT_IN_CHAIN: UNKNOWN_AUTHORITY,
  // An issuer with the trusted CA's name but another key: a CA that was regenerated.
  CERT_SIGNATURE_FAILURE: UNKNOWN_AUTHORITY,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNKNOWN_AUTHORITY,
  CERT_HAS_EXPIRED: {
    detail: "the server's certificate has expired",
    hint: 'renew the API server certificate, or check the clock of this machine',
  },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    detail: "the server's certificate is not valid for this address",
    hint: 'use the host name the certificate names in the server address, or set tls-server-name in the kubeconfig',
  },
};

function timeoutFailure(code: string, seconds: number): NetworkFailure | undefined {
  if (code === CONNECT_TIMEOUT_CODE)
    return {
      detail: `no answer in ${seconds} s while connecting (TCP and TLS handshake)`,
      hint: `${CHECK_SERVER}; a firewall may be dropping the traffic`,
    };
  if (code === RESPONSE_TIMEOUT_CODE)
    return {
      detail: `no response in ${seconds} s`,
      hint: 'the API server accepted the connection but did not answer: check its health (kubectl get --raw /readyz)',
    };
  return undefined;
}

function networkFailure(err: unknown): NetworkFailure | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const { code, errno, type, cause, timeoutSeconds, message } = cur as {
      code?: unknown;
      errno?: unknown;
      type?: unknown;
      cause?: unknown;
      timeoutSeconds?: unknown;
      message?: unknown;
    };
    for (const c of [code, errno]) {
      if (typeof c !== 'string') continue;
      const timeout = timeoutFailure(
        c,
        typeof timeoutSeconds === 'number' ? timeoutSeconds : secondsIn(message),
      );
      if (timeout) return timeout;
      if (NETWORK_FAILURES[c]) return NETWORK_FAILURES[c];
    }
    if (typeof message === 'string' && /socket hang up|premature close/i.test(message))
      return { detail: 'the connection was closed before the response', hint: CHECK_SERVER, reset: true };
    if (type === 'system' && typeof code === 'string')
      return { detail: `${code} (${String(message)})`, hint: CHECK_SERVER };
    cur = cause;
  }
  return undefined;
}

/** node-fetch copies a socket error's code but not its fields; the seconds are in its message. */
function secondsIn(message: unknown): number {
  const m = typeof message === 'string' ? /in (\d+(?:\.\d+)?) s/.exec(message) : null;
  return m ? Number(m[1]) : 0;
}

export function unreachable(
  description: string,
  detail: string,
  hint = CHECK_SERVER,
  code = 'cluster-unreachable',
): UserError {
  return new UserError(`cannot reach the cluster: ${description}: ${detail}`, {
    code,
    exitCode: EXIT_NEEDS_ATTENTION,
    hint,
  });
}

export function translateError(err: unknown, description: string, what: string): Error {
  if (err instanceof ClusterError || err instanceof UserError) return err;
  if (err instanceof ApiException) {
    const body = parseBody(err.body);
    const message = body.message ?? `${what}: HTTP ${err.code}`;
    return new ClusterError(err.code, reasonForStatus(err.code, body.reason), message, {
      what,
      cluster: description,
      retryAfterMs: retryAfterMs(headerOf(err.headers, 'retry-after')),
    });
  }
  const failure = networkFailure(err);
  if (failure)
    return unreachable(
      description,
      `${what}: ${failure.detail}`,
      failure.hint,
      failure.reset ? CONNECTION_RESET_CODE : 'cluster-unreachable',
    );
  if (err instanceof Error && /Unrecognized API version and kind/.test(err.message)) {
    return new ClusterError(404, 'Other', `${what}: the server does not serve this kind (${err.message})`, {
      what,
      cluster: description,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** `Retry-After` in seconds (the form the API server sends); an HTTP date is honoured too. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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
