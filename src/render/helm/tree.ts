/**
 * Turns the versions of one object (one per environment that has it) into a template tree:
 * what is identical everywhere stays literal text; what differs becomes a `.Values` lookup whose
 * per-environment value goes into values-<env>.yaml; a key or list item only some environments
 * have becomes a lookup guarded by "is it set". Named values (image, replicas, resources, env,
 * ingress host) are always lookups, even when identical, because a Helm user expects to set them.
 */
import { isDeepStrictEqual } from 'node:util';
import { hasMarker } from './release.js';

export type ValuePath = string[];

export type TNode =
  | { t: 'lit'; value: unknown }
  | { t: 'val'; ref: ValuePath }
  /** `{{ printf "%v:%v" repo tag }}`: an image split into repository and tag values. */
  | { t: 'image'; repository: ValuePath; tag: ValuePath }
  | { t: 'expr'; text: string }
  /** `{{ tpl <value> $ }}`: a value whose per-environment text names the release (release.ts). */
  | { t: 'tpl'; ref: ValuePath }
  | { t: 'map'; entries: MapEntry[]; include?: string }
  | { t: 'seq'; items: SeqItem[] };

export interface MapEntry {
  key: string;
  node: TNode;
  /** Emit only when this value is set (not null, not missing). */
  when?: ValuePath;
}
export interface SeqItem {
  node: TNode;
  when?: ValuePath;
}

export const MISSING: unique symbol = Symbol('missing');
export type Version = unknown | typeof MISSING;

export interface TreeContext {
  /** Environment names, parallel to the versions arrays. */
  envs: string[];
  /** Where a generic differing value of this object lives: `objects.<Kind>.<name>`. */
  genericBase: ValuePath;
  /** A named value for this JSON path, if the object kind has one there. */
  named(path: string[]): ValuePath | undefined;
  /** Whether any named value lies at or below this path (then it cannot be a literal). */
  namedBelow(path: string[]): boolean;
  /** Whether an image at this path should be split into repository and tag values. */
  isImage(path: string[]): boolean;
  /** Labels every object shares (emitted via the helpers template), or undefined. */
  commonLabels(path: string[]): { include: string; labels: Record<string, string> } | undefined;
  /** A template expression for these versions (a string naming the release, release.ts), if any. */
  expr(path: string[], versions: Version[]): string | undefined;
  /** A value naming the release as text for `tpl` (release.ts). */
  tplText(value: unknown): string;
  /** Records `value` for environment `env` at `ref`; MISSING records an explicit null. */
  setValue(env: string, ref: ValuePath, value: Version): void;
}

export function buildTree(versions: Version[], path: string[], ctx: TreeContext): TNode {
  const expr = ctx.expr(path, versions);
  if (expr) return { t: 'expr', text: expr };
  const named = ctx.named(path);
  if (named)
    return versions.some(hasMarker) ? leaf(versions, named, ctx) : namedLeaf(versions, path, named, ctx);
  if (
    path.length > 0 &&
    !ctx.namedBelow(path) &&
    allEqual(versions) &&
    !hasDelimiters(versions[0]) &&
    !ctx.commonLabels(path)
  ) {
    return { t: 'lit', value: versions[0] };
  }
  if (versions.every(isPlainObject)) return buildMap(versions as Record<string, unknown>[], path, ctx);
  if (versions.every(Array.isArray)) {
    const seq = buildSeq(versions as unknown[][], path, ctx);
    if (seq) return seq;
  }
  return leaf(versions, [...ctx.genericBase, ...path], ctx);
}

function namedLeaf(versions: Version[], path: string[], ref: ValuePath, ctx: TreeContext): TNode {
  const images = versions.map((v) => (typeof v === 'string' ? splitImage(v) : undefined));
  if (ctx.isImage(path) && images.every((i) => i !== undefined)) {
    const repository = [...ref, 'repository'];
    const tag = [...ref, 'tag'];
    ctx.envs.forEach((env, i) => {
      ctx.setValue(env, repository, images[i]![0]);
      ctx.setValue(env, tag, images[i]![1]);
    });
    return { t: 'image', repository, tag };
  }
  return leaf(versions, ref, ctx);
}

function leaf(versions: Version[], ref: ValuePath, ctx: TreeContext): TNode {
  if (versions.some(hasMarker)) {
    // Values are data, so a value naming the release holds template text that `tpl` expands.
    ctx.envs.forEach((env, i) =>
      ctx.setValue(env, ref, versions[i] === MISSING ? MISSING : ctx.tplText(versions[i])),
    );
    return { t: 'tpl', ref };
  }
  ctx.envs.forEach((env, i) => ctx.setValue(env, ref, versions[i]));
  return { t: 'val', ref };
}

