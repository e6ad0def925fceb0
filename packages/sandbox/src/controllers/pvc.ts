/**
 * PersistentVolumeClaim binding, the job of the PV controller plus a local-path provisioner: a
 * Pending claim without volumeName gets a PersistentVolume `pvc-<uid>` backed by a directory under
 * the sandbox data dir, both end Bound; deleting the claim deletes the volume (reclaim policy
 * Delete) and its directory. Capacity is recorded, never enforced.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
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

export function pvcController(dataDir: string) {
  return (ctx: LoopContext, k: Kinds): ControllerSpec => ({
    name: 'persistentvolume-binder',
    inputs: [
      {
        type: k.pvc,
        keys: (e) => [
          `${e.object.metadata.namespace}/${e.object.metadata.name}|${e.type === 'DELETED' ? 'deleted' : ''}|${e.object.metadata.uid}`,
        ],
      },
    ],
    reconcile(key) {
      const [ref, deleted, uid] = key.split('|') as [string, string, string];
      const { namespace, name } = splitKey(ref);
      const pvName = `pvc-${uid}`;
      const dir = join(dataDir, 'volumes', pvName);
      if (deleted) {
        try {
          ctx.store.delete(k.pv, undefined, pvName);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        rmSync(dir, { recursive: true, force: true });
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
