/**
 * A service's ConfigMaps: `<app>-<service>-env` (plain env values, read through envFrom) and
 * `<app>-<service>-files` (config files, each mounted at its path with subPath). The pod template
 * carries a checksum of both so a config change rolls the pods (subPath mounts never update in place).
 */
import type { NamedObject } from '@slipway/kube';
import type { Service } from '../../spec/schema.js';
import { ANNOTATION_PREFIX } from '../defaults.js';
import { fail, type RenderContext } from '../context.js';
import { contentHash } from '../hash.js';
import { objectName } from '../names.js';

export interface ServiceConfig {
  objects: NamedObject[];
  envFrom: Array<Record<string, unknown>>;
  volumes: Array<Record<string, unknown>>;
  mounts: Array<Record<string, unknown>>;
  /** Pod template annotations: the checksum of everything mounted or imported. */
  annotations: Record<string, string>;
}

/** A ConfigMap key for a file path: `/etc/app/config.yaml` -> `etc-app-config.yaml`. */
export function fileKey(path: string): string {
  return path.replace(/^\/+/, '').replace(/[^-._a-zA-Z0-9]/g, '-');
}

export function configFiles(ctx: RenderContext, path: string, service: Service): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [i, file] of (service.config ?? []).entries()) {
    const where = `${path}.config[${i}]`;
    if ((file.content === undefined) === (file.from === undefined)) {
      fail(ctx, where, 'a config file needs exactly one of content or from');
      continue;
    }
    const content = file.content ?? (file.from !== undefined ? ctx.opts.files?.[file.from] : undefined);
    if (content === undefined) {
      fail(
        ctx,
        `${where}.from`,
        `the contents of ${file.from} were not given to render`,
        'run render through the CLI, which reads config files next to slipway.yaml',
      );
      continue;
    }
    const key = fileKey(file.path);
    if (key in data) fail(ctx, `${where}.path`, `two config files map to the same key ${key}`);
    data[key] = content;
  }
  return data;
}

export function serviceConfig(
  ctx: RenderContext,
  path: string,
  serviceName: string,
  service: Service,
  plainEnv: Record<string, string>,
  meta: (name: string) => NamedObject['metadata'],
): ServiceConfig {
  const files = configFiles(ctx, path, service);
  const out: ServiceConfig = { objects: [], envFrom: [], volumes: [], mounts: [], annotations: {} };
  if (Object.keys(plainEnv).length) {
    const name = objectName(ctx.app.app, serviceName, 'env');
    out.objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(name),
      data: sortedRecord(plainEnv),
    });
    out.envFrom.push({ configMapRef: { name } });
  }
  if (Object.keys(files).length) {
    const name = objectName(ctx.app.app, serviceName, 'files');
    out.objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(name),
      data: sortedRecord(files),
    });
    out.volumes.push({ name: 'config-files', configMap: { name } });
    for (const file of service.config ?? []) {
      out.mounts.push({
        name: 'config-files',
        mountPath: file.path,
        subPath: fileKey(file.path),
        readOnly: true,
      });
    }
  }
  if (out.objects.length) {
    out.annotations[`${ANNOTATION_PREFIX}/config-checksum`] = contentHash(out.objects.map((o) => o.data));
  }
  return out;
}

function sortedRecord(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
