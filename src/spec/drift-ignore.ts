/**
 * `drift.ignore` rules matched against one field of one object: what `slipway drift` leaves out of
 * its report and `slipway deploy` leaves as it is live. Pure; shared by src/drift and the engine.
 */
import type { DriftIgnore } from './schema.js';

function globMatches(glob: string, name: string): boolean {
  const re = new RegExp(
    `^${glob
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(name);
}

/** The rules that apply to an object. */
export function rulesFor(rules: readonly DriftIgnore[], kind: string, name: string): DriftIgnore[] {
  return rules.filter((r) => r.kind === kind && globMatches(r.name ?? '*', name));
}

/** True when `pointer` is a rule's field or lies under it. */
export function isIgnored(
  rules: readonly DriftIgnore[],
  kind: string,
  name: string,
  pointer: string,
): boolean {
  return rulesFor(rules, kind, name).some((r) => pointer === r.path || pointer.startsWith(`${r.path}/`));
}
