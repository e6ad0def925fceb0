import { get, isObj, objs, str } from '../access.js';
import { indexOf } from '../index-set.js';
import type { Rule, Violation } from '../types.js';
import { containersOf, type ContainerRef, APP, APP_AND_INIT } from '../workloads.js';
import { workloadRule } from './define.js';

const HANDLERS = ['httpGet', 'tcpSocket', 'exec', 'grpc'] as const;

/** The probe's handlers in a canonical form: map keys sorted, so that key order does not matter (as in CEL's map equality). */
function handlerOf(probe: unknown): string | undefined {
  if (!isObj(probe)) return undefined;
  const h: Record<string, unknown> = {};
  for (const k of HANDLERS) if (probe[k] !== undefined) h[k] = probe[k];
  return Object.keys(h).length ? JSON.stringify(h, sortedKeys) : undefined;
}

function sortedKeys(_key: string, value: unknown): unknown {
  return isObj(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
    : value;
}

/** Seconds of consecutive failures before the kubelet acts (API defaults: period 10s, threshold 3). */
function patience(probe: unknown): number {
  const p = isObj(probe) ? probe : {};
  const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  return num(p.initialDelaySeconds, 0) + num(p.periodSeconds, 10) * num(p.failureThreshold, 3);
}

const servesPorts = (c: ContainerRef) => objs(c.container.ports).length > 0;

const readiness = workloadRule(
  {
    id: 'probe-readiness',
    title: 'No readiness probe',
    severity: 'warning',
    category: 'probes',
    checks:
      'A container of a long-running workload (not Job/CronJob) that declares ports, or the only container of a pod a Service in the input selects, must have a readinessProbe (port-less sidecars are not asked for one).',
    rationale:
      'Without it the pod receives traffic as soon as the process starts, before it can serve, and keeps receiving it while it is overloaded or shutting down.',
    remediation:
      'Add a readinessProbe that checks the container can serve a request (an HTTP endpoint that does not call dependencies).',
  },
  (w, ctx) => {
    if (w.batch) return [];
    const selected = indexOf(ctx.manifests).servicesSelecting(w).length > 0;
    const containers = containersOf(w, APP);
    return containers
      .filter(
        (c) =>
          c.container.readinessProbe === undefined &&
          (servesPorts(c) || (selected && containers.length === 1)),
      )
      .map((c) => ({
        manifest: w.manifest,
        path: [...c.path, 'readinessProbe'],
        container: c.name,
        message: `container "${c.name}" ${servesPorts(c) ? 'serves ports' : 'is behind a Service'} but has no readinessProbe`,
      }));
  },
);

const liveness = workloadRule(
  {
    id: 'probe-liveness',
    admission: {
      kinds: 'workloads',
      expression:
        "object.kind in ['Job', 'CronJob'] || (object.kind == 'Pod' && has(variables.podSpec.restartPolicy) && variables.podSpec.restartPolicy in ['Never', 'OnFailure']) || !has(variables.podSpec.containers) || variables.podSpec.containers.all(c, has(c.livenessProbe))",
      message: 'every container of a long-running workload should have a livenessProbe',
    },
    title: 'No liveness probe',
    severity: 'info',
    category: 'probes',
    checks: 'A container of a long-running workload (not Job/CronJob) should have a livenessProbe.',
    rationale:
      'A deadlocked process is only restarted if something checks it; info because a bad liveness probe is worse than none.',
    remediation:
      'Add a livenessProbe that fails only when the process itself is stuck (not when a dependency is down).',
  },
  (w) =>
    w.batch
      ? []
      : containersOf(w, APP)
          .filter((c) => c.container.livenessProbe === undefined)
          .map((c) => ({
            manifest: w.manifest,
            path: [...c.path, 'livenessProbe'],
            container: c.name,
            message: `container "${c.name}" has no livenessProbe`,
          })),
);

/** patience() in CEL; `p` is a map. Whole numbers only: the API's fields are int32. */
const patienceCel = (p: string) =>
  `(has(${p}.initialDelaySeconds) && type(${p}.initialDelaySeconds) == int ? ${p}.initialDelaySeconds : 0) + (has(${p}.periodSeconds) && type(${p}.periodSeconds) == int ? ${p}.periodSeconds : 10) * (has(${p}.failureThreshold) && type(${p}.failureThreshold) == int ? ${p}.failureThreshold : 3)`;
const handlersCel = `[${HANDLERS.map((h) => `'${h}'`).join(', ')}]`;

const identical = workloadRule(
  {
    id: 'probe-identical',
    admission: {
      kinds: 'workloads',
      expression: `variables.containers.all(c, type(c) != map || !(has(c.readinessProbe) && type(c.readinessProbe) == map && has(c.livenessProbe) && type(c.livenessProbe) == map) || !${handlersCel}.exists(k, k in c.readinessProbe) || !${handlersCel}.all(k, (k in c.readinessProbe) == (k in c.livenessProbe) && (!(k in c.readinessProbe) || c.readinessProbe[k] == c.livenessProbe[k])) || ${patienceCel('c.livenessProbe')} > ${patienceCel('c.readinessProbe')})`,
      message: 'readiness and liveness must not use the same check unless liveness waits longer',
    },
    title: 'Readiness and liveness probes are identical',
    severity: 'warning',
    category: 'probes',
    checks:
      'readinessProbe and livenessProbe of a container must not use the same handler (httpGet/tcpSocket/exec/grpc) unless liveness waits longer (initialDelaySeconds + periodSeconds x failureThreshold) than readiness.',
    rationale:
      'When the check fails under load, the pod is taken out of rotation and restarted at the same moment, turning a slowdown into an outage. A more patient liveness probe on the same check is the recommended pattern and is accepted.',
    remediation:
      'Give liveness a cheaper check that only proves the process is alive, or make it more patient (higher periodSeconds or failureThreshold) than readiness.',
  },
  (w) =>
    containersOf(w, APP_AND_INIT).flatMap((c): Violation[] => {
      // Patience first, being cheap: a finding needs liveness no more patient than readiness.
      if (!(patience(c.container.livenessProbe) <= patience(c.container.readinessProbe))) return [];
      const r = handlerOf(c.container.readinessProbe);
      return r !== undefined && r === handlerOf(c.container.livenessProbe)
        ? [
            {
              manifest: w.manifest,
              path: [...c.path, 'livenessProbe'],
              container: c.name,
              message: `container "${c.name}" uses the same check for readiness and liveness`,
            },
          ]
        : [];
    }),
);

const namedPort = workloadRule(
  {
    id: 'probe-named-port',
    admission: {
      kinds: 'workloads',
      expression:
        "variables.allContainers.all(c, [has(c.ports) && c.ports != null ? c.ports.filter(p, type(p) == map && has(p.name) && type(p.name) == string && p.name != '').map(p, p.name) : []].all(names, ['livenessProbe', 'readinessProbe', 'startupProbe'].all(p, !(p in c) || c[p] == null || ['httpGet', 'tcpSocket'].all(k, !(k in c[p]) || c[p][k] == null || !('port' in c[p][k]) || type(c[p][k].port) != string || c[p][k].port.matches('^[0-9]+$') || c[p][k].port in names)) && (!has(c.lifecycle) || c.lifecycle == null || ['postStart', 'preStop'].all(h, !(h in c.lifecycle) || c.lifecycle[h] == null || ['httpGet', 'tcpSocket'].all(k, !(k in c.lifecycle[h]) || c.lifecycle[h][k] == null || !('port' in c.lifecycle[h][k]) || type(c.lifecycle[h][k].port) != string || c.lifecycle[h][k].port.matches('^[0-9]+$') || c.lifecycle[h][k].port in names)))))",
      message: 'a probe or lifecycle hook port given by name must be a port name of its container',
    },
    title: 'Probe names a port the container does not declare',
    severity: 'error',
    category: 'probes',
    checks:
      'A probe or lifecycle hook whose httpGet.port or tcpSocket.port is a name must match a ports[].name of the same container.',
    rationale: 'The API server rejects a pod whose probe names an unknown port.',
    remediation: 'Declare the named port on the container or use the port number.',
  },
  (w) =>
    containersOf(w).flatMap((c): Violation[] => {
      let out: Violation[] | undefined;
      let names: Set<string | undefined> | undefined;
      for (const rel of PORT_PLACES) {
        const handler = rel.length === 1 ? c.container[rel[0]!] : get(c.container, 'lifecycle', rel[1]!);
        if (handler === undefined) continue;
        for (const k of PORT_HANDLERS) {
          const port = get(handler, k, 'port');
          if (typeof port !== 'string' || /^\d+$/.test(port)) continue;
          // The container's port names only when a probe names one: most give numbers.
          names ??= new Set(
            objs(c.container.ports)
              .map((p) => str(p.name))
              .filter(Boolean),
          );
          if (names.has(port)) continue;
          (out ??= []).push({
            manifest: w.manifest,
            path: [...c.path, ...rel, k, 'port'],
            container: c.name,
            message: `container "${c.name}" ${rel.join('.')} uses port "${port}", which the container does not declare`,
          });
        }
      }
      return out ?? NONE;
    }),
);

/** Where a probe or hook may name a port, in the order findings are reported, relative to the container. */
const PORT_PLACES: ReadonlyArray<readonly string[]> = [
  ['livenessProbe'],
  ['readinessProbe'],
  ['startupProbe'],
  ['lifecycle', 'postStart'],
  ['lifecycle', 'preStop'],
];
const PORT_HANDLERS = ['httpGet', 'tcpSocket'] as const;
/** What a container without findings gives (flatMap copies, never keeps it). */
const NONE: Violation[] = [];

export const PROBE_RULES: Rule[] = [readiness, liveness, identical, namedPort];
