import type { Path } from '../types.js';

/**
 * A Terraform argument whose value is not a literal (a reference, a variable, a function call, an
 * interpolation): only its text is known until a plan runs.
 */
export interface TerraformExpression {
  expression: string;
}

export function isExpression(v: unknown): v is TerraformExpression {
  return typeof v === 'object' && v !== null && 'expression' in v && Object.keys(v).length === 1;
}

/** A known object value (an HCL object or a block's body): not a list, not an expression. */
export function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isExpression(v);
}

/**
 * Whether `path` inside `body` reaches a Terraform expression: the value there, or one of its
 * parents, is unknown before a plan, so a rule's verdict on it would be about the expression's text.
 */
export function underExpression(body: unknown, path: Path): boolean {
  let v = body;
  for (let i = 0; ; i++) {
    if (isExpression(v)) return true;
    if (i === path.length || typeof v !== 'object' || v === null) return false;
    v = (v as Record<string | number, unknown>)[path[i]!];
  }
}

/**
 * A path as a map key: the loader's positions and dynamic blocks, the converter's sources. Names and
 * indexes hold no unit separator, so joining is exact, and cheaper than JSON.stringify.
 */
export const pathKey = (path: Path): string => path.join('\u001f');
