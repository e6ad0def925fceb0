import { get, obj } from '../access.js';
import { parseQuantity } from '@slipway/kube';
import type { Rule, Severity, Violation } from '../types.js';
import { containersOf, INIT_AND_APP } from '../workloads.js';
import { workloadRule } from './define.js';

/** Requests and limits on containers and init containers (ephemeral containers cannot have them). */
function missingRule(
  id: string,
  severity: Severity,
  kind: 'requests' | 'limits',
  resources: string[],
  title: string,
  rationale: string,
): Rule {
  return workloadRule(
    {
      id,
      title,
      severity,
      category: 'resources',
      checks: `resources.${kind}.${resources.join(' and ')} must be set on every container and init container.`,
      rationale,
      remediation: `Set resources.${kind}.${resources.join('/')} from observed usage (e.g. a week of metrics). Not fixable automatically: only you know the numbers.`,
      admission: {
        kinds: 'workloads',
        expression: `variables.containers.all(c, has(c.resources) && has(c.resources.${kind}) && ${resources.map((r) => `'${r}' in c.resources.${kind}`).join(' && ')})`,
        message: `every container and init container must set resources.${kind}.${resources.join(' and ')}`,
      },
    },
    (w) => {
      const out: Violation[] = [];
      const containers = containersOf(w, INIT_AND_APP);
      for (let i = 0; i < containers.length; i++) {
        const c = containers[i]!;
        const set = obj(get(c.container, 'resources', kind));
        let missing: string[] | undefined;
        for (let j = 0; j < resources.length; j++)
          if (set?.[resources[j]!] === undefined) (missing ??= []).push(resources[j]!);
        if (!missing) continue;
        out.push({
          manifest: w.manifest,
          path: [...c.path, 'resources', kind, missing[0]!],
          container: c.name,
          message: `container "${c.name}" sets no ${missing.map((r) => `${r} ${kind === 'requests' ? 'request' : 'limit'}`).join(' or ')}`,
        });
      }
      return out;
    },
  );
}

/** The resources whose request and limit res-request-above-limit compares. */
const COMPARED = ['cpu', 'memory', 'ephemeral-storage'];

const requestAboveLimit = workloadRule(
  {
    id: 'res-request-above-limit',
    admission: {
      kinds: 'workloads',
      expression:
        "variables.containers.all(c, !has(c.resources) || !has(c.resources.requests) || !has(c.resources.limits) || ['cpu', 'memory', 'ephemeral-storage'].all(r, !(r in c.resources.requests) || !(r in c.resources.limits) || !isQuantity(string(c.resources.requests[r])) || !isQuantity(string(c.resources.limits[r])) || quantity(string(c.resources.requests[r])).compareTo(quantity(string(c.resources.limits[r]))) <= 0))",
      message: 'a request must not exceed its limit',
    },
    title: 'Request above limit',
    severity: 'error',
    category: 'resources',
    checks: 'For cpu, memory and ephemeral-storage, a request must not exceed the limit.',
    rationale: 'The API server rejects such a pod, so the controller never creates it.',
    remediation: 'Lower the request or raise the limit.',
  },
  (w) =>
    containersOf(w, INIT_AND_APP).flatMap((c): Violation[] => {
      const out: Violation[] = [];
      const requests = obj(get(c.container, 'resources', 'requests')) ?? {};
      const limits = obj(get(c.container, 'resources', 'limits')) ?? {};
      for (const r of COMPARED) {
        const req = parseQuantity(requests[r]);
        const lim = parseQuantity(limits[r]);
        if (req !== undefined && lim !== undefined && req > lim) {
          out.push({
            manifest: w.manifest,
            path: [...c.path, 'resources', 'requests', r],
            container: c.name,
            message: `container "${c.name}" requests ${String(requests[r])} ${r}, above its limit ${String(limits[r])}`,
          });
        }
      }
      return out;
    }),
);

const RESOURCE_NAMES = ['cpu', 'memory', 'ephemeral-storage'] as const;

const requestsEqualLimits = workloadRule(
  {
    id: 'res-requests-equal-limits',
    admission: {
      kinds: 'workloads',
      expression:
        "variables.containers.all(c, ['cpu', 'memory', 'ephemeral-storage'].all(r, [[(has(c.resources) && c.resources != null && has(c.resources.requests) && c.resources.requests != null && r in c.resources.requests ? c.resources.requests[r] : null), (has(c.resources) && c.resources != null && has(c.resources.limits) && c.resources.limits != null && r in c.resources.limits ? c.resources.limits[r] : null)]].all(q, (q[0] == null && q[1] == null) || (q[1] != null && isQuantity(string(q[1])) && isQuantity(string(q[0] != null ? q[0] : q[1])) && quantity(string(q[0] != null ? q[0] : q[1])).compareTo(quantity(string(q[1]))) == 0))))",
      message: 'every request must equal its limit (Guaranteed QoS)',
    },
    title: 'Requests differ from limits',
    severity: 'info',
    category: 'resources',
    enabledByDefault: false,
    checks:
      'For cpu, memory and ephemeral-storage, every container and init container must set a request equal to its limit (the Guaranteed QoS class). Off by default; enable it in .slipway-check.yaml.',
    rationale:
      'A pod whose requests equal its limits is Guaranteed: evicted last under node pressure and never overcommitted, at the price of unused reserved capacity.',
    remediation: 'Set resources.requests and resources.limits to the same quantities.',
  },
  (w) =>
    containersOf(w, INIT_AND_APP).flatMap((c): Violation[] => {
      const requests = obj(get(c.container, 'resources', 'requests')) ?? {};
      const limits = obj(get(c.container, 'resources', 'limits')) ?? {};
      return RESOURCE_NAMES.flatMap((r): Violation[] => {
        if (requests[r] === undefined && limits[r] === undefined) return [];
        const req = parseQuantity(requests[r] ?? limits[r]);
        const lim = parseQuantity(limits[r]);
        if (lim !== undefined && req === lim) return [];
        return [
          {
            manifest: w.manifest,
            path: [
              ...c.path,
              'resources',
              lim === undefined ? 'limits' : 'requests',
              ...(lim === undefined ? [] : [r]),
            ],
            container: c.name,
            message:
              lim === undefined
                ? `container "${c.name}" sets a ${r} request but no ${r} limit`
                : `container "${c.name}" requests ${String(requests[r])} ${r} but is limited to ${String(limits[r])}`,
          },
        ];
      });
    }),
);

