/**
 * The schema of an environment overlay: the body schema with every field optional at every depth,
 * `null` accepted wherever a value is (it removes the key from the merged spec), and objects still
 * strict so a misspelt key in an overlay is an error like anywhere else.
 *
 * zod v4's own `z.deepPartial` neither admits `null` nor knows our keyed lists, hence this walk.
 * Lists whose items carry a `name` (volumes, ports) merge item by item in an overlay, so their
 * items become partial too except for `name`, which says which item is meant.
 */
import { z } from '#zod';

type Schema = z.ZodType;

function withDescription<T extends Schema>(schema: T, from: Schema): T {
  return from.description ? schema.describe(from.description) : schema;
}

function unwrap(schema: Schema): Schema {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodLazy) {
    s = s.unwrap() as Schema;
  }
  return s;
}

/** True when the list's items are objects with a required `name`: they merge by name. */
export function isKeyedList(schema: Schema): boolean {
  const s = unwrap(schema);
  if (!(s instanceof z.ZodArray)) return false;
  const item = unwrap(s.element as Schema);
  return item instanceof z.ZodObject && 'name' in item.shape && !(item.shape.name instanceof z.ZodOptional);
}

function partialObject(s: z.ZodObject, keep: ReadonlySet<string> = new Set()): Schema {
  const shape: Record<string, Schema> = {};
  for (const [key, field] of Object.entries(s.shape as Record<string, Schema>)) {
    shape[key] = keep.has(key) ? unwrap(field) : overlaySchema(field).nullable().optional();
  }
  return withDescription(z.strictObject(shape), s);
}

/** The value of `build`, made on the first call. */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/**
 * A schema built when first used. zod reads `optin` and `optout` of every field of an object the
 * first time it parses one, and `z.lazy` answers them by building its schema. Used only for a
 * schema that has neither (an object, record or union, or one of them nullable; never optional or
 * defaulted: wrap the result in `.optional()`), so they are set here to what zod would compute
 * (spec.test.ts checks every use) and the schema is built only when a value is there to check,
 * or when the JSON Schema is made.
 */
export function deferred<T extends Schema>(build: () => T): z.ZodLazy<T> {
  // once: zod's JSON Schema generator calls the getter itself (isTransforming), not its cached
  // result, for every schema above this one; without it `slipway schema` rebuilt the overlay each time
  const lazy = z.lazy(once(build));
  for (const key of ['optin', 'optout']) {
    Object.defineProperty(lazy._zod, key, { value: undefined, writable: true, configurable: true });
  }
  return lazy;
}

/**
 * The fields of an object's overlay (as `overlaySchema` makes them: optional and nullable), each
 * built on first use: a spec's environments override a few sections, and building the overlay of
 * every section was about a third of the schema's construction at start-up.
 */
export function deferredOverlayShape(s: z.ZodObject): Record<string, Schema> {
  const shape: Record<string, Schema> = {};
  for (const [key, field] of Object.entries(s.shape as Record<string, Schema>)) {
    shape[key] = deferred(() => overlaySchema(field).nullable()).optional();
  }
  return shape;
}

/** The overlay form of any schema. Leaves (strings, numbers, enums) stay as they are. */
export function overlaySchema(schema: Schema): Schema {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) return partialObject(s);
  if (s instanceof z.ZodRecord) {
    return withDescription(
      z.record(s.keyType as z.ZodString, overlaySchema(s.valueType as Schema).nullable()),
      s,
    );
  }
  if (s instanceof z.ZodArray) {
    if (!isKeyedList(s)) return s; // lists replace: an overlay list must be complete
    const item = unwrap(s.element as Schema) as z.ZodObject;
    return withDescription(z.array(partialObject(item, new Set(['name']))), s);
  }
  if (s instanceof z.ZodUnion) {
    const options = (s.options as readonly Schema[]).map((o) => overlaySchema(o));
    return withDescription(z.union(options as [Schema, Schema, ...Schema[]]), s);
  }
  return s;
}
