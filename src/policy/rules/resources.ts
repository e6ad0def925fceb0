import { get, obj } from '../access.js';
import { parseQuantity } from '../quantity.js';
import type { Path, Rule, Severity, Violation } from '../types.js';
import { containersOf } from '../workloads.js';
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
    },
    (w) =>
      containersOf(w, ['initContainers', 'containers']).flatMap((c): Violation[] => {
        const missing = resources.filter((r) => get(c.container, 'resources', kind, r) === undefined);
        if (missing.length === 0) return [];
        const path: Path = [...c.path, 'resources', kind, missing[0] as string];
        return [
          {
            manifest: w.manifest,
            path,
            container: c.name,
            message: `container "${c.name}" sets no ${missing.map((r) => `${r} ${kind === 'requests' ? 'request' : 'limit'}`).join(' or ')}`,
          },
        ];
      }),
  );
}

const requestAboveLimit = workloadRule(
  {
    id: 'res-request-above-limit',
    title: 'Request above limit',
    severity: 'error',
    category: 'resources',
    checks: 'For cpu, memory and ephemeral-storage, a request must not exceed the limit.',
    rationale: 'The API server rejects such a pod, so the controller never creates it.',
    remediation: 'Lower the request or raise the limit.',
  },
  (w) =>
    containersOf(w, ['initContainers', 'containers']).flatMap((c): Violation[] => {
      const out: Violation[] = [];
      const requests = obj(get(c.container, 'resources', 'requests')) ?? {};
      const limits = obj(get(c.container, 'resources', 'limits')) ?? {};
      for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
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
  requestAboveLimit,
];
