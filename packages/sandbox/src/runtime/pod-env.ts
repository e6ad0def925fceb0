/**
 * What a process container sees: its environment (value, configMapKeyRef, secretKeyRef, fieldRef,
 * envFrom) and its volumes materialised as files under the pod directory. A local process cannot
 * see `/etc/config`, so each volumeMount is announced as `SANDBOX_MOUNT_<PATH>` (the mount path
 * upper-cased, non-alphanumerics as `_`) and every env value that starts with a mount path is
 * rewritten to the local directory.
 */
import type { KubeObject } from '@slipway/kube';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spec, status, type Kinds } from '../controllers/objects.js';
import type { ObjectStore } from '../types.js';

export interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  env?: EnvVar[];
  envFrom?: {
    prefix?: string;
    configMapRef?: { name: string; optional?: boolean };
    secretRef?: { name: string; optional?: boolean };
  }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
  readinessProbe?: import('./probes.js').ProbeSpec;
  livenessProbe?: import('./probes.js').ProbeSpec;
  startupProbe?: import('./probes.js').ProbeSpec;
  lifecycle?: {
    preStop?: {
      exec?: { command?: string[] };
      httpGet?: { path?: string; port: number | string; host?: string };
      sleep?: { seconds: number };
    };
  };
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

interface Volume {
  name: string;
  configMap?: { name: string; items?: { key: string; path: string }[]; optional?: boolean };
  secret?: { secretName: string; items?: { key: string; path: string }[]; optional?: boolean };
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: object;
}

export interface Mount {
  mountPath: string;
  hostPath: string;
}

/** Thrown when a referenced ConfigMap/Secret key is missing: the kubelet's CreateContainerConfigError. */
export class ContainerConfigError extends Error {}

function configData(
  store: ObjectStore,
  k: Kinds,
  pod: KubeObject,
  kind: 'configMap' | 'secret',
  name: string,
): Record<string, string> | undefined {
  const o = store.get(kind === 'configMap' ? k.configMap : k.secret, pod.metadata.namespace, name);
  if (!o) return undefined;
  const out: Record<string, string> = {};
  if (kind === 'configMap') Object.assign(out, (o.data ?? {}) as Record<string, string>);
  else {
    for (const [key, v] of Object.entries((o.data ?? {}) as Record<string, string>))
      out[key] = Buffer.from(v, 'base64').toString('utf8');
    Object.assign(out, (o.stringData ?? {}) as Record<string, string>);
  }
  return out;
}

export function mountEnvName(mountPath: string): string {
  return `SANDBOX_MOUNT_${mountPath
    .replace(/^\/+/, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase()}`;
}

/** Writes ConfigMap/Secret/emptyDir/PVC volumes under `podDir/volumes` and returns the container's mounts. */
export function materialiseVolumes(
  store: ObjectStore,
  k: Kinds,
  pod: KubeObject,
  container: ContainerSpec,
  podDir: string,
): Mount[] {
  const volumes = spec<{ volumes?: Volume[] }>(pod).volumes ?? [];
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const v = volumes.find((x) => x.name === vm.name);
    if (!v) continue;
    let dir = join(podDir, 'volumes', v.name);
    if (v.configMap || v.secret) {
      const kind = v.configMap ? 'configMap' : 'secret';
      const ref = (v.configMap?.name ?? v.secret?.secretName) as string;
      const data = configData(store, k, pod, kind, ref);
      if (!data && !(v.configMap?.optional ?? v.secret?.optional))
        throw new ContainerConfigError(`${kind} "${ref}" not found`);
      mkdirSync(dir, { recursive: true });
      const items =
        v.configMap?.items ?? v.secret?.items ?? Object.keys(data ?? {}).map((key) => ({ key, path: key }));
      for (const item of items) {
        if (data?.[item.key] === undefined) continue;
        const file = join(dir, item.path);
        mkdirSync(join(file, '..'), { recursive: true });
        writeFileSync(file, data[item.key] as string, { mode: kind === 'secret' ? 0o600 : 0o644 });
      }
    } else if (v.persistentVolumeClaim) {
      const pvc = store.get(k.pvc, pod.metadata.namespace, v.persistentVolumeClaim.claimName);
      const pvName = pvc && spec<{ volumeName?: string }>(pvc).volumeName;
      const pv = pvName ? store.get(k.pv, undefined, pvName) : undefined;
      const hostPath = pv && spec<{ hostPath?: { path: string }; local?: { path: string } }>(pv);
      dir = hostPath?.hostPath?.path ?? hostPath?.local?.path ?? join(podDir, 'volumes', v.name);
      mkdirSync(dir, { recursive: true });
    } else {
      mkdirSync(dir, { recursive: true });
    }
    mounts.push({ mountPath: vm.mountPath, hostPath: vm.subPath ? join(dir, vm.subPath) : dir });
  }
  return mounts;
}

