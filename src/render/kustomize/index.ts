/**
 * The kustomize writer: `base/` holds every object that all environments have, as the first
 * environment renders it; `overlays/<env>/` adds the objects only some environments have and
 * patches the rest with RFC 6902 JSON patches (exact: replace, add and remove at a path, so
 * nothing depends on strategic-merge semantics such as list merge keys or `$patch: delete`).
 * `kubectl kustomize overlays/<env>` then yields exactly what `slipway render --env <env>` does.
 */
import type { NamedObject } from '@slipway/kube';
import type { FormatInput, FormatOutput, FormatWriter, RenderedEnvironment } from '../format.js';
import { plainObjects } from '../format.js';
import { toYaml } from '../yaml.js';
import { renderNamespace } from '../objects/namespace.js';
import { jsonPatch } from './json-patch.js';
import { overlaySecrets } from './secrets.js';

export const kustomizeWriter: FormatWriter = {
  name: 'kustomize',
  description: 'base/ plus overlays/<env>/ for kubectl kustomize',
  scope: 'all',
  stdout: false,
  write: writeKustomize,
};

interface Group {
  kind: string;
  name: string;
  file: string;
  versions: (NamedObject | undefined)[];
}

export function writeKustomize(input: FormatInput): FormatOutput {
  const envs = input.environments.map((e) => ({ ...e, objects: plainObjects(e.objects) }));
  if (envs.length === 0) throw new Error('kustomize writer: no environments to write');
  const files = new Map<string, string>();
  const groups = groupObjects(envs);
  const shared = groups.filter((g) => g.versions.every((v) => v !== undefined));
  const header = `# Written by slipway render --format kustomize from slipway.yaml; change the spec, not this file.\n`;

  for (const g of shared) files.set(`base/${g.file}`, header + toYaml(g.versions[0]));
  files.set(
    'base/kustomization.yaml',
    header +
      toYaml({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: shared.map((g) => g.file),
      }),
  );

  envs.forEach((env, i) => {
    const dir = `overlays/${env.environment}`;
    const own = groups.filter((g) => g.versions[i] !== undefined && !shared.includes(g));
    for (const g of own) files.set(`${dir}/${g.file}`, header + toYaml(g.versions[i]));
    const patches: Record<string, unknown>[] = [];
    for (const g of shared) {
      const ops = jsonPatch(g.versions[0], g.versions[i]);
      if (ops.length === 0) continue;
      const path = `patches/${g.file}`;
      files.set(`${dir}/${path}`, header + toYaml(ops));
      patches.push({ path, target: target(g.versions[0]!) });
    }
    // The namespace with its Pod Security Admission labels, when the caller knows the level its pods meet.
    const namespace = env.podSecurity ? renderNamespace(env.app, env.podSecurity) : undefined;
    if (namespace) files.set(`${dir}/namespace.yaml`, header + toYaml(namespace));
    const kustomization: Record<string, unknown> = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [...(namespace ? ['namespace.yaml'] : []), '../../base', ...own.map((g) => g.file)],
    };
    if (patches.length) kustomization.patches = patches;
    const secrets = overlaySecrets(env.app);
    if (secrets.generators.length) kustomization.secretGenerator = secrets.generators;
    for (const [path, text] of secrets.files) files.set(`${dir}/${path}`, text);
    files.set(`${dir}/kustomization.yaml`, header + toYaml(kustomization));
  });
  return { files: sortedByPath(files), warnings: [] };
}

/** A patch target names the object in the base exactly: group, version, kind, name (and namespace). */
function target(object: NamedObject): Record<string, string> {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const t: Record<string, string> = {
    group: group!,
    version: version!,
    kind: object.kind,
    name: object.metadata.name,
  };
  if (object.metadata.namespace) t.namespace = object.metadata.namespace;
  return t;
}

function groupObjects(envs: RenderedEnvironment[]): Group[] {
  const byKey = new Map<string, Group>();
  envs.forEach((env, i) => {
    for (const o of env.objects) {
      const key = `${o.apiVersion}/${o.kind}/${o.metadata.name}`;
      let g = byKey.get(key);
      if (!g) {
        g = {
          kind: o.kind,
          name: o.metadata.name,
          file: fileName(o, byKey),
          versions: envs.map(() => undefined),
        };
        byKey.set(key, g);
      }
      if (g.versions[i])
        throw new Error(`kustomize writer: two objects ${key} in environment ${env.environment}`);
      g.versions[i] = o;
    }
  });
  return [...byKey.values()];
}

function fileName(o: NamedObject, taken: Map<string, Group>): string {
  const base = `${o.kind.toLowerCase()}-${o.metadata.name}`;
  const used = new Set([...taken.values()].map((g) => g.file));
  let file = `${base}.yaml`;
  for (let n = 2; used.has(file); n++) file = `${base}-${n}.yaml`;
  return file;
}

function sortedByPath(files: Map<string, string>): Map<string, string> {
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
