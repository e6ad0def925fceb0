import { arr, get, isObj, num, obj, objs, str, strMap } from '../access.js';
import { indexOf } from '../index-set.js';
import type { Manifest, Path, Rule, RuleContext, Violation } from '../types.js';
import { declaredPorts, namedPorts } from '../workloads.js';
import { kindRule, workloadRule } from './define.js';

const ns = (m: Manifest) => m.ref.namespace ?? 'default';

/** Policy kinds of CNI plugins and the AdminNetworkPolicy API that may cover pods instead of a NetworkPolicy. */
const NAMESPACED_POLICY_KINDS = ['CiliumNetworkPolicy'];
const CLUSTER_POLICY_KINDS = [
  'CiliumClusterwideNetworkPolicy',
  'GlobalNetworkPolicy',
  'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy',
];

const otherPolicyCache = new WeakMap<readonly Manifest[], Map<string, boolean>>();

function otherPolicyCovers(ctx: RuleContext, namespace: string): boolean {
  let byNamespace = otherPolicyCache.get(ctx.manifests);
  if (!byNamespace) otherPolicyCache.set(ctx.manifests, (byNamespace = new Map()));
  const hit = byNamespace.get(namespace);
  if (hit !== undefined) return hit;
  const index = indexOf(ctx.manifests);
  const covers =
    CLUSTER_POLICY_KINDS.some((k) => index.byKind(k).length > 0) ||
    NAMESPACED_POLICY_KINDS.some((k) => index.inNamespace(k, namespace).length > 0) ||
    // Calico's own namespaced NetworkPolicy (projectcalico.org / crd.projectcalico.org).
    index.inNamespace('NetworkPolicy', namespace).some((m) => m.ref.apiVersion.includes('projectcalico.org'));
  byNamespace.set(namespace, covers);
  return covers;
}

/**
 * The directions a NetworkPolicy isolates (networking/v1 defaulting): spec.policyTypes when set;
 * otherwise Ingress, plus Egress when the policy has egress rules.
 */
