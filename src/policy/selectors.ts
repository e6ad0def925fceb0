import { arr, isObj, objs, str, strMap } from './access.js';

/**
 * Label selector semantics (k8s.io/apimachinery labels.SelectorFromSet / LabelSelectorAsSelector):
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
  const matchLabels = Object.entries(strMap(selector.matchLabels));
  const expressions = objs(selector.matchExpressions).map((e) => ({
    key: str(e.key) ?? '',
    values: arr(e.values).map(String),
    operator: e.operator,
  }));
  return (labels) => {
    for (const [k, v] of matchLabels) if (labels[k] !== v) return false;
    for (const { key, values, operator } of expressions) {
      const has = Object.prototype.hasOwnProperty.call(labels, key);
      switch (operator) {
        case 'In':
          if (!has || !values.includes(labels[key] as string)) return false;
          break;
        case 'NotIn':
          if (has && values.includes(labels[key] as string)) return false;
          break;
        case 'Exists':
          if (!has) return false;
          break;
        case 'DoesNotExist':
          if (has) return false;
          break;
        default:
          return false;
      }
    }
    return true;
  };
}

/** A Service's plain map selector; an empty or missing map selects nothing (endpoints are managed by hand). */
export function matchesMapSelector(selector: unknown, labels: Record<string, string>): boolean {
  const wanted = strMap(selector);
  const keys = Object.keys(wanted);
  if (keys.length === 0) return false;
  return keys.every((k) => labels[k] === wanted[k]);
}

/**
 * A PodDisruptionBudget's selector: policy/v1 treats an empty selector `{}` as every pod of the
 * namespace, policy/v1beta1 as no pod; a missing selector selects nothing in both.
 */
export function pdbSelects(
  pdb: { apiVersion: string; selector: unknown },
  labels: Record<string, string>,
): boolean {
  if (!isObj(pdb.selector)) return false;
  const empty =
    Object.keys(strMap(pdb.selector.matchLabels)).length === 0 &&
    objs(pdb.selector.matchExpressions).length === 0;
  if (empty) return pdb.apiVersion !== 'policy/v1beta1';
  return matchesLabelSelector(pdb.selector, labels);
}
