import { isCelList, isCelMap, isCelUint, type CelInput, type CelValue } from '@bufbuild/cel';

/**
 * JSON objects as the API server hands them to CEL: whole numbers are `int` (the OpenAPI `integer`
 * fields), other numbers `double`, objects maps, arrays lists. @bufbuild/cel would read every JSON
 * number as a double, which differs from Kubernetes in `string(x)`, division and `type(x)`.
 */
export function toCel(value: unknown): CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (Array.isArray(value)) return value.map(toCel);
  if (typeof value === 'object') {
    const out: Record<string, CelInput> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toCel(v);
    return out;
  }
  return String(value);
}

/** A CEL result back to plain JSON (ints to numbers) for messages and reports. */
export function fromCel(value: CelValue): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (isCelUint(value)) return Number(value.value);
  if (isCelList(value)) return [...value].map(fromCel);
  if (isCelMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(isCelUint(k) ? k.value : k)] = fromCel(v);
    return out;
  }
  return value;
}

/** CEL's `string()` of a scalar, for messageExpression results that are not strings. */
export function celToString(value: CelValue): string {
  const plain = fromCel(value);
  return typeof plain === 'string' ? plain : JSON.stringify(plain);
}
