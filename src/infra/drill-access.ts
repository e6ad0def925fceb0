/**
 * What `slipway backup drill` (src/backup/backup.ts) sends to the API server, as RBAC rules: the
 * table the Terraform renderer turns into the drill identity's Role (in the app's namespace) and
 * ClusterRole (the scratch namespaces, which do not exist when Terraform runs). test/infra/
 * drill-access.test.ts runs the drill's own code against the in-memory cluster and fails when it
 * makes a request these rules do not grant; test/e2e/infra-rbac.test.ts runs a drill as the
 * identity in the sandbox with its RBAC authorizer.
 */
import type { KubeObject } from '@slipway/kube';
import { backupTarget } from '../render/objects/backups.js';
import { originKey } from '../render/index.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { mergeRules, RESOURCE_OF_KIND, type AccessRule } from './deployer-access.js';

export interface DrillAccess {
  /** The Role in the app's namespace: the restore Job, its log, the credentials, the release record. */
  namespace: AccessRule[];
  /**
   * The ClusterRole, bound cluster-wide: the scratch namespaces `<ns>-<dep>-drill-<stamp>` are
   * created by the drill, so no Role can be there before it; RBAC cannot limit `create` by name.
   */
  cluster: AccessRule[];
}

/** Kinds the drill names besides the rendered ones (RESOURCE_OF_KIND), with their resource. */
export const DRILL_KINDS: Record<string, { apiGroup: string; resource: string }> = {
  Pod: { apiGroup: '', resource: 'pods' },
  Namespace: { apiGroup: '', resource: 'namespaces' },
};

/** The rendered objects the drill copies into a scratch namespace for `dependency` (as scratchCopy picks them). */
export function scratchObjects(
  dependency: string,
  rendered: { objects: KubeObject[]; origins: Record<string, string> },
): KubeObject[] {
  return rendered.objects.filter(
    (o) => rendered.origins[originKey(o)] === `dependencies.${dependency}` && o.kind !== 'NetworkPolicy',
  );
}

/**
 * What a drill of every backed-up dependency of this environment needs. Empty when the environment
 * backs up nothing Slipway runs. A dependency kept as files (SQLite, ChromaDB) is restored into the
 * restore pod's scratch directory: it needs no scratch namespace.
 */
export function drillRules(
  app: ResolvedApp,
  rendered: { objects: KubeObject[]; origins: Record<string, string> },
): DrillAccess {
  const targets = Object.keys(app.backups)
    .sort()
    .map((name) => backupTarget(app, name))
    .filter((t) => t !== undefined);
  if (!targets.length) return { namespace: [], cluster: [] };
  const namespace: AccessRule[] = [
    {
      apiGroup: 'batch',
      resource: 'jobs',
      verbs: ['create', 'list', 'watch'],
      why: 'restore: the restore Job, watched until it completes or fails',
    },
    {
      apiGroup: 'batch',
      resource: 'jobs',
      verbs: ['delete'],
      why: 'restore: a Job that outlives --timeout is deleted',
    },
    { apiGroup: '', resource: 'pods', verbs: ['list'], why: "restore: finds the restore Job's pod" },
    {
      apiGroup: '',
      resource: 'pods/log',
      verbs: ['get'],
      why: "restore: the restore script's report (backup restored, verification) is read from its log",
    },
    {
      apiGroup: '',
      resource: 'secrets',
      verbs: ['get', 'list', 'update'],
      why: "record: the drill's result is kept on the environment's current release (a Secret)",
    },
  ];
  const servers = targets.filter((t) => !t.files);
  const cluster: AccessRule[] = [];
  if (servers.length) {
    namespace.push({
      apiGroup: '',
      resource: 'secrets',
      verbs: ['get'],
      why: "scratch copy: reads the dependency's credentials Secret to copy it",
    });
    cluster.push(
      {
        apiGroup: '',
        resource: 'namespaces',
        verbs: ['get'],
        why: "scratch namespace: reads the app namespace's Pod Security labels to give it the same",
      },
      {
        apiGroup: '',
        resource: 'namespaces',
        verbs: ['create'],
        why: 'scratch namespace: created (a new name each run) labelled slipway.dev/drill-of=<namespace>',
      },
      {
        apiGroup: '',
        resource: 'namespaces',
        verbs: ['delete', 'list', 'watch'],
        why: 'clean-up: deletes the scratch namespace and waits until it is gone',
      },
      {
        apiGroup: '',
        resource: 'secrets',
        verbs: ['create', 'patch'],
        why: "scratch copy: the dependency's credentials, applied in the scratch namespace",
      },
    );
    for (const t of servers)
      for (const kind of [...new Set(scratchObjects(t.dependency, rendered).map((o) => o.kind))].sort()) {
        const mapping = RESOURCE_OF_KIND[kind];
        if (!mapping) throw new Error(`bug: no resource for the scratch copy's ${kind}`);
        cluster.push({
          ...mapping,
          verbs: ['create', 'patch'],
          why: `scratch copy: the ${kind} objects render makes for the dependency, applied in the scratch namespace`,
        });
        if (kind === 'StatefulSet')
          cluster.push({
            ...mapping,
            verbs: ['list', 'watch'],
            why: 'scratch copy: waits for the copy to be ready',
          });
      }
  }
  return { namespace: mergeRules(namespace), cluster: mergeRules(cluster) };
}
