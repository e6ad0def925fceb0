/**
 * The JSON Schema of slipway.yaml, generated from the zod schema (one source of truth). Draft-07,
 * because yaml-language-server (the YAML extension of VS Code and others) validates and completes
 * with draft-07 and older; a committed copy lives at schema/slipway.schema.json.
 */
import { z } from '#zod';
import { AppSchema } from './schema.js';

export const SCHEMA_ID =
  'https://raw.githubusercontent.com/slipway-dev/slipway/main/schema/slipway.schema.json';

export function specJsonSchema(): Record<string, unknown> {
  // io: 'input' describes what a user may write (optional fields stay optional). No reused $refs:
  // in draft-07 keywords beside a $ref are ignored, so descriptions next to one would be lost.
  const schema = z.toJSONSchema(AppSchema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'throw',
  }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: SCHEMA_ID,
    title: 'slipway.yaml',
    description: 'Describe an app once: services, dependencies, deploy strategy, environments and backups.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
    // top-level x- keys hold YAML anchors (parse.ts drops them before validation)
    patternProperties: { '^x-': {} },
  };
}

/** The committed file's text: stable key order, two-space indent, trailing newline. */
export function specJsonSchemaText(): string {
  return JSON.stringify(specJsonSchema(), null, 2) + '\n';
}
