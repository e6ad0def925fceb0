/**
 * Endpoints and EndpointSlices from the pods a Service selects (pkg/controller/endpoint and
 * endpointslice, ShouldPodBeInEndpoints): pods with a podIP, not terminal; Ready pods go to
 * `addresses`, the others to `notReadyAddresses`; terminating pods leave Endpoints at once and stay
 * in the slice with `terminating: true`. Named targetPorts resolve against the pod's containerPorts.
 * Selector-less Services keep user-managed Endpoints. One slice per Service (upstream splits at 100
 * endpoints per slice and by port set; the sandbox keeps one).
 */
import type { KubeObject } from '@slipway/kube';
import type { WatchEvent } from '../types.js';
import type { ControllerSpec, LoopContext } from './loop.js';
import {
  isNotFound,
  isPodReady,
  isPodTerminal,
  ownerRefTo,
  spec,
  splitKey,
  status,
  type Kinds,
  type Obj,
} from './objects.js';

interface ServicePortSpec {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}
interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: ServicePortSpec[];
  clusterIP?: string;
  publishNotReadyAddresses?: boolean;
}

const MANAGED_BY = 'endpointslice-controller.k8s.io';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** The pod's port for a Service port: a number as is, a name via containers[].ports[].name. */
export function resolveTargetPort(pod: KubeObject, p: ServicePortSpec): number | undefined {
  const target = p.targetPort ?? p.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of spec<{ containers?: { ports?: { name?: string; containerPort: number }[] }[] }>(pod)
    .containers ?? []) {
    for (const cp of c.ports ?? []) if (cp.name === target) return cp.containerPort;
  }
  return undefined;
}

function matchesSelector(
  selector: Record<string, string>,
  labels: Record<string, string> | undefined,
): boolean {
  return Object.entries(selector).every(([key, v]) => labels?.[key] === v);
}

