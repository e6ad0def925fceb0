import { get, getPath, obj } from './access.js';
import type { Manifest, Path } from './types.js';
import { workloadOf } from './workloads.js';

/**
 * In-manifest suppressions. On the object's metadata.annotations or its pod template's:
 *   slipway.dev/ignore: RULE[,RULE]              every finding of these rules on this object
 *   slipway.dev/ignore.<container>: RULE[,RULE]  findings of these rules about that container only
 *   slipway.dev/ignore-reason: text              why; an ignore without a reason is itself a finding
 * and the relaxations `slipway render` writes for a spec's `security.relax` (and for dependencies that
 * need one), whose value is the reason:
 *   slipway.dev/relax-readOnlyRootFilesystem: why   sec-read-only-root-fs
 * Relaxations of Pod Security Standards fields are not suppressed: admission still rejects them.
 */
export const IGNORE_KEY = 'slipway.dev/ignore';
export const IGNORE_CONTAINER_PREFIX = 'slipway.dev/ignore.';
export const IGNORE_REASON_KEY = 'slipway.dev/ignore-reason';
export const RELAX_PREFIX = 'slipway.dev/relax-';
const SLIPWAY_PREFIX = 'slipway.dev/';
/** The rules a reasoned `slipway.dev/relax-<field>` annotation answers. */
const RELAXED_RULES: Readonly<Record<string, readonly string[]>> = {
  readOnlyRootFilesystem: ['sec-read-only-root-fs'],
};

export interface IgnoreEntry {
  /** Annotation key path inside the manifest body, for findings about the annotation itself. */
  path: Path;
  container?: string;
  rules: string[];
  /** Set for a relax annotation, whose value is its own reason. */
  reason?: string;
}

export interface Ignores {
  entries: IgnoreEntry[];
  reason?: string;
  reasonPath?: Path;
}

const cache = new WeakMap<Manifest, Ignores>();
/** What most objects carry: nothing (one shared answer, not an object and an array kept per object). */
const NONE: Ignores = Object.freeze({ entries: Object.freeze([]) as unknown as IgnoreEntry[] });
const METADATA: Path = ['metadata'];

export function ignoresOf(m: Manifest): Ignores {
  const hit = cache.get(m);
  if (hit) return hit;
  const w = workloadOf(m);
  const places: Path[] = w && m.ref.kind !== 'Pod' ? [METADATA, w.podMetaPath] : [METADATA];
  const out: Ignores = { entries: [] };
  for (let p = 0; p < places.length; p++) {
    const place = places[p]!;
    const annotations = obj(get(getPath(m.body, place), 'annotations'));
    if (!annotations) continue;
    for (const key in annotations) {
      // Every key read below starts so; most objects carry none (no entries, no path arrays built).
      if (!key.startsWith(SLIPWAY_PREFIX)) continue;
      const value = annotations[key];
      const path = [...place, 'annotations', key];
      if (key === IGNORE_REASON_KEY) {
        if (typeof value === 'string' && value.trim() !== '') {
          out.reason = value.trim();
          out.reasonPath = path;
        }
        continue;
      }
      if (key.startsWith(RELAX_PREFIX)) {
        const rules = RELAXED_RULES[key.slice(RELAX_PREFIX.length)];
        if (rules && typeof value === 'string' && value.trim() !== '')
          out.entries.push({ path, rules: [...rules], reason: value.trim() });
        continue;
      }
      const container = key.startsWith(IGNORE_CONTAINER_PREFIX)
        ? key.slice(IGNORE_CONTAINER_PREFIX.length)
        : undefined;
      if (key !== IGNORE_KEY && container === undefined) continue;
      const rules = String(value ?? '')
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      out.entries.push({ path, rules, ...(container ? { container } : {}) });
    }
  }
  const answer = out.entries.length === 0 && out.reason === undefined ? NONE : out;
  cache.set(m, answer);
  return answer;
}

export function isIgnored(m: Manifest, rule: string, container: string | undefined): boolean {
  const entries = ignoresOf(m).entries;
  return (
    entries.length > 0 &&
    entries.some((e) => e.rules.includes(rule) && (e.container === undefined || e.container === container))
  );
}
