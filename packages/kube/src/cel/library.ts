import { celFunc, celMethod, CelScalar, isCelMap, mapType, type CelFunc, type CelMap } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { parseQuantity } from '../quantity.js';
import { AUTHZ_FUNCS } from './authz.js';

/**
 * The Kubernetes CEL libraries Slipway's rules use, beside the cel-spec standard functions:
 * - strings (cel-go ext strings, which Kubernetes enables): from @bufbuild/cel/ext;
 * - quantity (k8s.io/apiserver/pkg/cel/library/quantity.go): quantity(), isQuantity(), and the
 *   comparisons and conversions on it.
 * Kubernetes' Quantity is an opaque type; here it is a one-entry map `{'@quantity': text}` that only
 * these functions read. Comparing two quantities with `==` is therefore not Kubernetes' semantic
 * equality: rules use compareTo/isLessThan/isGreaterThan, which are.
 */
const QUANTITY_KEY = '@quantity';
const { STRING, BOOL, INT, DOUBLE } = CelScalar;
const QUANTITY = mapType(STRING, STRING);

function quantityValue(q: CelMap): number {
  const text = q.get(QUANTITY_KEY);
  const value = typeof text === 'string' ? parseQuantity(text) : undefined;
  if (value === undefined) throw new Error('not a quantity');
  return value;
}

function compare(a: CelMap, b: CelMap): bigint {
  const x = quantityValue(a);
  const y = quantityValue(b);
  return x < y ? -1n : x > y ? 1n : 0n;
}

function isQuantityText(s: string): boolean {
  return parseQuantity(s) !== undefined && !/^\s|\s$/.test(s);
}

const QUANTITY_FUNCS: CelFunc[] = [
  celFunc('quantity', [STRING], QUANTITY, (s) => {
    if (!isQuantityText(s)) throw new Error(`quantities must match the regular expression: ${s}`);
    return new Map([[QUANTITY_KEY, s]]);
  }),
  celFunc('isQuantity', [STRING], BOOL, (s) => isQuantityText(s)),
  celMethod('compareTo', QUANTITY, [QUANTITY], INT, function (other) {
    return compare(this, other);
  }),
  celMethod('isLessThan', QUANTITY, [QUANTITY], BOOL, function (other) {
    return compare(this, other) < 0n;
  }),
  celMethod('isGreaterThan', QUANTITY, [QUANTITY], BOOL, function (other) {
    return compare(this, other) > 0n;
  }),
  celMethod('sign', QUANTITY, [], INT, function () {
    const v = quantityValue(this);
    return v < 0 ? -1n : v > 0 ? 1n : 0n;
  }),
  celMethod('isInteger', QUANTITY, [], BOOL, function () {
    return Number.isInteger(quantityValue(this));
  }),
  celMethod('asInteger', QUANTITY, [], INT, function () {
    const v = quantityValue(this);
    if (!Number.isInteger(v)) throw new Error('cannot convert value to integer');
    return BigInt(v);
  }),
  celMethod('asApproximateFloat', QUANTITY, [], DOUBLE, function () {
    return quantityValue(this);
  }),
];

/** Every function a Slipway CEL environment offers beyond the standard library. */
export const KUBERNETES_FUNCS: readonly CelFunc[] = [...strings, ...QUANTITY_FUNCS, ...AUTHZ_FUNCS];

export function isQuantityValue(v: unknown): boolean {
  return isCelMap(v) && v.size === 1 && v.has(QUANTITY_KEY);
}
