/**
 * Server-side print columns, after kubernetes/pkg/printers/internalversion/printers.go: what
 * `kubectl get` (priority 0) and `kubectl get -o wide` (priority 1) show per kind. Kinds not listed
 * get NAME and AGE, as CRDs without printer columns do.
 */
import type { KubeObject } from '../../types.js';
import { ageOf } from './age.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- read-only walks over arbitrary API objects
export type Cell = string | number | boolean;

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean';
  priority?: number;
  cell(o: Obj, now: Date): Cell;
}

const name: Column = { name: 'Name', type: 'string', cell: (o) => o.metadata?.name ?? '' };
const age: Column = { name: 'Age', type: 'string', cell: (o, now) => ageOf(o.metadata?.creationTimestamp, now) };
const col = (n: string, cell: (o: Obj, now: Date) => Cell, type: Column['type'] = 'string', priority = 0): Column => ({ name: n, type, priority, cell });
const wide = (n: string, cell: (o: Obj) => Cell): Column => col(n, cell, 'string', 1);

const containersOf = (tpl: Obj | undefined): Obj[] => tpl?.spec?.containers ?? [];
const containerNames = (tpl: Obj | undefined) => containersOf(tpl).map((c) => c.name).join(',');
const images = (tpl: Obj | undefined) => containersOf(tpl).map((c) => c.image).join(',');

