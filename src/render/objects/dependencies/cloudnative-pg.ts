/**
 * `provider: operator` for postgres: a CloudNativePG `Cluster` (postgresql.cnpg.io/v1) instead of
 * Slipway's StatefulSet. The operator makes the pods and the Services `<cluster>-rw` (the primary),
 * `-ro` and `-r`; the app connects to `-rw`. The database owner and password come from the same
 * credentials Secret the StatefulSet would use (`bootstrap.initdb.secret`; CloudNativePG reads its
 * `username` and `password` keys, and the owner must equal the username). The pods inherit the
 * dependency's selector labels, so the app's NetworkPolicy egress to `name: <dep>` reaches them.
 * Field names: the Cluster CRD (config/crd/bases/postgresql.cnpg.io_clusters.yaml upstream).
 */
import { imagePullSecrets } from '../pod.js';
import type { NamedObject } from '@slipway/kube';
import type { Dependency } from '../../../spec/schema.js';
import type { RenderContext } from '../../context.js';
import { DEFAULT_DEPENDENCY_STORAGE } from '../../defaults.js';
import { dependencyCredentialsName, objectName, selectorLabels, standardLabels } from '../../names.js';
import { containerResources } from '../resources.js';
import { postgres } from './postgres.js';

export const CNPG_IMAGE = 'ghcr.io/cloudnative-pg/postgresql';
/** The Services the operator creates for a Cluster: read-write (primary), read-only, any instance. */
export const CNPG_SERVICE_SUFFIXES = ['rw', 'ro', 'r'];
export const CNPG_API_VERSION = 'postgresql.cnpg.io/v1';

export function cnpgCluster(ctx: RenderContext, name: string, dependency: Dependency): NamedObject {
  const app = ctx.app.app;
  const version = dependency.version ?? postgres.defaultVersion;
  return {
    apiVersion: CNPG_API_VERSION,
    kind: 'Cluster',
    metadata: {
      name: objectName(app, name),
      namespace: ctx.app.namespace,
      labels: standardLabels({ app, name, component: postgres.component, version }),
    },
    spec: {
      instances: dependency.operator?.instances ?? 1,
      imageName: `${CNPG_IMAGE}:${version}`,
      imagePullSecrets: imagePullSecrets(ctx.app),
      inheritedMetadata: { labels: selectorLabels(app, name) },
      bootstrap: {
        initdb: {
          database: dependency.database ?? app,
          owner: app,
          secret: { name: dependencyCredentialsName(app, name) },
        },
      },
      storage: {
        size: dependency.storage ?? DEFAULT_DEPENDENCY_STORAGE,
        storageClass: dependency.storageClass,
      },
      resources: containerResources(ctx, `dependencies.${name}`, dependency.resources, postgres.defaults),
    },
  };
}
