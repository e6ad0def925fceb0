/**
 * `managed: true`: the dependency is the cloud's managed service, created by the Terraform that
 * `render --format terraform` writes for `infrastructure.provider`. Only the kinds every provider
 * offers as a managed service, and only where Slipway would otherwise run it itself.
 */
import type { PathSegment } from './source.js';
import type { CheckedSpec, SpecProblem } from './spec-problem.js';
import type { Dependency } from './schema.js';

export const MANAGED_TYPES: ReadonlySet<Dependency['type']> = new Set(['postgres', 'mysql', 'redis']);

export function managedProblems(spec: CheckedSpec, name: string, d: Dependency): SpecProblem[] {
  if (d.managed !== true) return [];
  const at: PathSegment[] = ['dependencies', name, 'managed'];
  if (!MANAGED_TYPES.has(d.type))
    return [
      {
        path: at,
        message: `a ${d.type} dependency has no managed service Slipway creates (postgres, mysql and redis do)`,
        hint: 'remove managed, or use external: with a Secret for a service you run elsewhere',
      },
    ];
  if (d.external || (d.provider !== undefined && d.provider !== 'statefulset'))
    return [
      {
        path: at,
        message: `managed: true creates the ${d.type} in the cloud; it cannot also be ${d.external ? 'external' : `provider: ${d.provider}`}`,
        hint: 'keep one of them',
      },
    ];
  if (!spec.infrastructure)
    return [
      {
        path: at,
        message: 'managed: true needs infrastructure: the cloud that runs the managed service',
        hint: 'add infrastructure: { provider: aws, region: eu-west-1 } (or gcp, azure)',
      },
    ];
  return [];
}