/**
 * Bounds outside which a quantity is almost surely a unit mistake (`memory: 512` is 512 bytes, `cpu: 500`
 * is 500 cores): below the smallest useful amount or above the largest common node.
 */
export const RESOURCE_RANGES: Record<
  (typeof RESOURCE_NAMES)[number],
  { min: number; max: number; unit: string }
> = {
  cpu: { min: 0.001, max: 64, unit: 'cores' },
  memory: { min: 4 * 2 ** 20, max: 512 * 2 ** 30, unit: 'bytes' },
  'ephemeral-storage': { min: 2 ** 20, max: 2 ** 40, unit: 'bytes' },
};

const ranges = workloadRule(
  {
    id: 'res-range',
    admission: {
      kinds: 'workloads',
      expression:
        "variables.containers.all(c, !has(c.resources) || ['requests', 'limits'].all(k, !(k in c.resources) || c.resources[k] == null || [['cpu', '1m', '64'], ['memory', '4Mi', '512Gi'], ['ephemeral-storage', '1Mi', '1Ti']].all(b, !(b[0] in c.resources[k]) || !isQuantity(string(c.resources[k][b[0]])) || quantity(string(c.resources[k][b[0]])).sign() == 0 || (!quantity(string(c.resources[k][b[0]])).isLessThan(quantity(b[1])) && !quantity(string(c.resources[k][b[0]])).isGreaterThan(quantity(b[2]))))))",
      message:
        'requests and limits must lie in a plausible range (cpu 1m-64, memory 4Mi-512Gi, ephemeral-storage 1Mi-1Ti)',
    },
    title: 'Resource quantity out of range',
    severity: 'warning',
    category: 'resources',
    checks:
      'Every request and limit must lie in a plausible range: cpu 1m to 64 cores, memory 4Mi to 512Gi, ephemeral-storage 1Mi to 1Ti.',
    rationale:
      'Values outside these bounds are nearly always a missing unit (`memory: 512` is 512 bytes and the container is OOM-killed at start; `cpu: 500` is 500 cores and never schedules).',
    remediation: 'Write the unit: memory 512Mi, cpu 500m.',
  },
  (w) =>
    containersOf(w, INIT_AND_APP).flatMap((c) =>
      (['requests', 'limits'] as const).flatMap((kind) => {
        const values = obj(get(c.container, 'resources', kind)) ?? {};
        return RESOURCE_NAMES.flatMap((r): Violation[] => {
          const q = parseQuantity(values[r]);
          const range = RESOURCE_RANGES[r];
          if (q === undefined || q === 0 || (q >= range.min && q <= range.max)) return [];
          return [
            {
              manifest: w.manifest,
              path: [...c.path, 'resources', kind, r],
              container: c.name,
              message: `container "${c.name}" ${kind === 'requests' ? 'requests' : 'is limited to'} ${String(values[r])} ${r} (${q} ${range.unit}), ${q < range.min ? 'below' : 'above'} the plausible range; is a unit missing?`,
            },
          ];
        });
      }),
    ),
);

export const RESOURCE_RULES: Rule[] = [
  missingRule(
    'res-cpu-request',
    'warning',
    'requests',
    ['cpu'],
    'No CPU request',
    'Without a request the scheduler may pack the pod onto a busy node and it is first to be starved.',
  ),
  missingRule(
    'res-memory-request',
    'warning',
    'requests',
    ['memory'],
    'No memory request',
    'Without a request the scheduler cannot reserve memory and the pod is among the first evicted under pressure.',
  ),
  missingRule(
    'res-memory-limit',
    'warning',
    'limits',
    ['memory'],
    'No memory limit',
    'A leak in one container can exhaust node memory and get other pods OOM-killed.',
  ),
  missingRule(
    'res-cpu-limit',
    'info',
    'limits',
    ['cpu'],
    'No CPU limit',
    'Without a limit one container can use every idle core; some teams prefer this (CPU limits cause throttling), hence info.',
  ),
  missingRule(
    'res-ephemeral-storage',
    'info',
    'requests',
    ['ephemeral-storage'],
    'No ephemeral-storage request',
    'Logs and scratch files count against node disk; without a request the kubelet evicts the pod first when the disk fills.',
  ),
  missingRule(
    'res-ephemeral-storage-limit',
    'info',
    'limits',
    ['ephemeral-storage'],
    'No ephemeral-storage limit',
    'Without a limit one container can fill the node disk with logs or scratch files, and the kubelet then evicts pods that did nothing wrong.',
  ),
  requestAboveLimit,
  requestsEqualLimits,
  ranges,
];
