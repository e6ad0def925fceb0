/**
 * The compact schema table `slipway check` validates built-in kinds against (generated from the
 * Kubernetes OpenAPI document by scripts/gen-policy-schemas.ts; no descriptions).
 *
 * A node is one of: a definition reference (`{ ref }`), or a type with its parts:
 *   s string, i integer, n number, b boolean, o object, a array,
 *   ios int-or-string, q quantity (string or number), any (unchecked: RawExtension, JSON).
 */
export type SchemaType = 's' | 'i' | 'n' | 'b' | 'o' | 'a' | 'ios' | 'q' | 'any';

export interface SchemaNode {
  ref?: string;
  t?: SchemaType;
  /** Object properties. */
  p?: Record<string, SchemaNode>;
  /** Required properties. */
  r?: string[];
  /** Array items. */
  i?: SchemaNode;
  /** Map values (additionalProperties). */
  m?: SchemaNode;
  /** Allowed string values (CRD `enum`; built-in kinds use the curated ./enums.ts instead). */
  e?: string[];
}

export interface SchemaTable {
  /** Kubernetes version of the document the table was generated from. */
  source: string;
  /** `apiVersion/Kind` -> definition name. */
  kinds: Record<string, string>;
  definitions: Record<string, SchemaNode>;
}
