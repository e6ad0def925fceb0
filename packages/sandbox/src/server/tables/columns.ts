/**
 * Server-side print columns, after kubernetes/pkg/printers/internalversion/printers.go: what
 * `kubectl get` (priority 0) and `kubectl get -o wide` (priority 1) show per kind. Kinds not listed
 * get NAME and AGE, as CRDs without printer columns do.
 */
import { selectorFromLabelSelector, type LabelSelector } from '@slipway/kube';
import { ageOf } from './age.js';
import { at, has, list, num, rec, str } from './view.js';

export type Cell = string | number | boolean;

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean';
  priority?: number;
  cell(o: unknown, now: Date): Cell;
}

const col = (
  name: string,
  cell: (o: unknown, now: Date) => Cell,
  type: Column['type'] = 'string',
  priority = 0,
): Column => ({ name, type, priority, cell });
const wide = (name: string, cell: (o: unknown) => Cell): Column => col(name, cell, 'string', 1);
const name = col('Name', (o) => str(at(o, 'metadata', 'name')));
const age = col('Age', (o, now) => ageOf(at(o, 'metadata', 'creationTimestamp'), now));
const orNone = (s: string) => s || '<none>';

const containersOf = (template: unknown) => list(at(template, 'spec', 'containers'));
const containerNames = (template: unknown) =>
  containersOf(template)
    .map((c) => str(at(c, 'name')))
    .join(',');
const images = (template: unknown) =>
  containersOf(template)
    .map((c) => str(at(c, 'image')))
    .join(',');
const pairs = (m: unknown) => Object.entries(rec(m)).map(([k, v]) => `${k}=${str(v)}`);

/** kubectl's SELECTOR column (metav1.FormatLabelSelector): the canonical string form, `<none>` when empty. */
export function selectorText(sel: unknown): string {
  if (!has(sel)) return '<none>';
  try {
    return orNone(selectorFromLabelSelector(sel as LabelSelector).toString());
  } catch {
    return '<error>';
  }
}

const mapSelector = (m: unknown) => orNone(pairs(m).join(','));
const workloadWide = [
  wide('Containers', (o) => containerNames(at(o, 'spec', 'template'))),
  wide('Images', (o) => images(at(o, 'spec', 'template'))),
  wide('Selector', (o) => selectorText(at(o, 'spec', 'selector'))),
];
const ready = (o: unknown) => `${num(at(o, 'status', 'readyReplicas'))}/${num(at(o, 'spec', 'replicas'))}`;

/** The STATUS column of `kubectl get pods` (printPod): the most telling container state wins. */
function podStatus(o: unknown): string {
  if (has(at(o, 'metadata', 'deletionTimestamp'))) return 'Terminating';
  let reason = str(at(o, 'status', 'reason')) || str(at(o, 'status', 'phase'), 'Pending');
  for (const cs of list(at(o, 'status', 'containerStatuses'))) {
    const waiting = str(at(cs, 'state', 'waiting', 'reason'));
    const terminated = at(cs, 'state', 'terminated');
    if (waiting) reason = waiting;
    else if (has(terminated))
      reason =
        str(at(terminated, 'reason')) ||
        (has(at(terminated, 'signal'))
          ? `Signal:${str(at(terminated, 'signal'))}`
          : `ExitCode:${num(at(terminated, 'exitCode'))}`);
  }
  return reason;
}

function servicePorts(o: unknown): string {
  const ports = list(at(o, 'spec', 'ports'));
  if (!ports.length) return '<none>';
  return ports
    .map(
      (p) =>
        `${num(at(p, 'port'))}${has(at(p, 'nodePort')) ? `:${num(at(p, 'nodePort'))}` : ''}/${str(at(p, 'protocol'), 'TCP')}`,
    )
    .join(',');
}

function externalIP(o: unknown): string {
  const type = str(at(o, 'spec', 'type'), 'ClusterIP');
  const ips = list(at(o, 'spec', 'externalIPs')).map((v) => str(v));
  if (ips.length) return ips.join(',');
  if (type === 'LoadBalancer') return '<pending>';
  if (type === 'ExternalName') return str(at(o, 'spec', 'externalName'));
  return '<none>';
}

function jobStatus(o: unknown): string {
  const conditions = list(at(o, 'status', 'conditions'));
  const holds = (t: string) => conditions.some((c) => at(c, 'type') === t && at(c, 'status') === 'True');
  if (holds('Complete')) return 'Complete';
  if (holds('Failed')) return 'Failed';
  if (has(at(o, 'metadata', 'deletionTimestamp'))) return 'Terminating';
  if (holds('Suspended')) return 'Suspended';
  return 'Running';
}

function jobDuration(o: unknown, now: Date): string {
  const start = at(o, 'status', 'startTime');
  if (typeof start !== 'string') return '';
  const done = at(o, 'status', 'completionTime');
  return ageOf(start, typeof done === 'string' ? new Date(done) : now);
}

