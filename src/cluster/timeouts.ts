/**
 * Bounds on waiting for an API server that does not answer, so a wrong address or a dead server
 * ends in a clear error within seconds instead of a hang:
 *
 * - connecting (TCP connect and TLS handshake) may take `connectMs`, for every request and every
 *   watch. This is the only bound a watch gets: once connected it is meant to stay open for
 *   minutes with nothing to say.
 * - a request (not a watch) may wait `responseMs` for its whole response.
 *
 * client-go bounds the same two phases: a dial timeout and `TLSHandshakeTimeout` (10 s) on the
 * transport for everything, and `--request-timeout` only for non-watch requests
 * (k8s.io/client-go/transport, rest/request.go).
 */
import { Agent as HttpAgent } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { KubeConfig, RequestContext } from '#kubernetes-client';

export type { LookupFunction };

export const CONNECT_TIMEOUT_CODE = 'SLIPWAY_CONNECT_TIMEOUT';
export const RESPONSE_TIMEOUT_CODE = 'SLIPWAY_RESPONSE_TIMEOUT';

export interface ClusterTimeouts {
  connectMs: number;
  responseMs: number;
}

/** Both well under the 10 s in which a CLI command must report an unreachable cluster. */
export const DEFAULT_TIMEOUTS: ClusterTimeouts = { connectMs: 5_000, responseMs: 30_000 };

export class TimeoutError extends Error {
  readonly timeoutSeconds: number;

  constructor(
    readonly code: string,
    ms: number,
  ) {
    super(
      code === CONNECT_TIMEOUT_CODE
        ? `no answer in ${ms / 1000} s while connecting`
        : `no response in ${ms / 1000} s`,
    );
    this.name = 'TimeoutError';
    this.timeoutSeconds = ms / 1000;
  }
}

type CreateConnection = (
  options: never,
  callback?: (err: Error | null, stream: Duplex) => void,
) => Duplex | null | undefined;

const guarded = new WeakSet<object>();

/**
 * Destroys a socket that has not finished connecting (and, for TLS, its handshake) within `ms`;
 * with `lookup`, host names are resolved by it instead of node:dns.
 */
export function guardAgent(agent: unknown, ms: number, lookup?: LookupFunction): void {
  if (!(agent instanceof HttpAgent) || guarded.has(agent)) return;
  guarded.add(agent);
  const target = agent as unknown as { createConnection: CreateConnection };
  const create = target.createConnection.bind(agent);
  target.createConnection = (options, callback) => {
    const socket = create((lookup ? { ...(options as object), lookup } : options) as never, callback);
    if (!socket) return socket;
    const established = socket instanceof TLSSocket ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => socket.destroy(new TimeoutError(CONNECT_TIMEOUT_CODE, ms)), ms);
    const clear = () => clearTimeout(timer);
    socket.once(established, clear);
    socket.once('close', clear);
    return socket;
  };
}

/**
 * client-node builds a fresh agent for every request (`applySecurityAuthentication`) and every watch
 * (`applyToFetchOptions`); both are public, so this wraps them on the instance to guard each agent.
 */
export function guardConnections(kc: KubeConfig, ms: number, lookup?: LookupFunction): void {
  if (guarded.has(kc)) return;
  guarded.add(kc);
  const applyAuth = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context: RequestContext) => {
    await applyAuth(context);
    guardAgent(context.getAgent(), ms, lookup);
  };
  const applyFetch = kc.applyToFetchOptions.bind(kc);
  kc.applyToFetchOptions = async (opts) => {
    const init = await applyFetch(opts);
    guardAgent(init.agent, ms, lookup);
    return init;
  };
}
