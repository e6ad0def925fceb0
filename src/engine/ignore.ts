/**
 * `drift.ignore` honoured by apply, as Argo CD's RespectIgnoreDifferences: for an object that
 * already exists, each ignored field is applied with its live value (or left out when live has
 * none), so a deploy never reverts a field changed on purpose outside Slipway. A new object is
 * created as rendered.
 */
import type { KubeObject } from '@slipway/kube';
import jsonPatch from 'fast-json-patch';
import { refOf, type Cluster } from '../cluster/cluster.js';
import { rulesFor } from '../spec/drift-ignore.js';
import type { DriftIgnore } from '../spec/schema.js';

export async function keepIgnoredFields(
  cluster: Cluster,
  objects: KubeObject[],
  rules: readonly DriftIgnore[],
  namespace: string,
): Promise<KubeObject[]> {
  if (!rules.length) return objects;
  const out: KubeObject[] = [];
  for (const obj of objects) {
    const matching = rulesFor(rules, obj.kind, obj.metadata.name ?? '');
    const live = matching.length ? await cluster.get<KubeObject>(refOf(obj, namespace)) : undefined;
    out.push(live ? withLiveValues(obj, live, matching) : obj);
  }
  return out;
}

/** `obj` with each rule's field taken from `live` (pure). */
export function withLiveValues(obj: KubeObject, live: KubeObject, rules: readonly DriftIgnore[]): KubeObject {
  const copy = structuredClone(obj);
  for (const rule of rules) {
    const value = valueAt(live, rule.path);
    const present = valueAt(copy, rule.path) !== undefined;
    if (value === undefined) {
      if (present) jsonPatch.applyOperation(copy, { op: 'remove', path: rule.path });
      continue;
    }
    ensureParents(copy, rule.path);
    jsonPatch.applyOperation(copy, { op: present ? 'replace' : 'add', path: rule.path, value });
  }
  return copy;
}

function valueAt(obj: unknown, pointer: string): unknown {
  try {
    return jsonPatch.getValueByPointer(obj, pointer) as unknown;
  } catch {
    return undefined;
  }
}

/** Creates the maps above `pointer` that the rendered object lacks (a live-only annotation). */
function ensureParents(obj: KubeObject, pointer: string): void {
  const parts = pointer.split('/').slice(1, -1);
  let node = obj as unknown as Record<string, unknown>;
  for (const raw of parts) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node[key] === undefined) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
}