function buildMap(versions: Record<string, unknown>[], path: string[], ctx: TreeContext): TNode {
  const common = ctx.commonLabels(path);
  const keys = unionInOrder(versions.map((v) => Object.keys(v)));
  const entries: MapEntry[] = [];
  for (const key of keys) {
    if (common && key in common.labels) continue;
    const childPath = [...path, key];
    const children = versions.map((v) => (key in v ? v[key] : MISSING));
    if (children.some((c) => c === MISSING)) {
      const ref = ctx.named(childPath) ?? [...ctx.genericBase, ...childPath];
      entries.push({ key, node: leaf(children, ref, ctx), when: ref });
    } else {
      entries.push({ key, node: buildTree(children, childPath, ctx) });
    }
  }
  return common ? { t: 'map', entries, include: common.include } : { t: 'map', entries };
}

/**
 * Lists of named items (containers, env, ports, volumes) are matched by name, so an env var only
 * production has is one guarded item rather than a whole different list. Other lists of equal
 * length are matched by position; anything else is one value.
 */
function buildSeq(versions: unknown[][], path: string[], ctx: TreeContext): TNode | undefined {
  const names = versions.map(itemNames);
  if (names.every((n) => n !== undefined)) {
    const order = mergeOrder(names as string[][]);
    if (order) {
      const items: SeqItem[] = order.map((name) => {
        const childPath = [...path, name];
        const children = versions.map((v, i) => {
          const at = (names[i] as string[]).indexOf(name);
          return at < 0 ? MISSING : v[at];
        });
        if (children.some((c) => c === MISSING)) {
          const ref = [...ctx.genericBase, ...childPath];
          return { node: leaf(children, ref, ctx), when: ref };
        }
        return { node: buildTree(children, childPath, ctx) };
      });
      return { t: 'seq', items };
    }
  }
  const length = versions[0]!.length;
  if (versions.every((v) => v.length === length)) {
    const items: SeqItem[] = [];
    for (let i = 0; i < length; i++) {
      items.push({
        node: buildTree(
          versions.map((v) => v[i]),
          [...path, String(i)],
          ctx,
        ),
      });
    }
    return { t: 'seq', items };
  }
  return undefined;
}

/** Names of a list's items when every item is a map with a distinct `name` (or `metadata.name`, as claim templates have). */
function itemNames(list: unknown[]): string[] | undefined {
  const names: string[] = [];
  for (const item of list) {
    if (!isPlainObject(item)) return undefined;
    const name =
      typeof item.name === 'string'
        ? item.name
        : isPlainObject(item.metadata)
          ? item.metadata.name
          : undefined;
    if (typeof name !== 'string' || /^\d+$/.test(name)) return undefined;
    names.push(name);
  }
  return new Set(names).size === names.length ? names : undefined;
}

/** One order consistent with every environment's order, or undefined when they conflict. */
export function mergeOrder(lists: string[][]): string[] | undefined {
  const merged: string[] = [];
  for (const list of lists) {
    let cursor = 0;
    for (const name of list) {
      const at = merged.indexOf(name);
      if (at < 0) merged.splice(cursor++, 0, name);
      else if (at < cursor) return undefined;
      else cursor = at + 1;
    }
  }
  // Check every list is a subsequence in the merged order.
  for (const list of lists) {
    const positions = list.map((n) => merged.indexOf(n));
    if (positions.some((p, i) => i > 0 && p <= positions[i - 1]!)) return undefined;
  }
  return merged;
}

function unionInOrder(lists: string[][]): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const k of list) seen.add(k);
  return [...seen];
}

function allEqual(versions: Version[]): boolean {
  return versions.every((v) => isDeepStrictEqual(v, versions[0]));
}

/** Literal text containing `{{` or `}}` would be read as a template action; a marker must become one. */
function hasDelimiters(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{') || value.includes('}}') || hasMarker(value);
  if (Array.isArray(value)) return value.some(hasDelimiters);
  if (isPlainObject(value))
    return Object.entries(value).some(([k, v]) => hasDelimiters(k) || hasDelimiters(v));
  return false;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `repo[:port]/path:tag` -> [repo/path, tag]; digests and untagged images are not split. */
export function splitImage(image: string): [string, string] | undefined {
  if (image.includes('@')) return undefined;
  const match = /^(.+):([\w][\w.-]{0,127})$/.exec(image);
  if (!match || match[1]!.endsWith('/') || match[2]!.includes('/')) return undefined;
  return [match[1]!, match[2]!];
}
