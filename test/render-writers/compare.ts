/**
 * Comparing objects from helm/kubectl with the objects render returned: parsed YAML, deep-equal,
 * order-insensitive (both tools reorder documents). What is excluded, exactly:
 * - documents whose `helm.sh/hook` annotation contains `test` (the smoke Pod and its NetworkPolicies);
 * - on the migration hook Jobs, the three annotations in HOOK_ANNOTATIONS (and the annotations map
 *   when nothing else is left in it);
 * - `# Source:` comments, which parsing drops anyway.
 */
import type { NamedObject } from '@slipway/kube';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { HOOK_ANNOTATIONS } from '../../src/render/helm/hooks.js';

export async function writeTree(dir: string, files: Map<string, string>): Promise<void> {
  for (const [path, content] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** Parses a multi-document stream the way the Go tools do (YAML 1.1 scalars). */
export function parseStream(text: string): NamedObject[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((d) => {
      if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join('\n'));
      return d.toJS() as NamedObject | null;
    })
    .filter((o): o is NamedObject => o !== null);
}

export function withoutHelmHooks(objects: NamedObject[]): NamedObject[] {
  return objects
    .filter((o) => !(o.metadata.annotations?.['helm.sh/hook'] ?? '').split(',').includes('test'))
    .map((o) => {
      const annotations = o.metadata.annotations;
      if (!annotations?.['helm.sh/hook']) return o;
      const rest = Object.fromEntries(Object.entries(annotations).filter(([k]) => !(k in HOOK_ANNOTATIONS)));
      const { annotations: _dropped, ...metadata } = o.metadata;
      return { ...o, metadata: Object.keys(rest).length ? { ...metadata, annotations: rest } : metadata };
    });
}

export function byIdentity(objects: NamedObject[]): NamedObject[] {
  const key = (o: NamedObject) =>
    `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** JSON round trip: what render returns is JSON data; undefined fields are not fields. */
export function plain(objects: NamedObject[]): NamedObject[] {
  return JSON.parse(JSON.stringify(objects)) as NamedObject[];
}