export function policyDirections(policy: Manifest): Set<'Ingress' | 'Egress'> {
  const types = arr(get(policy.body, 'spec', 'policyTypes'));
  if (types.length > 0)
    return new Set(types.filter((t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress'));
  return new Set(arr(get(policy.body, 'spec', 'egress')).length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
}

const noNetworkPolicy = workloadRule(
  {
    id: 'net-no-network-policy',
    title: 'Pods not covered by any NetworkPolicy',
    severity: 'warning',
    category: 'networking',
    checks:
      "A workload's pod template labels must be selected, for ingress and for egress, by NetworkPolicies in the input in the same namespace (an empty podSelector `{}` selects every pod of the namespace; a policy's directions are its policyTypes, or Ingress plus Egress when it has egress rules). Skipped when the input holds Cilium, Calico or AdminNetworkPolicy objects that may cover the pods.",
    rationale:
      'Pods no NetworkPolicy selects accept traffic from every pod in the cluster, so one compromised pod reaches them all; pods isolated only for ingress can still send anywhere (exfiltration, lateral movement).',
    remediation:
      'Add a default-deny NetworkPolicy for the namespace (podSelector: {}, policyTypes: [Ingress, Egress]) and policies allowing the traffic the app needs.',
  },
  (w, ctx) => {
    if (otherPolicyCovers(ctx, w.namespace)) return [];
    const covered = new Set<string>();
    for (const p of indexOf(ctx.manifests).networkPoliciesSelecting(w))
      for (const d of policyDirections(p)) covered.add(d);
    const missing = (['Ingress', 'Egress'] as const).filter((d) => !covered.has(d));
    if (missing.length === 0) return [];
    return [
      {
        manifest: w.manifest,
        path: [...w.podMetaPath, 'labels'],
        message:
          missing.length === 2
            ? `no NetworkPolicy in namespace "${w.namespace}" selects these pods`
            : `NetworkPolicies in namespace "${w.namespace}" restrict only ${covered.has('Ingress') ? 'ingress' : 'egress'} of these pods; no policy with policyTypes ${missing[0]} selects them`,
      },
    ];
  },
);

const serviceNoPods = kindRule(
  {
    id: 'net-service-no-pods',
    title: 'Service selector matches no pod template',
    severity: 'warning',
    category: 'networking',
    checks:
      'A Service with a selector must match the pod template labels of at least one workload in the input (same namespace). Services without a selector, ExternalName Services, and namespaces with custom resources in the input (an operator may create the pods) are skipped.',
    rationale:
      'A Service that selects nothing has no endpoints; clients get connection refused. Usually a label typo.',
    remediation: "Make spec.selector equal to a subset of the pod template's labels.",
  },
  ['Service'],
  (m, ctx) => {
    if (get(m.body, 'spec', 'type') === 'ExternalName') return [];
    const selector = strMap(get(m.body, 'spec', 'selector'));
    if (Object.keys(selector).length === 0) return [];
    const index = indexOf(ctx.manifests);
    if (index.hasCustomResources(ns(m))) return [];
    return index.workloadsSelectedBy(m).length > 0
      ? []
      : [
          {
            manifest: m,
            path: ['spec', 'selector'],
            message: `selector ${Object.entries(selector)
              .map(([k, v]) => `${k}=${v}`)
              .join(',')} matches no pod template in namespace "${ns(m)}"`,
          },
        ];
  },
);

function targetPortRule(named: boolean): Rule {
  return kindRule(
    named
      ? {
          id: 'net-target-port-name',
          title: 'Service targetPort names a port the pods do not declare',
          severity: 'error',
          category: 'networking',
          checks:
            'A named spec.ports[].targetPort must be a ports[].name of a container in every workload the Service selects.',
          rationale:
            'Endpoints are only created for pods that declare the named port, so traffic to this port goes nowhere.',
          remediation: 'Name the container port the same, or use the port number.',
        }
      : {
          id: 'net-target-port-undeclared',
          title: 'Service targetPort not declared by the pods',
          severity: 'info',
          category: 'networking',
          checks:
            'A numeric spec.ports[].targetPort (or port, when targetPort is absent) should be a containerPort of the selected workloads, when they declare any ports.',
          rationale:
            'Declared ports are informational, so traffic still flows, but a mismatch is usually a typo that sends traffic to a closed port.',
          remediation: 'Fix targetPort or declare the containerPort.',
        },
    ['Service'],
    (m, ctx) => {
      const workloads = indexOf(ctx.manifests).workloadsSelectedBy(m);
      if (workloads.length === 0) return [];
      const out: Violation[] = [];
      arr(get(m.body, 'spec', 'ports')).forEach((p, i) => {
        if (!isObj(p)) return;
        const target = p.targetPort ?? p.port;
        const path: Path = ['spec', 'ports', i, p.targetPort !== undefined ? 'targetPort' : 'port'];
        if (named && typeof target === 'string' && !/^\d+$/.test(target)) {
          const missing = workloads.filter((w) => !namedPorts(w).has(target));
          if (missing.length)
            out.push({
              manifest: m,
              path,
              message: `targetPort "${target}" is not a named port of ${missing.map((w) => `${w.manifest.ref.kind}/${w.manifest.ref.name}`).join(', ')}`,
            });
        }
        const n =
          typeof target === 'number'
            ? target
            : typeof target === 'string' && /^\d+$/.test(target)
              ? Number(target)
              : undefined;
        if (!named && n !== undefined) {
          const missing = workloads.filter((w) => declaredPorts(w).size > 0 && !declaredPorts(w).has(n));
          if (missing.length)
            out.push({
              manifest: m,
              path,
              message: `targetPort ${n} is not a containerPort of ${missing.map((w) => `${w.manifest.ref.kind}/${w.manifest.ref.name}`).join(', ')}`,
            });
        }
      });
      return out;
    },
  );
}

/** Does Service `svc` expose `port` (a number matched against spec.ports[].port, or a name)? */
function servicePortExists(svc: Manifest, port: unknown): boolean {
  if (port === undefined || port === null) return true;
  return objs(get(svc.body, 'spec', 'ports')).some((p) =>
    typeof port === 'number' ? num(p.port) === port : str(p.name) === port || String(p.port) === String(port),
  );
}

interface BackendRef {
  path: Path;
  name: string;
  port: unknown;
  namespace: string;
}

function ingressBackends(m: Manifest): BackendRef[] {
  const out: BackendRef[] = [];
  const add = (backend: unknown, path: Path) => {
    // networking.k8s.io/v1: backend.service.{name,port.{number|name}}; extensions & v1beta1: serviceName/servicePort.
    const v1Name = str(get(backend, 'service', 'name'));
    if (v1Name)
      out.push({
        path: [...path, 'service', 'name'],
        name: v1Name,
        port: get(backend, 'service', 'port', 'number') ?? get(backend, 'service', 'port', 'name'),
        namespace: ns(m),
      });
    const oldName = str(get(backend, 'serviceName'));
    if (oldName)
      out.push({
        path: [...path, 'serviceName'],
        name: oldName,
        port: get(backend, 'servicePort'),
        namespace: ns(m),
      });
  };
  const spec = obj(m.body.spec) ?? {};
  if (spec.defaultBackend) add(spec.defaultBackend, ['spec', 'defaultBackend']);
  if (spec.backend) add(spec.backend, ['spec', 'backend']);
  arr(spec.rules).forEach((r, i) =>
    arr(get(r, 'http', 'paths')).forEach((p, j) =>
      add(get(p, 'backend'), ['spec', 'rules', i, 'http', 'paths', j, 'backend']),
    ),
  );
  return out;
}

function httpRouteBackends(m: Manifest): BackendRef[] {
  const out: BackendRef[] = [];
  arr(get(m.body, 'spec', 'rules')).forEach((r, i) =>
    arr(get(r, 'backendRefs')).forEach((b, j) => {
      if (!isObj(b)) return;
      // Gateway API defaults: group "" (core) and kind Service.
      if ((b.group ?? '') !== '' || (b.kind ?? 'Service') !== 'Service' || typeof b.name !== 'string') return;
      out.push({
        path: ['spec', 'rules', i, 'backendRefs', j, 'name'],
        name: b.name,
        port: b.port,
        namespace: str(b.namespace) ?? ns(m),
      });
    }),
  );
  return out;
}

function backendRule(id: string, kind: string, title: string, extract: (m: Manifest) => BackendRef[]): Rule {
  return kindRule(
    {
      id,
      title,
      severity: 'error',
      category: 'networking',
      checks: `Every backend Service a ${kind} names must be in the input (its namespace), and expose the port the ${kind} uses.`,
      rationale: 'A missing backend answers every request with 404/503.',
      remediation:
        'Fix the Service name or port, or check the manifests that define the Service together with this one.',
    },
    [kind],
    (m, ctx) => {
      const index = indexOf(ctx.manifests);
      return extract(m).flatMap((b): Violation[] => {
        const svc = index.find('Service', b.namespace, b.name);
        if (!svc)
          return [
            {
              manifest: m,
              path: b.path,
              message: `backend Service "${b.name}" is not in the input (namespace "${b.namespace}")`,
            },
          ];
        return servicePortExists(svc, b.port)
          ? []
          : [
              {
                manifest: m,
                path: b.path,
                message: `backend Service "${b.name}" has no port ${String(b.port)}`,
              },
            ];
      });
    },
  );
}

const ingressTls = kindRule(
  {
    id: 'net-ingress-tls',
    admission: {
      kinds: ['Ingress'],
      expression:
        "has(object.spec) && has(object.spec.tls) && object.spec.tls != null && size(object.spec.tls) > 0 && (!has(object.spec.rules) || object.spec.rules == null || object.spec.rules.all(r, !has(r.host) || r.host == null || r.host == '' || object.spec.tls.exists(t, has(t.hosts) && t.hosts != null && (r.host in t.hosts || (r.host.contains('.') ? '*' + r.host.substring(r.host.indexOf('.')) : '*.') in t.hosts))))",
      message: 'an Ingress must have spec.tls covering every rule host',
    },
    title: 'Ingress without TLS',
    severity: 'warning',
    category: 'networking',
    checks: 'An Ingress must have spec.tls, and every rule host must be listed in one of its tls[].hosts.',
    rationale: 'Plain HTTP exposes credentials and session cookies to anyone on the path.',
    remediation: 'Add spec.tls with the hosts and a certificate Secret (cert-manager can issue it).',
  },
  ['Ingress'],
  (m) => {
    const tls = objs(get(m.body, 'spec', 'tls'));
    if (tls.length === 0)
      return [{ manifest: m, path: ['spec', 'tls'], message: 'the Ingress serves plain HTTP (no spec.tls)' }];
    const covered = new Set(tls.flatMap((t) => arr(t.hosts).map(String)));
    const out: Violation[] = [];
    arr(get(m.body, 'spec', 'rules')).forEach((r, i) => {
      const host = str(get(r, 'host'));
      if (host && !covered.has(host) && !covered.has(`*.${host.split('.').slice(1).join('.')}`))
        out.push({
          manifest: m,
          path: ['spec', 'rules', i, 'host'],
          message: `host ${host} is not covered by spec.tls`,
        });
    });
    return out;
  },
);

const nodePort = kindRule(
  {
    id: 'net-node-port',
    admission: {
      kinds: ['Service'],
      expression: "!has(object.spec) || !has(object.spec.type) || object.spec.type != 'NodePort'",
      message: 'spec.type should not be NodePort',
    },
    title: 'NodePort Service',
    severity: 'info',
    category: 'networking',
    checks: 'spec.type should not be NodePort.',
    rationale:
      'A NodePort opens the port on every node, bypassing the ingress layer and often the firewall model.',
    remediation: 'Use ClusterIP behind an Ingress/Gateway, or a LoadBalancer.',
  },
  ['Service'],
  (m) =>
    get(m.body, 'spec', 'type') === 'NodePort'
      ? [
          {
            manifest: m,
            path: ['spec', 'type'],
            message: 'the Service is exposed on every node (type NodePort)',
          },
        ]
      : [],
);

export const NETWORKING_RULES: Rule[] = [
  noNetworkPolicy,
  serviceNoPods,
  targetPortRule(true),
  targetPortRule(false),
  backendRule('net-ingress-backend', 'Ingress', 'Ingress backend Service missing', ingressBackends),
  backendRule('net-httproute-backend', 'HTTPRoute', 'HTTPRoute backend Service missing', httpRouteBackends),
  ingressTls,
  nodePort,
];