/** A value that starts with a mount path, rewritten to the local directory (`/etc/app/x` → `<volume>/x`). */
export function rewritePath(value: string, mounts: Mount[]): string {
  for (const m of mounts) {
    if (value === m.mountPath || value.startsWith(m.mountPath.replace(/\/?$/, '/')))
      return m.hostPath + value.slice(m.mountPath.replace(/\/$/, '').length);
  }
  return value;
}

/** A command-line argument: a mount path, or `--flag=<mount path>`, rewritten to the local directory. */
export function rewriteArg(value: string, mounts: Mount[]): string {
  const eq = /^(-{1,2}[A-Za-z0-9][A-Za-z0-9_.-]*=)(\/.*)$/.exec(value);
  if (eq) return (eq[1] as string) + rewritePath(eq[2] as string, mounts);
  return rewritePath(value, mounts);
}

/** The kubelet's `$(VAR)` expansion of command, args and env values; `$$(VAR)` stays literal `$(VAR)`. */
export function expandVars(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, n: string | undefined) =>
    n === undefined ? '$' : (env[n] ?? all),
  );
}

function fieldValue(pod: KubeObject, path: string, podIP: string): string {
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'status.podIP':
      return podIP;
    case 'status.hostIP':
      return '127.0.0.1';
    case 'spec.nodeName':
      return spec<{ nodeName?: string }>(pod).nodeName ?? '';
    case 'spec.serviceAccountName':
      return spec<{ serviceAccountName?: string }>(pod).serviceAccountName ?? 'default';
  }
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m)
    return (
      (pod.metadata[m[1] as 'labels' | 'annotations'] as Record<string, string> | undefined)?.[
        m[2] as string
      ] ?? ''
    );
  return String(status<Record<string, unknown>>(pod)[path] ?? '');
}

/** The container's environment as the kubelet builds it (envFrom first, then env in order). */
export function containerEnv(
  store: ObjectStore,
  k: Kinds,
  pod: KubeObject,
  c: ContainerSpec,
  podIP: string,
  mounts: Mount[],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const data = configData(store, k, pod, from.configMapRef ? 'configMap' : 'secret', ref.name);
    if (!data && !ref.optional)
      throw new ContainerConfigError(`${from.configMapRef ? 'configmap' : 'secret'} "${ref.name}" not found`);
    for (const [key, v] of Object.entries(data ?? {})) env[(from.prefix ?? '') + key] = v;
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined)
      env[e.name] = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, n: string) => env[n] ?? all);
    else if (e.valueFrom?.configMapKeyRef || e.valueFrom?.secretKeyRef) {
      const ref = (e.valueFrom.configMapKeyRef ?? e.valueFrom.secretKeyRef) as {
        name: string;
        key: string;
        optional?: boolean;
      };
      const data = configData(store, k, pod, e.valueFrom.configMapKeyRef ? 'configMap' : 'secret', ref.name);
      const v = data?.[ref.key];
      if (v === undefined && !ref.optional)
        throw new ContainerConfigError(
          `couldn't find key ${ref.key} in ${e.valueFrom.configMapKeyRef ? 'ConfigMap' : 'Secret'} ${pod.metadata.namespace}/${ref.name}`,
        );
      if (v !== undefined) env[e.name] = v;
    } else if (e.valueFrom?.fieldRef) env[e.name] = fieldValue(pod, e.valueFrom.fieldRef.fieldPath, podIP);
    else env[e.name] = '';
  }
  for (const [key, v] of Object.entries(env)) env[key] = rewritePath(v, mounts);
  for (const m of mounts) env[mountEnvName(m.mountPath)] = m.hostPath;
  return env;
}
