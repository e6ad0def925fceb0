/**
 * Label and field selectors as the API server parses them
 * (k8s.io/apimachinery/pkg/labels/selector.go and pkg/fields/selector.go): `=`, `==`, `!=`, `in`,
 * `notin`, `key` and `!key`, comma-separated requirements that must all hold.
 */
import { StoreError, type KubeObject } from '../types.js';

type Requirement =
  { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | '!exists' };

export type Selector = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(text: string | undefined): Selector {
  if (!text || !text.trim()) return () => true;
  const reqs = splitTopLevel(text).map(parseRequirement);
  return (labels) => reqs.every((r) => matches(r, labels));
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

function parseRequirement(text: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (set)
    return {
      key: set[1] as string,
      op: set[2] as 'in' | 'notin',
      values: (set[3] as string)
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    };
  const cmp = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (cmp) return { key: cmp[1] as string, op: cmp[2] === '!=' ? 'notin' : 'in', values: [cmp[3] as string] };
  if (/^![^!=\s]+$/.test(text)) return { key: text.slice(1), op: '!exists' };
  if (/^[^!=\s()]+$/.test(text)) return { key: text, op: 'exists' };
  throw new StoreError(400, 'BadRequest', `unable to parse requirement: ${JSON.stringify(text)}`);
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case 'in':
      return has && r.values.includes(labels[r.key] as string);
    case 'notin':
      return !has || !r.values.includes(labels[r.key] as string);
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
