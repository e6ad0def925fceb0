import { get, isObj, strMap } from '../access.js';
import { matchesLabelSelector } from '../selectors.js';
import type { Manifest, Rule, Violation } from '../types.js';
import { labelKeyOk, labelValueOk, listOr, mapOr, scalar } from './cel.js';
import { setRule, workloadRule } from './define.js';

const SELECTOR_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Rollout']);

/** matchesLabelSelector(object.spec.selector, pod labels) in CEL: a selector the API server would refuse selects nothing. */
const SELECTOR_MATCHES = `[${mapOr('variables.podMeta', 'labels')}].all(l, [object.spec.selector].all(s, ${mapOr('s', 'matchLabels')}.all(k, !(${scalar('s.matchLabels[k]')}) || (${labelKeyOk('k')} && ${labelValueOk('string(s.matchLabels[k])')} && k in l && ${scalar('l[k]')} && string(l[k]) == string(s.matchLabels[k]))) && ${listOr('s', 'matchExpressions')}.all(e, type(e) != map || [has(e.key) && type(e.key) == string ? e.key : ''].all(key, [${listOr('e', 'values')}].all(vs, ${labelKeyOk('key')} && vs.all(v, type(v) != string || ${labelValueOk('v')}) && (!has(e.operator) ? false : e.operator == 'In' ? vs.size() > 0 && key in l && ${scalar('l[key]')} && string(l[key]) in vs : e.operator == 'NotIn' ? vs.size() > 0 && !(key in l && ${scalar('l[key]')} && string(l[key]) in vs) : e.operator == 'Exists' ? vs.size() == 0 && key in l && ${scalar('l[key]')} : e.operator == 'DoesNotExist' ? vs.size() == 0 && !(key in l && ${scalar('l[key]')}) : false))))))`;

const selectorMismatch = workloadRule(
  {
    id: 'workload-selector-mismatch',
    admission: {
      kinds: [...SELECTOR_KINDS],
      expression: `!has(object.spec) || type(object.spec) != map || !has(object.spec.selector) || type(object.spec.selector) != map || ${SELECTOR_MATCHES}`,
      message: "spec.selector must match the pod template's labels",
    },
    title: "Selector does not match the pod template's labels",
    severity: 'error',
    category: 'correctness',
    checks:
      'spec.selector of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or Rollout must match spec.template.metadata.labels (Jobs without a selector are skipped: the API generates one).',
    rationale: 'The API server rejects the object (`selector does not match template labels`).',
    remediation: 'Make spec.selector.matchLabels a subset of the template labels.',
  },
  (w) => {
    if (!SELECTOR_KINDS.has(w.manifest.ref.kind)) return [];
    const selector = get(w.manifest.body, 'spec', 'selector');
    if (!isObj(selector)) return [];
    return matchesLabelSelector(selector, w.labels)
      ? []
      : [
          {
            manifest: w.manifest,
            path: ['spec', 'selector'],
            message: `selector ${JSON.stringify(strMap(selector.matchLabels))} does not match template labels ${JSON.stringify(w.labels)}`,
          },
        ];
  },
);

const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

const duplicate = setRule(
  {
    id: 'duplicate-object',
    title: 'Same object defined twice',
    severity: 'error',
    category: 'correctness',
    checks: 'No two objects in the input may share API group, kind, namespace and name.',
    rationale:
      'The second one silently overwrites the first when applied; which one wins depends on file order.',
    remediation: 'Remove or rename one of them.',
  },
  (ctx) => {
    const seen = new Map<string, Manifest>();
    const out: Violation[] = [];
    for (const m of ctx.manifests) {
      const key = `${group(m.ref.apiVersion)}/${m.ref.kind}/${m.ref.namespace ?? ''}/${m.ref.name}`;
      const first = seen.get(key);
      if (first)
        out.push({
          manifest: m,
          path: ['metadata', 'name'],
          message: `${m.ref.kind} "${m.ref.name}" is also defined at ${first.file}:${first.start.line}`,
        });
      else seen.set(key, m);
    }
    return out;
  },
);

export const CORRECTNESS_RULES: Rule[] = [selectorMismatch, duplicate];
