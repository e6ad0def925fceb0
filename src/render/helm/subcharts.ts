/**
 * `provider: chart` dependencies: one entry per dependency in Chart.yaml `dependencies:` (the
 * Bitnami chart, aliased to the dependency's name, switched by `condition: <name>.enabled`) and its
 * values under that name, wired to what the app's objects expect: the Service `<app>-<name>` (for
 * redis, the chart's `<app>-<name>-master`), the credentials Secret `<app>-<name>-credentials`
 * with its `password` key, the user and database the credentials URL names, and the storage size.
 * Value names are the Bitnami postgresql and redis charts' (auth.existingSecret, auth.secretKeys,
 * primary.persistence / master.persistence). An environment whose dependency is not a subchart
 * gets `enabled: false`.
 */
import { BITNAMI_CHARTS, dependencyProvider, SUBCHARTS } from '../../spec/dependency-provider.js';
import type { Dependency } from '../../spec/schema.js';
import { DEFAULT_DEPENDENCY_STORAGE } from '../defaults.js';
import type { FormatWarning, RenderedEnvironment } from '../format.js';
import { dependencyCredentialsName, objectName } from '../names.js';
import type { Values } from './values.js';

export interface ChartDependency {
  name: string;
  alias: string;
  version: string;
  repository: string;
  condition: string;
}

function persistence(d: Dependency): Values {
  return {
    size: d.storage ?? DEFAULT_DEPENDENCY_STORAGE,
    ...(d.storageClass ? { storageClass: d.storageClass } : {}),
  };
}

/** The subchart's values for one environment's dependency. */
export function subchartValues(env: RenderedEnvironment, name: string, d: Dependency): Values {
  const app = env.app.app;
  const secret = dependencyCredentialsName(app, name);
  const common = { enabled: true, fullnameOverride: objectName(app, name), architecture: 'standalone' };
  if (d.type === 'redis')
    return {
      ...common,
      auth: { enabled: true, existingSecret: secret, existingSecretPasswordKey: 'password' },
      master: { persistence: persistence(d) },
    };
  return {
    ...common,
    auth: {
      username: app,
      database: d.database ?? app,
      existingSecret: secret,
      secretKeys: { userPasswordKey: 'password', adminPasswordKey: 'password' },
    },
    primary: { persistence: persistence(d) },
  };
}

export function chartDependencies(
  envs: RenderedEnvironment[],
  warnings: FormatWarning[],
): { dependencies: ChartDependency[]; values: Map<string, Values> } {
  const byName = new Map<string, ChartDependency>();
  const values = new Map<string, Values>(envs.map((e) => [e.environment, {}]));
  for (const env of envs) {
    for (const [name, d] of Object.entries(env.app.dependencies)) {
      const chart = SUBCHARTS[d.type];
      if (!d || dependencyProvider(d) !== 'chart' || !chart || !d.chart) continue;
      const entry: ChartDependency = {
        name: chart,
        alias: name,
        version: d.chart.version,
        repository: d.chart.repository ?? BITNAMI_CHARTS,
        condition: `${name}.enabled`,
      };
      const seen = byName.get(name);
      if (!seen) byName.set(name, entry);
      else if (seen.version !== entry.version || seen.repository !== entry.repository)
        warnings.push({
          format: 'helm',
          path: `dependencies.${name}.chart`,
          message: `environment ${env.environment} pins ${entry.repository} ${entry.version}, another ${seen.repository} ${seen.version}; Chart.yaml has one dependency, the first`,
        });
      values.get(env.environment)![name] = subchartValues(env, name, d);
    }
  }
  for (const env of envs) {
    const own = values.get(env.environment)!;
    for (const name of byName.keys()) own[name] ??= { enabled: false };
  }
  return { dependencies: [...byName.values()], values };
}
