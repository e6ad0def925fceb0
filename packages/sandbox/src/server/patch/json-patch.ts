/**
 * JSON patch, RFC 6902 (add, remove, replace, move, copy, test), with RFC 6901 pointers.
 * `kubectl rollout undo` and client-node's typed patch methods send it.
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiError } from '../status.js';

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

function invalid(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw invalid(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, pointer: string): { parent: Container; key: string } {
  const parts = tokens(pointer);
  const key = parts.pop();
  if (key === undefined) throw invalid('the root cannot be the target of this operation');
  let cur: unknown = doc;
  for (const p of parts) {
    cur = Array.isArray(cur)
      ? cur[Number(p)]
      : cur && typeof cur === 'object'
        ? (cur as Record<string, unknown>)[p]
        : undefined;
    if (cur === undefined || cur === null || typeof cur !== 'object')
      throw invalid(`doc is missing path: "${pointer}"`);
  }
  return { parent: cur as Container, key };
}

function read(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const p of tokens(pointer)) {
    cur = Array.isArray(cur)
      ? cur[Number(p)]
      : cur && typeof cur === 'object'
        ? (cur as Record<string, unknown>)[p]
        : undefined;
    if (cur === undefined) throw invalid(`doc is missing path: "${pointer}"`);
  }
  return cur;
}

function index(arr: unknown[], key: string, forAdd: boolean): number {
  if (forAdd && key === '-') return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!forAdd && i === arr.length))
    throw invalid(`invalid array index ${key}`);
  return i;
}

function add(doc: unknown, path: string, value: unknown): unknown {
  if (path === '') return value;
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(index(parent, key, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(index(parent, key, false), 1);
  else {
    if (!(key in parent)) throw invalid(`doc is missing path: "${path}"`);
    delete parent[key];
  }
  return doc;
}

export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch))
    throw new ApiError(400, 'BadRequest', 'a JSON patch must be an array of operations');
  let doc = structuredClone(document);
  for (const raw of patch as Operation[]) {
    const value = structuredClone(raw.value);
    switch (raw.op) {
      case 'add':
        doc = add(doc, raw.path, value);
        break;
      case 'remove':
        doc = remove(doc, raw.path);
        break;
      case 'replace':
        read(doc, raw.path);
        doc = raw.path === '' ? value : add(remove(doc, raw.path), raw.path, value);
        break;
      case 'move': {
        const moved = read(doc, raw.from ?? '');
        doc = add(remove(doc, raw.from ?? ''), raw.path, moved);
        break;
      }
      case 'copy':
        doc = add(doc, raw.path, structuredClone(read(doc, raw.from ?? '')));
        break;
      case 'test':
        if (!isDeepStrictEqual(read(doc, raw.path), raw.value))
          throw invalid(`testing value ${raw.path} failed`);
        break;
      default:
        throw new ApiError(400, 'BadRequest', `unexpected JSON patch operation ${JSON.stringify(raw.op)}`);
    }
  }
  return doc;
}
