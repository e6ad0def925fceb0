/**
 * One Compose service that stays a service (not a dependency): image and build, command line,
 * ports, environment, volumes, user, healthcheck, deploy resources, depends_on and profiles.
 */
import { containerPort, healthcheck, isRecord, splitCommand } from './compose-fields.js';
import { importImage } from './compose-build.js';
import {
  importDeploy,
  importEnvironment,
  importUser,
  importVolumes,
  type ServiceContext,
} from './compose-service.js';
import type { Service } from './schema.js';

/** Compose's default healthcheck retries. */
const COMPOSE_RETRIES = 3;

export function noteProfiles(
  s: Record<string, unknown>,
  path: (string | number)[],
  note: (path: (string | number)[], message: string) => void,
): void {
  if (!Array.isArray(s.profiles) || s.profiles.length === 0) return;
  note(
    [...path, 'profiles'],
    `Compose starts it only with --profile ${s.profiles.map(String).join(' or --profile ')}; imported like any other service: remove it if the cluster does not need it`,
  );
}

export function firstPort(s: Record<string, unknown>): number | undefined {
  const entries = [...(Array.isArray(s.ports) ? s.ports : []), ...(Array.isArray(s.expose) ? s.expose : [])];
  return entries.map(containerPort).find((p) => p !== undefined)?.port;
}

export function importService(
  s: Record<string, unknown>,
  ctx: ServiceContext,
): { service: Service; buildOnly: boolean } {
  const service: Service = {};
  const buildOnly = importImage(s, service, ctx);
  // Compose entrypoint/command override the image's ENTRYPOINT/CMD, as Kubernetes command/args do.
  const entrypoint = splitCommand(s.entrypoint);
  const command = splitCommand(s.command);
  if (entrypoint) service.command = entrypoint;
  if (command) service.args = command;
  importPorts(s, service, ctx);
  importEnvironment(s, service, ctx);
  importVolumes(s, service, ctx);
  importUser(s, service, ctx);
  if (isRecord(s.healthcheck)) {
    const { probe, problem } = healthcheck(s.healthcheck, service.port ?? service.ports?.[0]?.port);
    if (probe) {
      // Compose only marks a failing container unhealthy; liveness restarts it, so it waits twice as long.
      const patience = (probe.failureThreshold ?? COMPOSE_RETRIES) * 2;
      service.health = { readiness: probe, liveness: { ...probe, failureThreshold: patience } };
      ctx.note(
        ['healthcheck'],
        `became the readiness check and a liveness check that restarts after ${patience} failures (${probe.http !== undefined ? `http ${probe.http}` : 'exec'})`,
      );
    } else if (problem) ctx.note(['healthcheck'], problem, true);
  }
  importDeploy(s, service, ctx);
  importDependsOn(s, ctx);
  noteProfiles(s, [], ctx.note);
  if (!service.image && !service.build) ctx.note([], 'has neither image nor build; add one', true);
  return { service, buildOnly };
}

/**
 * depends_on: a deploy applies and awaits dependencies before the services (so `service_healthy`
 * on a database holds); services roll out together, their readiness checks holding traffic.
 */
function importDependsOn(s: Record<string, unknown>, ctx: ServiceContext): void {
  const deps: Array<[string, string | undefined]> = Array.isArray(s.depends_on)
    ? s.depends_on.map((d) => [String(d), undefined])
    : isRecord(s.depends_on)
      ? Object.entries(s.depends_on).map(([d, v]) => [
          d,
          isRecord(v) && typeof v.condition === 'string' ? v.condition : undefined,
        ])
      : [];
  for (const [d, condition] of deps) {
    const dep = ctx.targets.dependencies.get(d);
    const how = condition ? ` (${condition})` : '';
    ctx.note(
      ['depends_on'],
      dep
        ? `${d}${how}: dependencies are running and ready before services start, no field needed`
        : `${d}${how}: Slipway does not order services; readiness checks hold traffic until ${d} answers`,
    );
  }
}

function importPorts(s: Record<string, unknown>, service: Service, ctx: ServiceContext): void {
  const entries = [...(Array.isArray(s.ports) ? s.ports : []), ...(Array.isArray(s.expose) ? s.expose : [])];
  const ports: Array<{ port: number; protocol?: 'UDP' }> = [];
  entries.forEach((entry, i) => {
    const p = containerPort(entry);
    if (!p)
      ctx.note(
        [Array.isArray(s.ports) && i < s.ports.length ? 'ports' : 'expose', i],
        `port ${JSON.stringify(entry)} not mapped (ranges have no single port)`,
        true,
      );
    else if (!ports.some((q) => q.port === p.port)) ports.push(p);
  });
  if (ports.length === 1 && !ports[0]?.protocol) service.port = ports[0]?.port;
  else if (ports.length)
    service.ports = ports.map((p, i) => ({
      name: i === 0 ? 'http' : `port-${p.port}`,
      port: p.port,
      ...(p.protocol ? { protocol: p.protocol } : {}),
    }));
  if (Array.isArray(s.ports) && s.ports.some((e) => typeof e === 'string' && e.includes(':')))
    ctx.note(['ports'], 'host port bindings dropped: expose the service with public: { host } instead');
}