export function endpointsController(ctx: LoopContext, k: Kinds): ControllerSpec {
  // Selectors of every Service, kept from the Service watch, so a pod event finds its Services
  // without copying every Service in the namespace.
  const selectors = new Map<string, Record<string, string>>();
  const serviceKeys = (event: WatchEvent): string[] => {
    const key = `${event.object.metadata.namespace}/${event.object.metadata.name}`;
    const sel = spec<ServiceSpec>(event.object).selector;
    if (event.type === 'DELETED' || !sel || !Object.keys(sel).length) selectors.delete(key);
    else selectors.set(key, sel);
    return [key];
  };
  const servicesFor = (event: WatchEvent): string[] => {
    const pod = event.object;
    const out: string[] = [];
    for (const [key, sel] of selectors)
      if (key.startsWith(`${pod.metadata.namespace}/`) && matchesSelector(sel, pod.metadata.labels))
        out.push(key);
    return out;
  };
  return {
    name: 'endpoint-controller',
    inputs: [
      { type: k.service, keys: serviceKeys },
      { type: k.pod, keys: servicesFor },
    ],
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const svc = ctx.store.get(k.service, namespace, name);
      if (!svc || svc.metadata.deletionTimestamp) {
        // The Service is gone: its Endpoints go too (the slices follow by ownerReference GC).
        try {
          ctx.store.delete(k.endpoints, namespace, name);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        return;
      }
      const s = spec<ServiceSpec>(svc);
      if (!s.selector || Object.keys(s.selector).length === 0) return;
      const pods = ctx.store
        .list(k.pod, namespace)
        .items.filter((p) => matchesSelector(s.selector as Record<string, string>, p.metadata.labels));
      const candidates = pods.filter((p) => !isPodTerminal(p) && status<{ podIP?: string }>(p).podIP);
      writeEndpoints(
        svc,
        s,
        candidates.filter((p) => !p.metadata.deletionTimestamp),
      );
      writeSlice(svc, s, candidates);
    },
  };

  function address(pod: KubeObject): Obj {
    const nodeName = spec<{ nodeName?: string }>(pod).nodeName;
    return {
      ip: status<{ podIP: string }>(pod).podIP,
      ...(nodeName ? { nodeName } : {}),
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
      },
    };
  }

  function writeEndpoints(svc: KubeObject, s: ServiceSpec, pods: KubeObject[]): void {
    // Subsets are grouped by identical resolved port sets (endpoints.RepackSubsets).
    const groups = new Map<string, { ports: Obj[]; addresses: Obj[]; notReadyAddresses: Obj[] }>();
    for (const pod of pods) {
      const ports = (s.ports ?? [])
        .map((p) => ({ p, target: resolveTargetPort(pod, p) }))
        .filter((x) => x.target !== undefined)
        .map(({ p, target }) => ({
          ...(p.name ? { name: p.name } : {}),
          port: target,
          protocol: p.protocol ?? 'TCP',
          ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
        }));
      if ((s.ports ?? []).length && !ports.length) continue;
      const groupKey = JSON.stringify(ports);
      let g = groups.get(groupKey);
      if (!g) groups.set(groupKey, (g = { ports, addresses: [], notReadyAddresses: [] }));
      (isPodReady(pod) || s.publishNotReadyAddresses ? g.addresses : g.notReadyAddresses).push(address(pod));
    }
    const byIp = (a: Obj, b: Obj) =>
      String(a.ip).localeCompare(String(b.ip)) ||
      String((a.targetRef as Obj).name).localeCompare(String((b.targetRef as Obj).name));
    const subsets = [...groups.values()].map((g) => ({
      ...(g.addresses.length ? { addresses: g.addresses.sort(byIp) } : {}),
      ...(g.notReadyAddresses.length ? { notReadyAddresses: g.notReadyAddresses.sort(byIp) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }));
    const labels = {
      ...(svc.metadata.labels ?? {}),
      ...(s.clusterIP === 'None' ? { 'service.kubernetes.io/headless': '' } : {}),
    };
    const current = ctx.store.get(k.endpoints, svc.metadata.namespace, svc.metadata.name as string);
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        ...(current?.metadata ?? {}),
        name: svc.metadata.name,
        namespace: svc.metadata.namespace,
        labels,
      },
      ...(subsets.length ? { subsets } : {}),
    };
    if (!current) ctx.store.create(desired);
    else ctx.store.update(desired);
  }

  function writeSlice(svc: KubeObject, s: ServiceSpec, pods: KubeObject[]): void {
    const first = pods[0];
    const ports = (s.ports ?? []).map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : { name: '' }),
      port: first ? (resolveTargetPort(first, p) ?? null) : null,
      protocol: p.protocol ?? 'TCP',
    }));
    const endpoints = pods.map((pod) => {
      const serving = isPodReady(pod);
      const terminating = !!pod.metadata.deletionTimestamp;
      const nodeName = spec<{ nodeName?: string }>(pod).nodeName;
      return {
        addresses: [status<{ podIP: string }>(pod).podIP],
        conditions: {
          ready: !!s.publishNotReadyAddresses || (serving && !terminating),
          serving,
          terminating,
        },
        ...(nodeName ? { nodeName } : {}),
        targetRef: {
          kind: 'Pod',
          namespace: pod.metadata.namespace,
          name: pod.metadata.name,
          uid: pod.metadata.uid,
        },
      };
    });
    const existing = ctx.store
      .list(k.endpointSlice, svc.metadata.namespace, {
        labelSelector: `${SERVICE_NAME_LABEL}=${svc.metadata.name}`,
      })
      .items.find((es) => es.metadata.ownerReferences?.some((r) => r.uid === svc.metadata.uid));
    const desired: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...(existing?.metadata ?? { generateName: `${svc.metadata.name}-` }),
        namespace: svc.metadata.namespace,
        labels: {
          ...(svc.metadata.labels ?? {}),
          [SERVICE_NAME_LABEL]: svc.metadata.name as string,
          'endpointslice.kubernetes.io/managed-by': MANAGED_BY,
        },
        ownerReferences: [{ ...ownerRefTo(svc) }],
      },
      addressType: 'IPv4',
      endpoints,
      ports: ports.filter((p) => p.port !== null),
    };
    if (!existing) ctx.store.create(desired);
    else ctx.store.update(desired);
  }
}
