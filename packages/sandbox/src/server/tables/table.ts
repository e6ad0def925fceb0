/**
 * `as=Table` responses (meta.k8s.io/v1 Table), as the apiserver's handlers/response.go builds them:
 * column definitions, one row per object with its cells, and the object as PartialObjectMetadata
 * unless `includeObject` says otherwise. Watches send one-row Tables per event.
 */
import type { KubeObject } from '@slipway/kube';
import { columnsFor } from './columns.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  includeObject: IncludeObject;
  /** Watch events after the first omit the column definitions, as the apiserver does. */
  noHeaders?: boolean;
  resourceVersion?: string;
  now: Date;
}

const DESCRIPTIONS: Record<string, string> = {
  Name: 'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  Age: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export function toTable(
  resource: string,
  objects: KubeObject[],
  opts: TableOptions,
): Record<string, unknown> {
  const columns = columnsFor(resource);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {},
    columnDefinitions: opts.noHeaders
      ? null
      : columns.map((c) => ({
          name: c.name,
          type: c.type,
          format: c.name === 'Name' ? 'name' : '',
          description: DESCRIPTIONS[c.name] ?? c.name,
          priority: c.priority ?? 0,
        })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => c.cell(o, opts.now)),
      ...(opts.includeObject === 'None'
        ? {}
        : { object: opts.includeObject === 'Object' ? o : partialMetadata(o) }),
    })),
  };
}

function partialMetadata(o: KubeObject): Record<string, unknown> {
  const { managedFields: _mf, ...metadata } = o.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}
