import { ignoresOf } from '../ignores.js';
import type { Rule, Violation } from '../types.js';
import { RESOURCE_KINDS } from '../admission/model.js';
import { setRule } from './define.js';

/** What an object without findings gives (flatMap copies, never keeps it). */
const NONE: Violation[] = [];

export const IGNORE_WITHOUT_REASON = setRule(
  {
    id: 'ignore-without-reason',
    crossObject: false,
    admission: {
      kinds: Object.keys(RESOURCE_KINDS),
      expression:
        "[object.metadata, variables.podMeta].exists(m, has(m.annotations) && 'slipway.dev/ignore-reason' in m.annotations && type(m.annotations['slipway.dev/ignore-reason']) == string && m.annotations['slipway.dev/ignore-reason'].trim() != '') || ![object.metadata, variables.podMeta].exists(m, has(m.annotations) && m.annotations.exists(k, k == 'slipway.dev/ignore' || k.startsWith('slipway.dev/ignore.')))",
      message: 'a slipway.dev/ignore annotation needs a non-empty slipway.dev/ignore-reason',
    },
    title: 'Ignore annotation without a reason',
    severity: 'warning',
    category: 'control',
    checks:
      'An object (or pod template) with slipway.dev/ignore or slipway.dev/ignore.<container> must also carry a non-empty slipway.dev/ignore-reason.',
    rationale:
      'A suppression nobody can explain outlives the reason it was added; reviewers need the why next to the what.',
    remediation:
      'Add slipway.dev/ignore-reason: "<why this rule does not apply>" beside the ignore annotation.',
  },
  (ctx) =>
    ctx.manifests.flatMap((m): Violation[] => {
      const ig = ignoresOf(m);
      if (ig.reason || ig.entries.length === 0) return NONE;
      return ig.entries
        .filter((e) => e.reason === undefined)
        .map((e) => ({
          manifest: m,
          path: e.path,
          message: `${String(e.path[e.path.length - 1])} suppresses ${e.rules.join(', ') || 'nothing'} without slipway.dev/ignore-reason`,
        }));
    }),
);

export function unknownIgnoreRule(known: ReadonlySet<string>): Rule {
  return setRule(
    {
      id: 'ignore-unknown-rule',
      title: 'Ignore annotation names an unknown rule',
      severity: 'warning',
      category: 'control',
      checks:
        'Every rule ID listed in a slipway.dev/ignore annotation must exist in the catalog (slipway check --list-rules).',
      rationale:
        'A misspelt rule ID suppresses nothing, so the finding the author meant to silence keeps failing, or a later rename silently re-enables it.',
      remediation: 'Fix the rule ID.',
    },
    (ctx) =>
      ctx.manifests.flatMap((m) =>
        ignoresOf(m).entries.flatMap((e) =>
          e.rules
            .filter((r) => !known.has(r))
            .map((r): Violation => ({
              manifest: m,
              path: e.path,
              message: `unknown rule "${r}" in ${String(e.path[e.path.length - 1])}`,
            })),
        ),
      ),
  );
}
