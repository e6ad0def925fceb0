/**
 * Who runs a dependency: Slipway's own StatefulSet (the default), a Helm subchart, an operator's
 * resource (a CloudNativePG `Cluster`, postgres only) or a managed service outside the cluster
 * (`external:` names the Secret holding its address and credentials). The checks of the
 * combinations a spec may write, each with its data path and what to do instead.
 */
import type { PathSegment } from './source.js';
import type { Dependency } from './schema.js';
import type { SpecProblem } from './spec-problem.js';

export type DependencyProvider = 'statefulset' | 'chart' | 'operator' | 'external';

export function dependencyProvider(d: Dependency): DependencyProvider {
  return d.provider ?? (d.external ? 'external' : 'statefulset');
}

export const BITNAMI_CHARTS = 'oci://registry-1.docker.io/bitnamicharts';

/**
 * Types whose subchart values Slipway knows how to wire to the generated credentials Secret (the
 * Bitnami charts' `auth.existingSecret` with a password key; Bitnami's mysql chart wants keys
 * named mysql-password/mysql-root-password, which the credentials Secret does not have).
 */
export const SUBCHARTS: Partial<Record<Dependency['type'], string>> = {
  postgres: 'postgresql',
  redis: 'redis',
};

/** Top-level keys of the chart's values that a subchart's values (under the dependency's name) must not take. */
export const RESERVED_VALUE_KEYS = [
  'workloads',
  'ingresses',
  'routes',
  'objects',
  'tests',
  'nameOverride',
  'fullnameOverride',
];

export function providerProblems(name: string, d: Dependency): SpecProblem[] {
  const at: PathSegment[] = ['dependencies', name];
  const provider = dependencyProvider(d);
  const out: SpecProblem[] = [];
  if (d.type === 'sqlite') {
    for (const field of ['provider', 'chart', 'operator'] as const)
      if (d[field] !== undefined)
        out.push({
          path: [...at, field],
          message: `a sqlite dependency is a file in a service's volume; ${field} does not apply`,
          hint: 'remove it, or move to postgres',
        });
    return out;
  }
  if (provider === 'external' && !d.external)
    out.push({
      path: [...at, 'provider'],
      message: 'provider: external needs external: the Secret that holds the managed service’s address',
      hint: 'add external: { secret: <name of the Secret>, key: url }',
    });
  if (d.external && provider !== 'external')
    out.push({
      path: [...at, 'external'],
      message: `external: names a managed service, but provider is ${provider}`,
      hint: 'remove provider (external: implies provider: external), or remove external:',
    });
  if (d.chart && provider !== 'chart')
    out.push({
      path: [...at, 'chart'],
      message: `chart: applies only to provider: chart (this dependency's provider is ${provider})`,
      hint: 'set provider: chart, or remove chart:',
    });
  if (d.operator && provider !== 'operator')
    out.push({
      path: [...at, 'operator'],
      message: `operator: applies only to provider: operator (this dependency's provider is ${provider})`,
      hint: 'set provider: operator, or remove operator:',
    });
  if (provider === 'chart') {
    if (!SUBCHARTS[d.type])
      out.push({
        path: [...at, 'provider'],
        message: `Slipway cannot wire a subchart for a ${d.type} dependency to its credentials`,
        hint: `provider: chart supports ${Object.keys(SUBCHARTS).join(' and ')}; use provider: statefulset or external`,
      });
    else if (!d.chart)
      out.push({
        path: [...at, 'provider'],
        message: 'provider: chart needs chart: with the pinned chart version',
        hint: `add chart: { version: "<version of the ${SUBCHARTS[d.type]} chart>" }`,
      });
    if (RESERVED_VALUE_KEYS.includes(name))
      out.push({
        path: at,
        message: `a subchart's values live under its name, and "${name}" is a key the chart's own values use`,
        hint: 'rename the dependency',
      });
  }
  if (provider === 'operator' && d.type !== 'postgres')
    out.push({
      path: [...at, 'provider'],
      message: `provider: operator runs postgres (a CloudNativePG Cluster), not ${d.type}`,
      hint: 'use provider: statefulset, chart or external',
    });
  return out;
}
