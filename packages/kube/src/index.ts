/**
 * @slipway/kube: the Kubernetes vocabulary shared by Slipway and its sandbox. Object types,
 * label selectors with the API server's semantics, resource quantities, Go durations and the
 * API's time formats; plain data and pure functions, no I/O.
 */
export type {
  KubeObject,
  LabelSelector,
  LabelSelectorRequirement,
  NamedObject,
  ObjectMeta,
  ObjectRef,
  OwnerReference,
  TypeRef,
} from './object.js';
export { splitApiVersion, withoutServerFields } from './object.js';
export {
  everything,
  labelKeyProblems,
  labelValueProblems,
  newRequirement,
  nothing,
  parseSelector,
  selectorFromLabelSelector,
  selectorFromRequirements,
  selectorFromSet,
  SelectorError,
  type Labels,
  type Operator,
  type Requirement,
  type Selector,
} from './selector.js';
export { canonicalQuantity, parseQuantity } from './quantity.js';
export {
  DurationError,
  durationSeconds,
  formatDuration,
  parseDuration,
  tryParseDuration,
} from './duration.js';
export { rfc3339, rfc3339Micro } from './time.js';