function endpointsText(o: unknown): string {
  const addrs: string[] = [];
  for (const s of list(at(o, 'subsets'))) {
    const ports = list(at(s, 'ports'));
    for (const a of list(at(s, 'addresses'))) {
      if (!ports.length) addrs.push(str(at(a, 'ip')));
      for (const p of ports) addrs.push(`${str(at(a, 'ip'))}:${num(at(p, 'port'))}`);
    }
  }
  if (!addrs.length) return '<none>';
  return addrs.slice(0, 3).join(',') + (addrs.length > 3 ? ` + ${addrs.length - 3} more...` : '');
}

const ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};
const count = (v: unknown) => Object.keys(rec(v)).length;
const optionalIntOrString = (v: unknown) => (has(v) ? str(v) : 'N/A');

export const COLUMNS: Record<string, Column[]> = {
  pods: [
    name,
    col(
      'Ready',
      (o) =>
        `${list(at(o, 'status', 'containerStatuses')).filter((c) => at(c, 'ready') === true).length}/${list(at(o, 'spec', 'containers')).length}`,
    ),
    col('Status', podStatus),
    col('Restarts', (o) =>
      String(
        list(at(o, 'status', 'containerStatuses')).reduce(
          (sum: number, c) => sum + num(at(c, 'restartCount')),
          0,
        ),
      ),
    ),
    age,
    wide('IP', (o) => str(at(o, 'status', 'podIP'), '<none>')),
    wide('Node', (o) => str(at(o, 'spec', 'nodeName'), '<none>')),
    wide('Nominated Node', (o) => str(at(o, 'status', 'nominatedNodeName'), '<none>')),
    wide('Readiness Gates', (o) =>
      list(at(o, 'spec', 'readinessGates')).length
        ? String(list(at(o, 'spec', 'readinessGates')).length)
        : '<none>',
    ),
  ],
  deployments: [
    name,
    col('Ready', ready),
    col('Up-to-date', (o) => num(at(o, 'status', 'updatedReplicas')), 'integer'),
    col('Available', (o) => num(at(o, 'status', 'availableReplicas')), 'integer'),
    age,
    ...workloadWide,
  ],
  replicasets: [
    name,
    col('Desired', (o) => num(at(o, 'spec', 'replicas')), 'integer'),
    col('Current', (o) => num(at(o, 'status', 'replicas')), 'integer'),
    col('Ready', (o) => num(at(o, 'status', 'readyReplicas')), 'integer'),
    age,
    ...workloadWide,
  ],
  statefulsets: [name, col('Ready', ready), age, ...workloadWide.slice(0, 2)],
  daemonsets: [
    name,
    col('Desired', (o) => num(at(o, 'status', 'desiredNumberScheduled')), 'integer'),
    col('Current', (o) => num(at(o, 'status', 'currentNumberScheduled')), 'integer'),
    col('Ready', (o) => num(at(o, 'status', 'numberReady')), 'integer'),
    col('Up-to-date', (o) => num(at(o, 'status', 'updatedNumberScheduled')), 'integer'),
    col('Available', (o) => num(at(o, 'status', 'numberAvailable')), 'integer'),
    col('Node Selector', (o) => mapSelector(at(o, 'spec', 'template', 'spec', 'nodeSelector'))),
    age,
    ...workloadWide,
  ],
  jobs: [
    name,
    col('Status', jobStatus),
    col(
      'Completions',
      (o) =>
        `${num(at(o, 'status', 'succeeded'))}/${has(at(o, 'spec', 'completions')) ? num(at(o, 'spec', 'completions')) : 1}`,
    ),
    col('Duration', jobDuration),
    age,
    ...workloadWide,
  ],
  cronjobs: [
    name,
    col('Schedule', (o) => str(at(o, 'spec', 'schedule'))),
    col('Timezone', (o) => str(at(o, 'spec', 'timeZone'), '<none>')),
    col('Suspend', (o) => String(at(o, 'spec', 'suspend') === true)),
    col('Active', (o) => list(at(o, 'status', 'active')).length, 'integer'),
    col('Last Schedule', (o, now) =>
      has(at(o, 'status', 'lastScheduleTime')) ? ageOf(at(o, 'status', 'lastScheduleTime'), now) : '<none>',
    ),
    age,
    wide('Containers', (o) => containerNames(at(o, 'spec', 'jobTemplate', 'spec', 'template'))),
    wide('Images', (o) => images(at(o, 'spec', 'jobTemplate', 'spec', 'template'))),
    wide('Selector', (o) => selectorText(at(o, 'spec', 'jobTemplate', 'spec', 'selector'))),
  ],
  services: [
    name,
    col('Type', (o) => str(at(o, 'spec', 'type'), 'ClusterIP')),
    col('Cluster-IP', (o) => str(at(o, 'spec', 'clusterIP'), '<none>')),
    col('External-IP', externalIP),
    col('Port(s)', servicePorts),
    age,
    wide('Selector', (o) => mapSelector(at(o, 'spec', 'selector'))),
  ],
  endpoints: [name, col('Endpoints', endpointsText), age],
  endpointslices: [
    name,
    col('AddressType', (o) => str(at(o, 'addressType'))),
    col(
      'Ports',
      (o) =>
        list(at(o, 'ports'))
          .map((p) => str(at(p, 'port')))
          .join(',') || '<unset>',
    ),
    col(
      'Endpoints',
      (o) =>
        list(at(o, 'endpoints'))
          .flatMap((e) => list(at(e, 'addresses')).map((a) => str(a)))
          .join(',') || '<unset>',
    ),
    age,
  ],
  configmaps: [name, col('Data', (o) => count(at(o, 'data')) + count(at(o, 'binaryData')), 'integer'), age],
  secrets: [
    name,
    col('Type', (o) => str(at(o, 'type'), 'Opaque')),
    col('Data', (o) => count(at(o, 'data')), 'integer'),
    age,
  ],
  serviceaccounts: [name, col('Secrets', (o) => list(at(o, 'secrets')).length, 'integer'), age],
  namespaces: [name, col('Status', (o) => str(at(o, 'status', 'phase'), 'Active')), age],
  nodes: [
    name,
    col('Status', (o) =>
      list(at(o, 'status', 'conditions')).some((c) => at(c, 'type') === 'Ready' && at(c, 'status') === 'True')
        ? 'Ready'
        : 'NotReady',
    ),
    col('Roles', () => '<none>'),
    age,
    col('Version', (o) => str(at(o, 'status', 'nodeInfo', 'kubeletVersion'))),
    wide('Internal-IP', (o) =>
      str(
        at(
          list(at(o, 'status', 'addresses')).find((a) => at(a, 'type') === 'InternalIP'),
          'address',
        ),
        '<none>',
      ),
    ),
  ],
  persistentvolumeclaims: [
    name,
    col('Status', (o) => str(at(o, 'status', 'phase'), 'Pending')),
    col('Volume', (o) => str(at(o, 'spec', 'volumeName'))),
    col('Capacity', (o) => str(at(o, 'status', 'capacity', 'storage'))),
    col('Access Modes', (o) =>
      list(at(o, 'status', 'accessModes'))
        .map((m) => ACCESS_MODES[str(m)] ?? str(m))
        .join(','),
    ),
    col('StorageClass', (o) => str(at(o, 'spec', 'storageClassName'), '<unset>')),
    col('VolumeAttributesClass', (o) => str(at(o, 'spec', 'volumeAttributesClassName'), '<unset>')),
    age,
    wide('VolumeMode', (o) => str(at(o, 'spec', 'volumeMode'), 'Filesystem')),
  ],
  events: [
    col('Last Seen', (o, now) =>
      ageOf(at(o, 'lastTimestamp') ?? at(o, 'eventTime') ?? at(o, 'metadata', 'creationTimestamp'), now),
    ),
    col('Type', (o) => str(at(o, 'type'))),
    col('Reason', (o) => str(at(o, 'reason'))),
    col(
      'Object',
      (o) => `${str(at(o, 'involvedObject', 'kind')).toLowerCase()}/${str(at(o, 'involvedObject', 'name'))}`,
    ),
    col('Message', (o) => str(at(o, 'message')).trim()),
  ],
  horizontalpodautoscalers: [
    name,
    col(
      'Reference',
      (o) =>
        `${str(at(o, 'spec', 'scaleTargetRef', 'kind'))}/${str(at(o, 'spec', 'scaleTargetRef', 'name'))}`,
    ),
    col('Targets', (o) =>
      list(at(o, 'spec', 'metrics')).length ? `${list(at(o, 'spec', 'metrics')).length} metric(s)` : '<none>',
    ),
    col(
      'MinPods',
      (o) => (has(at(o, 'spec', 'minReplicas')) ? num(at(o, 'spec', 'minReplicas')) : 1),
      'integer',
    ),
    col('MaxPods', (o) => num(at(o, 'spec', 'maxReplicas')), 'integer'),
    col('Replicas', (o) => num(at(o, 'status', 'currentReplicas')), 'integer'),
    age,
  ],
  poddisruptionbudgets: [
    name,
    col('Min Available', (o) => optionalIntOrString(at(o, 'spec', 'minAvailable'))),
    col('Max Unavailable', (o) => optionalIntOrString(at(o, 'spec', 'maxUnavailable'))),
    col('Allowed Disruptions', (o) => num(at(o, 'status', 'disruptionsAllowed')), 'integer'),
    age,
  ],
  ingresses: [
    name,
    col('Class', (o) => str(at(o, 'spec', 'ingressClassName'), '<none>')),
    col(
      'Hosts',
      (o) =>
        list(at(o, 'spec', 'rules'))
          .map((r) => str(at(r, 'host'), '*'))
          .join(',') || '*',
    ),
    col('Address', (o) =>
      list(at(o, 'status', 'loadBalancer', 'ingress'))
        .map((i) => str(at(i, 'ip')) || str(at(i, 'hostname')))
        .join(','),
    ),
    col('Ports', (o) => (list(at(o, 'spec', 'tls')).length ? '80, 443' : '80')),
    age,
  ],
  leases: [name, col('Holder', (o) => str(at(o, 'spec', 'holderIdentity'))), age],
};

export function columnsFor(resource: string): Column[] {
  return COLUMNS[resource] ?? [name, age];
}
