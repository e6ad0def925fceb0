import {
  selectorFromLabelSelector,
  selectorFromSet,
  SelectorError,
  type LabelSelectorRequirement,
} from '@slipway/kube';
import { arr, isObj, objs, str, strMap } from './access.js';

/**
 * A manifest's metav1.LabelSelector, read with @slipway/kube (apimachinery's LabelSelectorAsSelector):
 * matchLabels and every matchExpression must hold; an empty selector `{}` matches everything, which is
 * how a NetworkPolicy `podSelector: {}` selects every pod of its namespace.
 */
export function matchesLabelSelector(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObj(selector)) return false;
  let compiled = compiledSelectors.get(selector);
  if (!compiled) compiledSelectors.set(selector, (compiled = compileSelector(selector)));
  return compiled(labels);
}

type LabelMatcher = (labels: Record<string, string>) => boolean;

/**
 * A selector read once: rules ask whether each workload of a namespace matches each policy, PDB or
 * HPA there, and the selector objects are the checked (unchanging) manifest data.
 */
const compiledSelectors = new WeakMap<object, LabelMatcher>();

function compileSelector(selector: Record<string, unknown>): LabelMatcher {
  try {
    const compiled = selectorFromLabelSelector({
      matchLabels: strMap(selector.matchLabels),
      matchExpressions: objs(selector.matchExpressions).map((e) => ({
        key: str(e.key) ?? '',
        operator: e.operator as LabelSelectorRequirement['operator'],
        values: arr(e.values).map(String),
      })),
    });
    return (labels) => compiled.matches(labels);
  } catch (e) {
    // A selector the API server would refuse (an unknown operator, `In` without values) selects nothing.
    if (e instanceof SelectorError) return () => false;
    throw e;
  }
}

/** A Service's plain map selector; an empty or missing map selects nothing (endpoints are managed by hand). */
export function matchesMapSelector(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObj(selector)) return false;
  let compiled = compiledMapSelectors.get(selector);
  if (!compiled) {
    const wanted = strMap(selector);
    if (Object.keys(wanted).length === 0) compiled = () => false;
    else {
      const set = selectorFromSet(wanted);
      compiled = (l) => set.matches(l);
    }
    compiledMapSelectors.set(selector, compiled);
  }
  return compiled(labels);
}

/** Map selectors read once, as label selectors are (each Service is asked about every workload). */
const compiledMapSelectors = new WeakMap<object, LabelMatcher>();

const emptySelectors = new WeakMap<object, boolean>();

/**
 * A PodDisruptionBudget's selector: policy/v1 treats an empty selector `{}` as every pod of the
 * namespace, policy/v1beta1 as no pod; a missing selector selects nothing in both.
 */
export function pdbSelects(
  pdb: { apiVersion: string; selector: unknown },
  labels: Record<string, string>,
): boolean {
  if (!isObj(pdb.selector)) return false;
  let empty = emptySelectors.get(pdb.selector);
  if (empty === undefined) {
    empty =
      Object.keys(strMap(pdb.selector.matchLabels)).length === 0 &&
      objs(pdb.selector.matchExpressions).length === 0;
    emptySelectors.set(pdb.selector, empty);
  }
  if (empty) return pdb.apiVersion !== 'policy/v1beta1';
  return matchesLabelSelector(pdb.selector, labels);
}