export function selectorText(sel: Obj | undefined): string {
  if (!sel) return '<none>';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const op = String(e.operator).toLowerCase();
    if (op === 'exists') parts.push(e.key);
    else if (op === 'doesnotexist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

const mapSelector = (m: Obj | undefined) => (m && Object.keys(m).length ? Object.entries(m).map(([k, v]) => `${k}=${v}`).join(',') : '<none>');
const n = (v: unknown) => (typeof v === 'number' ? v : 0);
const workloadWide = [wide('Containers', (o) => containerNames(o.spec?.template)), wide('Images', (o) => images(o.spec?.template)), wide('Selector', (o) => selectorText(o.spec?.selector))];

function podStatus(o: Obj): string {
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  let reason: string = o.status?.reason ?? o.status?.phase ?? 'Pending';
  for (const cs of o.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated) reason = cs.state.terminated.reason ?? (cs.state.terminated.signal ? `Signal:${cs.state.terminated.signal}` : `ExitCode:${cs.state.terminated.exitCode}`);
  }
  return reason;
}

function servicePorts(o: Obj): string {
  const ports: Obj[] = o.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

function jobStatus(o: Obj): string {
  const conditions: Obj[] = o.status?.conditions ?? [];
  const has = (t: string) => conditions.some((c) => c.type === t && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  if (has('Suspended')) return 'Suspended';
  return 'Running';
}

function jobDuration(o: Obj, now: Date): string {
  const start = o.status?.startTime;
  if (!start) return '';
  const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : now.getTime();
  return ageOf(start, new Date(end));
}

const endpointsText = (o: Obj) => {
  const addrs: string[] = [];
  for (const s of o.subsets ?? []) for (const a of s.addresses ?? []) for (const p of s.ports ?? [{}]) addrs.push(p.port ? `${a.ip}:${p.port}` : a.ip);
  return addrs.length ? addrs.slice(0, 3).join(',') + (addrs.length > 3 ? ` + ${addrs.length - 3} more...` : '') : '<none>';
};

export const COLUMNS: Record<string, Column[]> = {
  pods: [
    name,
    col('Ready', (o) => `${(o.status?.containerStatuses ?? []).filter((c: Obj) => c.ready).length}/${(o.spec?.containers ?? []).length}`),
    col('Status', podStatus),
    col('Restarts', (o) => (o.status?.containerStatuses ?? []).reduce((s: number, c: Obj) => s + n(c.restartCount), 0), 'string'),
    age,
    wide('IP', (o) => o.status?.podIP ?? '<none>'),
    wide('Node', (o) => o.spec?.nodeName ?? '<none>'),
    wide('Nominated Node', (o) => o.status?.nominatedNodeName ?? '<none>'),
    wide('Readiness Gates', (o) => (o.spec?.readinessGates?.length ? String(o.spec.readinessGates.length) : '<none>')),
  ],
  deployments: [
    name,
    col('Ready', (o) => `${n(o.status?.readyReplicas)}/${n(o.spec?.replicas)}`),
    col('Up-to-date', (o) => n(o.status?.updatedReplicas), 'integer'),
    col('Available', (o) => n(o.status?.availableReplicas), 'integer'),
    age,
    ...workloadWide,
  ],
  replicasets: [
    name,
    col('Desired', (o) => n(o.spec?.replicas), 'integer'),
    col('Current', (o) => n(o.status?.replicas), 'integer'),
    col('Ready', (o) => n(o.status?.readyReplicas), 'integer'),
    age,
    ...workloadWide,
  ],
  statefulsets: [name, col('Ready', (o) => `${n(o.status?.readyReplicas)}/${n(o.spec?.replicas)}`), age, workloadWide[0] as Column, workloadWide[1] as Column],
  daemonsets: [
    name,
    col('Desired', (o) => n(o.status?.desiredNumberScheduled), 'integer'),
    col('Current', (o) => n(o.status?.currentNumberScheduled), 'integer'),
    col('Ready', (o) => n(o.status?.numberReady), 'integer'),
    col('Up-to-date', (o) => n(o.status?.updatedNumberScheduled), 'integer'),
    col('Available', (o) => n(o.status?.numberAvailable), 'integer'),
    col('Node Selector', (o) => mapSelector(o.spec?.template?.spec?.nodeSelector)),
    age,
    ...workloadWide,
  ],
  jobs: [
    name,
    col('Status', jobStatus),
    col('Completions', (o) => `${n(o.status?.succeeded)}/${o.spec?.completions ?? 1}`),
    col('Duration', jobDuration),
    age,
    ...workloadWide,
  ],
  cronjobs: [
    name,
    col('Schedule', (o) => o.spec?.schedule ?? ''),
    col('Timezone', (o) => o.spec?.timeZone ?? '<none>'),
    col('Suspend', (o) => String(o.spec?.suspend ?? false)),
    col('Active', (o) => (o.status?.active ?? []).length, 'integer'),
    col('Last Schedule', (o, now) => (o.status?.lastScheduleTime ? ageOf(o.status.lastScheduleTime, now) : '<none>')),
    age,
    wide('Containers', (o) => containerNames(o.spec?.jobTemplate?.spec?.template)),
    wide('Images', (o) => images(o.spec?.jobTemplate?.spec?.template)),
    wide('Selector', (o) => selectorText(o.spec?.jobTemplate?.spec?.selector)),
  ],
  services: [
    name,
    col('Type', (o) => o.spec?.type ?? 'ClusterIP'),
    col('Cluster-IP', (o) => o.spec?.clusterIP ?? '<none>'),
    col('External-IP', (o) => (o.spec?.externalIPs?.length ? o.spec.externalIPs.join(',') : o.spec?.type === 'LoadBalancer' ? '<pending>' : o.spec?.type === 'ExternalName' ? o.spec.externalName : '<none>')),
    col('Port(s)', servicePorts),
    age,
    wide('Selector', (o) => mapSelector(o.spec?.selector)),
  ],
  endpoints: [name, col('Endpoints', endpointsText), age],
  endpointslices: [
    name,
    col('AddressType', (o) => o.addressType ?? ''),
    col('Ports', (o) => ((o.ports ?? []) as Obj[]).map((p) => p.port).join(',') || '<unset>'),
    col('Endpoints', (o) => ((o.endpoints ?? []) as Obj[]).flatMap((e) => e.addresses ?? []).join(',') || '<unset>'),
    age,
  ],
  configmaps: [name, col('Data', (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, 'integer'), age],
  secrets: [name, col('Type', (o) => o.type ?? 'Opaque'), col('Data', (o) => Object.keys(o.data ?? {}).length, 'integer'), age],
  serviceaccounts: [name, col('Secrets', (o) => (o.secrets ?? []).length, 'integer'), age],
  namespaces: [name, col('Status', (o) => o.status?.phase ?? 'Active'), age],
  nodes: [
    name,
    col('Status', (o) => ((o.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Ready' : 'NotReady'),
    col('Roles', () => '<none>'),
    age,
    col('Version', (o) => o.status?.nodeInfo?.kubeletVersion ?? ''),
    wide('Internal-IP', (o) => ((o.status?.addresses ?? []) as Obj[]).find((a) => a.type === 'InternalIP')?.address ?? '<none>'),
  ],
  persistentvolumeclaims: [
    name,
    col('Status', (o) => o.status?.phase ?? 'Pending'),
    col('Volume', (o) => o.spec?.volumeName ?? ''),
    col('Capacity', (o) => o.status?.capacity?.storage ?? ''),
    col('Access Modes', (o) => (o.status?.accessModes ?? []).map((m: string) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' })[m] ?? m).join(',')),
    col('StorageClass', (o) => o.spec?.storageClassName ?? '<unset>'),
    col('VolumeAttributesClass', (o) => o.spec?.volumeAttributesClassName ?? '<unset>'),
    age,
    wide('VolumeMode', (o) => o.spec?.volumeMode ?? 'Filesystem'),
  ],
  events: [
    col('Last Seen', (o, now) => ageOf(o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp, now)),
    col('Type', (o) => o.type ?? ''),
    col('Reason', (o) => o.reason ?? ''),
    col('Object', (o) => `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}`),
    col('Message', (o) => String(o.message ?? '').trim()),
  ],
  horizontalpodautoscalers: [
    name,
    col('Reference', (o) => `${o.spec?.scaleTargetRef?.kind}/${o.spec?.scaleTargetRef?.name}`),
    col('Targets', (o) => (o.spec?.metrics?.length ? `${o.spec.metrics.length} metric(s)` : '<none>')),
    col('MinPods', (o) => o.spec?.minReplicas ?? 1, 'integer'),
    col('MaxPods', (o) => n(o.spec?.maxReplicas), 'integer'),
    col('Replicas', (o) => n(o.status?.currentReplicas), 'integer'),
    age,
  ],
  poddisruptionbudgets: [
    name,
    col('Min Available', (o) => (o.spec?.minAvailable === undefined ? 'N/A' : String(o.spec.minAvailable))),
    col('Max Unavailable', (o) => (o.spec?.maxUnavailable === undefined ? 'N/A' : String(o.spec.maxUnavailable))),
    col('Allowed Disruptions', (o) => n(o.status?.disruptionsAllowed), 'integer'),
    age,
  ],
  ingresses: [
    name,
    col('Class', (o) => o.spec?.ingressClassName ?? '<none>'),
    col('Hosts', (o) => ((o.spec?.rules ?? []) as Obj[]).map((r) => r.host ?? '*').join(',') || '*'),
    col('Address', (o) => ((o.status?.loadBalancer?.ingress ?? []) as Obj[]).map((i) => i.ip ?? i.hostname).join(',')),
    col('Ports', (o) => (o.spec?.tls?.length ? '80, 443' : '80')),
    age,
  ],
  leases: [name, col('Holder', (o) => o.spec?.holderIdentity ?? ''), age],
};

export function columnsFor(resource: string): Column[] {
  return COLUMNS[resource] ?? [name, age];
}

export type { KubeObject };
