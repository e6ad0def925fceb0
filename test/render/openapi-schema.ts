import { readFileSync } from 'node:fs';

/**
 * A strict structural check of objects against the Kubernetes OpenAPI v2 document: unknown fields
 * (what `kubectl apply --validate=strict` rejects), missing required fields, wrong JSON types,
 * int-or-string and quantity formats, and duplicate keys in map-type lists (two env entries with
 * one name, two ports with one containerPort) that the API server would merge or refuse.
 */
interface Schema {
  type?: string;
  format?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
}

export class OpenApiValidator {
  private readonly defs: Record<string, Schema>;
  private readonly byGvk = new Map<string, string>();

  constructor(swaggerPath: string) {
    this.defs = (
      JSON.parse(readFileSync(swaggerPath, 'utf8')) as { definitions: Record<string, Schema> }
    ).definitions;
    for (const [name, def] of Object.entries(this.defs)) {
      for (const g of def['x-kubernetes-group-version-kind'] ?? [])
        this.byGvk.set(`${g.group ? `${g.group}/` : ''}${g.version}/${g.kind}`, name);
    }
  }

  /** undefined when the document does not describe this kind (a CRD such as HTTPRoute). */
  definitionFor(apiVersion: string, kind: string): string | undefined {
    return this.byGvk.get(`${apiVersion}/${kind}`);
  }

  validate(obj: { apiVersion: string; kind: string }): string[] {
    const def = this.definitionFor(obj.apiVersion, obj.kind);
    if (!def) return [`no schema for ${obj.apiVersion}/${obj.kind}`];
    const errors: string[] = [];
    this.check(obj, { $ref: `#/definitions/${def}` }, '', errors);
    return errors;
  }

  private resolve(schema: Schema): Schema {
    let s = schema;
    while (s.$ref) s = this.defs[s.$ref.replace('#/definitions/', '')] ?? {};
    return s;
  }

  private check(value: unknown, raw: Schema, path: string, errors: string[]): void {
    const schema = this.resolve(raw);
    if (schema.format === 'int-or-string') {
      if (typeof value !== 'string' && !Number.isInteger(value))
        errors.push(`${path}: expected int or string`);
      return;
    }
    switch (schema.type) {
      case 'string':
        if (typeof value !== 'string') errors.push(`${path}: expected string, got ${JSON.stringify(value)}`);
        return;
      case 'integer':
        if (!Number.isInteger(value)) errors.push(`${path}: expected integer, got ${JSON.stringify(value)}`);
        return;
      case 'number':
        if (typeof value !== 'number') errors.push(`${path}: expected number`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') errors.push(`${path}: expected boolean`);
        return;
      case 'array':
        return this.checkArray(value, schema, path, errors);
      case 'object':
      case undefined:
        return this.checkObject(value, schema, path, errors);
    }
  }

  private checkArray(value: unknown, schema: Schema, path: string, errors: string[]): void {
    if (!Array.isArray(value)) return void errors.push(`${path}: expected array`);
    value.forEach((v, i) => schema.items && this.check(v, schema.items, `${path}[${i}]`, errors));
    const keys = schema['x-kubernetes-list-map-keys'];
    if (schema['x-kubernetes-list-type'] === 'map' && keys) {
      const seen = new Set<string>();
      for (const v of value as Array<Record<string, unknown>>) {
        const k = JSON.stringify(keys.map((key) => v[key]));
        if (seen.has(k)) errors.push(`${path}: duplicate entry for ${keys.join('+')} = ${k}`);
        seen.add(k);
      }
    }
  }

  private checkObject(value: unknown, schema: Schema, path: string, errors: string[]): void {
    if (schema.type === undefined && !schema.properties) return; // free-form (RawExtension, JSON)
    if (!value || typeof value !== 'object' || Array.isArray(value))
      return void errors.push(`${path}: expected object`);
    const obj = value as Record<string, unknown>;
    for (const req of schema.required ?? []) if (!(req in obj)) errors.push(`${path}.${req}: required`);
    for (const [k, v] of Object.entries(obj)) {
      const prop = schema.properties?.[k];
      if (prop) this.check(v, prop, `${path}.${k}`, errors);
      else if (typeof schema.additionalProperties === 'object')
        this.check(v, schema.additionalProperties, `${path}.${k}`, errors);
      else if (!schema.additionalProperties) errors.push(`${path}.${k}: unknown field`);
    }
  }
}
