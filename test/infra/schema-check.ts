/**
 * Judges parsed Terraform (the JSON `@cdktf/hcl2json` makes of HashiCorp's HCL parser's result)
 * against the providers' schemas (src/infra/generated/provider-schemas.json): every resource and
 * data source type known, every argument and nested block named as the provider names it, every
 * required argument and block present (a `dynamic` block counts for its block), module calls given
 * exactly the variables their module declares.
 */
import type { SchemaBlock, SchemaTable } from '../../scripts/terraform-schemas.js';

/** Terraform's own arguments, valid on every resource and data block. */
const META = new Set([
  'count',
  'for_each',
  'depends_on',
  'provider',
  'lifecycle',
  'provisioner',
  'connection',
]);

export interface SchemaReport {
  problems: string[];
  /** Arguments and blocks written in resource and data blocks, and how many were found in a schema. */
  written: number;
  checked: number;
  /** Distinct `type.path.argument` names written. */
  distinct: Set<string>;
  unknown: string[];
  requiredChecked: number;
}

type Json = Record<string, unknown>;

function emptyReport(): SchemaReport {
  return { problems: [], written: 0, checked: 0, distinct: new Set(), unknown: [], requiredChecked: 0 };
}

function checkBody(body: Json, schema: SchemaBlock, where: string, r: SchemaReport): void {
  const dynamic = (body.dynamic ?? {}) as Record<string, Json[]>;
  for (const [key, value] of Object.entries(body)) {
    if (META.has(key)) continue;
    if (key === 'dynamic') {
      for (const [name, instances] of Object.entries(dynamic)) {
        r.written++;
        const nested = schema.blocks[name];
        if (!nested) {
          r.unknown.push(`${where}: dynamic "${name}" names no block`);
          continue;
        }
        r.checked++;
        r.distinct.add(`${where.split(' ')[0]}.${name}`);
        for (const instance of instances)
          for (const content of (instance.content ?? []) as Json[])
            checkBody(content, nested, `${where}.${name}`, r);
      }
      continue;
    }
    r.written++;
    if (key in schema.arguments) {
      r.checked++;
      r.distinct.add(`${where.split(' ')[0]}.${key}`);
      continue;
    }
    const nested = schema.blocks[key];
    if (!nested) {
      r.unknown.push(`${where}: unknown argument or block "${key}"`);
      continue;
    }
    r.checked++;
    r.distinct.add(`${where.split(' ')[0]}.${key}`);
    if (!Array.isArray(value)) {
      r.problems.push(`${where}: "${key}" is a block, written as an argument`);
      continue;
    }
    for (const item of value as Json[]) checkBody(item, nested, `${where}.${key}`, r);
  }
  for (const [name, required] of Object.entries(schema.arguments))
    if (required) {
      r.requiredChecked++;
      if (!(name in body)) r.problems.push(`${where}: required argument "${name}" is missing`);
    }
  for (const [name, nested] of Object.entries(schema.blocks))
    if (nested.required) {
      r.requiredChecked++;
      if (!(name in body) && !(name in dynamic))
        r.problems.push(`${where}: required block "${name}" is missing`);
    }
}

/** One module: its files parsed and merged (hcl2json's shape: kind -> type -> name -> [body]). */
export function checkModule(
  parsed: Json[],
  table: SchemaTable,
  modules: Record<string, { variables: Record<string, boolean> }>,
  where: string,
  r: SchemaReport = emptyReport(),
): SchemaReport {
  for (const file of parsed) {
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, named] of Object.entries(
        (file[kind] ?? {}) as Record<string, Record<string, Json[]>>,
      )) {
        const schema = table[kind][type];
        for (const [name, bodies] of Object.entries(named)) {
          if (!schema) {
            r.unknown.push(`${where}: ${kind} type ${type} is not in the provider schemas`);
            continue;
          }
          for (const body of bodies) checkBody(body, schema, `${type} ${where}:${kind}.${type}.${name}`, r);
        }
      }
    }
    for (const [name, calls] of Object.entries((file.module ?? {}) as Record<string, Json[]>)) {
      for (const call of calls) {
        const source = String(call.source);
        const module = modules[source];
        if (!module) {
          r.problems.push(`${where}: module "${name}" calls ${source}, which is not rendered`);
          continue;
        }
        for (const key of Object.keys(call)) {
          if (key === 'source' || META.has(key)) continue;
          r.written++;
          if (key in module.variables) r.checked++;
          else r.unknown.push(`${where}: module "${name}" has no variable "${key}"`);
        }
        for (const [variable, required] of Object.entries(module.variables))
          if (required) {
            r.requiredChecked++;
            if (!(variable in call))
              r.problems.push(`${where}: module "${name}" needs variable "${variable}"`);
          }
      }
    }
  }
  return r;
}

/** A module's variables from its parsed files: name -> required (no default). */
export function moduleVariables(parsed: Json[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const file of parsed)
    for (const [name, bodies] of Object.entries((file.variable ?? {}) as Record<string, Json[]>))
      out[name] = !bodies.some((b) => 'default' in b);
  return out;
}
