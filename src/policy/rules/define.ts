import type { Manifest, Rule, RuleContext, RuleMeta, Violation } from '../types.js';
import { indexOf } from '../index-set.js';
import type { Workload } from '../workloads.js';

/**
 * A rule that judges one item at a time (workloadRule, kindRule, the Pod Security Standards rules):
 * `each` is that judgement, which run() applies to every item in input order. check() (engine.ts)
 * visits each workload and each object once and asks every such rule about it, instead of each rule
 * walking the input.
 */
export interface EachRule extends Rule {
  each: ItemCheck;
}

export type ItemCheck =
  | { workload: (w: Workload, ctx: RuleContext) => Violation[] }
  | { kinds: readonly string[]; object: (m: Manifest, ctx: RuleContext) => Violation[] };

type Meta = Omit<RuleMeta, 'fixable' | 'enabledByDefault'> &
  Partial<Pick<RuleMeta, 'fixable' | 'enabledByDefault'>>;

function complete(meta: Meta): RuleMeta {
  return { fixable: false, enabledByDefault: true, ...meta };
}

/** A rule over each workload's pod template, one at a time. */
export function workloadRule(meta: Meta, check: (w: Workload, ctx: RuleContext) => Violation[]): EachRule {
  return {
    ...complete(meta),
    run: (ctx) => concat(indexOf(ctx.manifests).workloads, (w) => check(w, ctx)),
    each: { workload: check },
  };
}

/** flatMap without an intermediate array per item (most items give none). */
export function concat<T>(items: readonly T[], each: (item: T) => Violation[]): Violation[] {
  const out: Violation[] = [];
  for (const item of items) {
    const found = each(item);
    for (let i = 0; i < found.length; i++) out.push(found[i]!);
  }
  return out;
}

/** A rule over each object of the given kinds. */
export function kindRule(
  meta: Meta,
  kinds: readonly string[],
  check: (m: Manifest, ctx: RuleContext) => Violation[],
): EachRule {
  return {
    ...complete(meta),
    run: (ctx) => concat(indexOf(ctx.manifests).ofKinds(kinds), (m) => check(m, ctx)),
    each: { kinds, object: check },
  };
}

/** A rule that sees the whole input set at once (cross-object checks). */
export function setRule(meta: Meta, check: (ctx: RuleContext) => Violation[]): Rule {
  // Most rules over the whole input are cross-object; one that only walks every object says crossObject: false.
  return { crossObject: true, ...complete(meta), run: check };
}
