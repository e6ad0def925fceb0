/**
 * The list and watch selectors: label selectors parsed by @slipway/kube (apimachinery's
 * pkg/labels semantics), field selectors as pkg/fields parses them, per kind's supported fields.
 */
import { parseSelector, SelectorError, type KubeObject } from '@slipway/kube';
import { StoreError } from '../types.js';

export type Selector = (labels: Record<string, string>) => boolean;

/** The `labelSelector` query parameter; a malformed one is the API server's 400 BadRequest. */
export function parseLabelSelector(text: string | undefined): Selector {
  if (!text || !text.trim()) return () => true;
  try {
    const selector = parseSelector(text);
    return (labels) => selector.matches(labels);
  } catch (e) {
    if (e instanceof SelectorError) throw new StoreError(400, 'BadRequest', e.message);
    throw e;
  }
}

/** Field paths each kind supports in field selectors (the apiserver's per-kind GetAttrs). */
const FIELD_PATHS: Record<string, string[]> = {
  '*': ['metadata.name', 'metadata.namespace'],
  Pod: [
    'status.phase',
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.podIP',
  ],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Node: ['spec.unschedulable'],
  ReplicaSet: ['status.replicas'],
  Job: ['status.successful'],
};

export type FieldSelector = (obj: KubeObject) => boolean;

export function parseFieldSelector(text: string | undefined, kind: string): FieldSelector {
  if (!text || !text.trim()) return () => true;
  const allowed = new Set([...(FIELD_PATHS['*'] as string[]), ...(FIELD_PATHS[kind] ?? [])]);
  const reqs = text.split(',').map((part) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(part.trim());
    if (!m)
      throw new StoreError(400, 'BadRequest', `invalid selector: '${text}'; can't understand '${part}'`);
    const path = (m[1] as string).trim();
    if (!allowed.has(path)) throw new StoreError(400, 'BadRequest', `field label not supported: ${path}`);
    return { path, negate: m[2] === '!=', value: (m[3] as string).trim() };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.negate);
}

function fieldValue(obj: KubeObject, path: string): string {
  if (path === 'source') path = 'source.component';
  let cur: unknown = obj;
  for (const part of path.split('.'))
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}
