/**
 * PersistentVolumeClaim binding, the job of the PV controller plus a local-path provisioner: a
 * Pending claim without volumeName gets a PersistentVolume `pvc-<uid>` backed by a directory under
 * the sandbox data dir, both end Bound; deleting the claim deletes the volume (reclaim policy
 * Delete) and its directory, but only once no pod uses the claim any more (what the
 * `kubernetes.io/pvc-protection` finalizer guarantees on a cluster: a pod being stopped keeps its
 * volume until it is gone, so a database's final save on SIGTERM still has its directory).
 * Capacity is recorded, never enforced.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '@slipway/kube';
import type { ControllerSpec, LoopContext } from './loop.js';
import { isNotFound, spec, splitKey, status, updateWithRetry, type Kinds } from './objects.js';

export const PROVISIONER = 'sandbox.slipway.dev/local-path';
export const DEFAULT_STORAGE_CLASS = 'standard';

interface ClaimSpec {
  volumeName?: string;
  accessModes?: string[];
  storageClassName?: string;
  resources?: { requests?: { storage?: string } };
}

/** The claims a pod mounts. */
function claimsOf(pod: KubeObject): string[] {
  return (
    spec<{ volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }> }>(pod).volumes ?? []
  ).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
}

export function pvcController(dataDir: string) {
  return (ctx: LoopContext, k: Kinds): ControllerSpec => ({
    name: 'persistentvolume-binder',
    inputs: [
      {
        // A pod gone or finished: the volumes of claims deleted while it ran may go now.
        type: k.pod,
        keys: (e) =>
          e.type === 'DELETED' ||
          ['Succeeded', 'Failed'].includes(status<{ phase?: string }>(e.object).phase ?? '')
            ? claimsOf(e.object).map((c) => `${e.object.metadata.namespace}/${c}|released|`)
            : [],
      },
      {
        type: k.pvc,
        keys: (e) => [
          `${e.object.metadata.namespace}/${e.object.metadata.name}|${e.type === 'DELETED' ? 'deleted' : ''}|${e.object.metadata.uid}`,
        ],
      },
    ],
    reconcile(key) {
      const inUse = (namespace: string | undefined, claim: string) =>
        ctx.store.list(k.pod, namespace).items.some(
          (pod) =>
            // As the pvc-protection controller: a finished pod (Succeeded, Failed) no longer holds it.
            !['Succeeded', 'Failed'].includes(status<{ phase?: string }>(pod).phase ?? '') &&
            claimsOf(pod).includes(claim),
        );
      const [ref, deleted, uid] = key.split('|') as [string, string, string];
      const { namespace, name } = splitKey(ref);
      const pvName = `pvc-${uid}`;
      const dir = join(dataDir, 'volumes', pvName);
      if (deleted) {
        if (inUse(namespace, name)) return;
        // `released`: the volumes of every deleted claim of this name; `deleted`: the one just deleted.
        const volumes =
          deleted === 'released'
            ? ctx.store
                .list(k.pv, undefined)
                .items.filter((pv) => {
                  const ref = spec<{ claimRef?: { namespace?: string; name?: string; uid?: string } }>(
                    pv,
                  ).claimRef;
                  const live = ctx.store.get(k.pvc, namespace, name);
                  return (
                    !!ref &&
                    ref.namespace === namespace &&
                    ref.name === name &&
                    live?.metadata.uid !== ref.uid
                  );
                })
                .map((pv) => pv.metadata.name as string)
            : [pvName];
        for (const volume of volumes) {
          try {
            ctx.store.delete(k.pv, undefined, volume);
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
          rmSync(join(dataDir, 'volumes', volume), { recursive: true, force: true });
        }
        return;
      }
      const claim = ctx.store.get(k.pvc, namespace, name);
      if (!claim || claim.metadata.uid !== uid || claim.metadata.deletionTimestamp) return;
      const s = spec<ClaimSpec>(claim);
      if (status<{ phase?: string }>(claim).phase === 'Bound') return;
      const storage = s.resources?.requests?.storage ?? '1Gi';
      const accessModes = s.accessModes ?? ['ReadWriteOnce'];
      mkdirSync(dir, { recursive: true });
      if (!ctx.store.get(k.pv, undefined, pvName)) {
        ctx.events?.record(
          claim,
          'Normal',
          'ProvisioningSucceeded',
          `Successfully provisioned volume ${pvName} at ${dir}`,
        );
        ctx.store.create({
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
          spec: {
            capacity: { storage },
            accessModes,
            persistentVolumeReclaimPolicy: 'Delete',
            storageClassName: s.storageClassName ?? DEFAULT_STORAGE_CLASS,
            volumeMode: 'Filesystem',
            hostPath: { path: dir, type: 'DirectoryOrCreate' },
            claimRef: { kind: 'PersistentVolumeClaim', namespace, name, uid, apiVersion: 'v1' },
          },
        });
      }
      updateWithRetry(
        ctx.store,
        k.pv,
        undefined,
        pvName,
        (pv) => {
          pv.status = { phase: 'Bound' };
        },
        { subresource: 'status' },
      );
      const bound = updateWithRetry(
        ctx.store,
        k.pvc,
        namespace,
        name,
        (c) => {
          if (spec<ClaimSpec>(c).volumeName === pvName) return false;
          c.spec = {
            ...spec<ClaimSpec>(c),
            volumeName: pvName,
            storageClassName: s.storageClassName ?? DEFAULT_STORAGE_CLASS,
          };
          c.metadata.annotations = {
            ...(c.metadata.annotations ?? {}),
            'pv.kubernetes.io/bind-completed': 'yes',
            'pv.kubernetes.io/bound-by-controller': 'yes',
          };
        },
        { uid },
      );
      if (!bound) return;
      updateWithRetry(
        ctx.store,
        k.pvc,
        namespace,
        name,
        (c) => {
          c.status = { phase: 'Bound', accessModes, capacity: { storage } };
        },
        { subresource: 'status', uid },
      );
    },
  });
}
