/**
 * Readiness, liveness and startup probes. Anything with a port gets readiness and liveness: the
 * spec's checks, else a TCP connect to the main port (traffic waits for the socket to accept).
 */
import type { HealthCheck, Probe, Service } from '../../spec/schema.js';
import {
  LIVENESS_PERIOD_SECONDS,
  PROBE_FAILURE_THRESHOLD,
  PROBE_TIMEOUT_SECONDS,
  READINESS_PERIOD_SECONDS,
} from '../defaults.js';
import { fail, warn, type RenderContext } from '../context.js';
import { durationSeconds, hasSubSecond } from '../units.js';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

const PERIOD: Record<ProbeKind, number> = {
  readiness: READINESS_PERIOD_SECONDS,
  liveness: LIVENESS_PERIOD_SECONDS,
  startup: READINESS_PERIOD_SECONDS,
};

function normalise(check: HealthCheck): Probe {
  return typeof check === 'string' ? { http: check } : check;
}

function seconds(ctx: RenderContext, path: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (hasSubSecond(value))
    warn(ctx, path, `probes take whole seconds; ${value} is rounded up to ${durationSeconds(value)}s`);
  return durationSeconds(value);
}

/** The handler part of a probe (httpGet / tcpSocket / exec), or undefined after reporting why. */
function handler(
  ctx: RenderContext,
  path: string,
  probe: Probe,
  mainPort: number | undefined,
): Record<string, unknown> | undefined {
  const kinds = [probe.http !== undefined, probe.tcp !== undefined, probe.exec !== undefined].filter(
    Boolean,
  ).length;
  if (kinds !== 1) {
    fail(ctx, path, 'a health check needs exactly one of http, tcp or exec');
    return undefined;
  }
  if (probe.exec) return { exec: { command: [...probe.exec] } };
  const port = probe.port ?? mainPort;
  if (port === undefined) {
    fail(
      ctx,
      path,
      'this check needs a port and the service has none',
      'set port on the check or on the service',
    );
    return undefined;
  }
  return probe.http !== undefined ? { httpGet: { path: probe.http, port } } : { tcpSocket: { port } };
}

export function renderProbe(
  ctx: RenderContext,
  path: string,
  kind: ProbeKind,
  check: HealthCheck,
  mainPort: number | undefined,
): Record<string, unknown> | undefined {
  const probe = normalise(check);
  const action = handler(ctx, path, probe, mainPort);
  if (!action) return undefined;
  if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    // The API server rejects any other value for liveness and startup probes.
    fail(ctx, `${path}.successThreshold`, `${kind} probes must have successThreshold 1`);
  }
  return {
    ...action,
    initialDelaySeconds: seconds(ctx, `${path}.initialDelay`, probe.initialDelay),
    periodSeconds: seconds(ctx, `${path}.period`, probe.period) ?? PERIOD[kind],
    timeoutSeconds: seconds(ctx, `${path}.timeout`, probe.timeout) ?? PROBE_TIMEOUT_SECONDS,
    failureThreshold: probe.failureThreshold ?? PROBE_FAILURE_THRESHOLD,
    successThreshold: probe.successThreshold,
  };
}

/** The three probe fields of a long-running container. */
export function probes(
  ctx: RenderContext,
  path: string,
  service: Service,
  mainPort: number | undefined,
): Record<string, unknown> {
  const health = service.health ?? {};
  // A TCP connect cannot tell whether a UDP listener is up: such a service must name its checks.
  const udp = service.ports?.[0]?.protocol === 'UDP';
  if (udp && mainPort !== undefined && !(health.readiness && health.liveness)) {
    warn(
      ctx,
      `${path}.health`,
      'the main port is UDP, which a TCP check cannot probe; set readiness and liveness (exec or another port)',
    );
  }
  const fallback: HealthCheck | undefined = mainPort !== undefined && !udp ? { tcp: true } : undefined;
  const readiness = health.readiness ?? fallback;
  const liveness = health.liveness ?? fallback;
  return {
    readinessProbe:
      readiness && renderProbe(ctx, `${path}.health.readiness`, 'readiness', readiness, mainPort),
    livenessProbe: liveness && renderProbe(ctx, `${path}.health.liveness`, 'liveness', liveness, mainPort),
    startupProbe:
      health.startup && renderProbe(ctx, `${path}.health.startup`, 'startup', health.startup, mainPort),
  };
}
