import { arr, isObj, objs, str, strMap } from './access.js';

/**
 * Label selector semantics (k8s.io/apimachinery labels.SelectorFromSet / LabelSelectorAsSelector):
 * matchLabels and every matchExpression must hold; an empty selector `{}` matches everything, which is
 * how a NetworkPolicy `podSelector: {}` selects every pod of its namespace.
 */
export function matchesLabelSelector(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObj(selector)) return false;
  for (const [k, v] of Object.entries(strMap(selector.matchLabels))) {
    if (labels[k] !== v) return false;
  }
  for (const e of objs(selector.matchExpressions)) {
    const key = str(e.key) ?? '';
    const values = arr(e.values).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e.operator) {
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
