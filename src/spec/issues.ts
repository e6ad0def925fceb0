/**
 * zod issues -> problems a person can act on: the field path, what was expected, what was found,
 * and a hint. Unions are reduced to the branch the user most likely meant, unknown keys get a
 * "did you mean" over the keys the schema allows at that place.
 */
import { z } from '#zod';
import type { Problem, SourceLocation } from '../errors.js';
import { editDistance, suggestion } from './suggest.js';
import { pathText, type PathSegment } from './source.js';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;
type Schema = z.ZodType;

export interface IssueContext {
  schema: Schema;
  data: unknown;
  /** Where a data path is in the source; `atKey` asks for the key rather than the value. */
  locate(path: readonly PathSegment[], atKey: boolean): SourceLocation;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
  null: 'null',
};

/** Messages for zod's built-in checks, used where the schema gives none of its own. */
export function errorMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? 'must not be empty'
          : `expected at least ${issue.minimum} characters`;
      if (issue.origin === 'array')
        return `expected at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      return `expected a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `expected at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `expected at most ${issue.maximum} items`;
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    case 'invalid_value':
      return `expected one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      if (issue.format === 'starts_with')
        return `expected a value starting with "${(issue as { prefix?: string }).prefix ?? ''}"`;
      return `has the wrong format (${issue.format})`;
    default:
      return undefined;
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    if (typeof segment === 'object') {
      value = Array.isArray(value)
        ? value.find((v: unknown) => isRecord(v) && v.name === segment.name)
        : undefined;
    } else value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The schema inside optional, nullable and lazy wrappers (an environment's fields are built lazily). */
function unwrap(schema: Schema): Schema {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodLazy) {
    s = s.unwrap() as Schema;
  }
  return s;
}

function objectOptions(schema: Schema): z.ZodObject[] {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) return [s];
  if (s instanceof z.ZodUnion) return (s.options as Schema[]).flatMap(objectOptions);
  return [];
}

/** The schema at a data path (unions: the object option that has the next key). */
export function schemaAt(schema: Schema, path: readonly PathSegment[]): Schema | undefined {
  let s: Schema | undefined = schema;
  for (const segment of path) {
    if (!s) return undefined;
    const u: Schema = unwrap(s);
    if (u instanceof z.ZodRecord) s = u.valueType as Schema;
    else if (u instanceof z.ZodArray) s = u.element as Schema;
    else {
      const key = String(segment);
      s = objectOptions(u).find((o) => key in o.shape)?.shape[key] as Schema | undefined;
    }
  }
  return s;
}

export function allowedKeys(schema: Schema, path: readonly PathSegment[]): string[] {
  const s = schemaAt(schema, path);
  return s ? [...new Set(objectOptions(s).flatMap((o) => Object.keys(o.shape)))] : [];
}

function isTypeMismatch(branch: Issue[]): boolean {
  return branch.some((i) => i.code === 'invalid_type' && i.path.length === 0);
}

/** How far the given keys are from a branch's keys: a tie-breaker between union branches. */
function keyDistance(schema: Schema | undefined, value: unknown, branch: number): number {
  const option = schema ? objectOptions(schema)[branch] : undefined;
  if (!option || !isRecord(value)) return 0;
  const keys = Object.keys(option.shape);
  return Object.keys(value).reduce((sum, k) => sum + Math.min(...keys.map((c) => editDistance(k, c))), 0);
}

function unionProblems(
  ctx: IssueContext,
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: PathSegment[],
): Problem[] {
  const value = valueAt(ctx.data, path);
  const schema = schemaAt(ctx.schema, path);
  const candidates = issue.errors
    .map((branch, index) => ({ branch, index }))
    .filter((b) => !isTypeMismatch(b.branch));
  if (candidates.length === 0) {
    const expected = [
      ...new Set(issue.errors.map((b) => b.find((i) => i.path.length === 0)?.message ?? 'something else')),
    ];
    return [
      {
        location: ctx.locate(path, false),
        path: pathText(path),
        // "expected a string or a mapping (key: value)": one "expected", the alternatives after it
        message: `expected ${expected.map((e) => e.replace(/^expected /, '')).join(' or ')}, got ${describeValue(value)}`,
      },
    ];
  }
  const objectIndex = (index: number) => {
    // branch indexes count all options; keyDistance wants the index among object options
    const options = schema
      ? unwrap(schema) instanceof z.ZodUnion
        ? ((unwrap(schema) as z.ZodUnion).options as Schema[])
        : []
      : [];
    return options.slice(0, index).filter((o) => objectOptions(o).length > 0).length;
  };
  candidates.sort(
    (a, b) =>
      a.branch.length - b.branch.length ||
      keyDistance(schema, value, objectIndex(a.index)) - keyDistance(schema, value, objectIndex(b.index)),
  );
  const chosen = candidates[0]?.branch ?? [];
  return chosen.flatMap((i) => issueProblems(ctx, { ...i, path: [...path, ...i.path] } as Issue));
}

/** One zod issue -> one or more problems (an unknown-keys issue names each key on its own). */
export function issueProblems(ctx: IssueContext, issue: Issue): Problem[] {
  const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  const at = pathText(path);
  switch (issue.code) {
    case 'invalid_union':
      return unionProblems(ctx, issue, path);
    case 'unrecognized_keys': {
      const allowed = allowedKeys(ctx.schema, path);
      return issue.keys.map((key) => ({
        location: ctx.locate([...path, key], true),
        path: pathText([...path, key]),
        message: `unknown field "${key}"`,
        hint: suggestion(key, allowed, 'allowed fields'),
      }));
    }
    case 'invalid_key': {
      const key = path[path.length - 1];
      const inner = issue.issues[0]?.message ?? 'invalid key';
      return [
        { location: ctx.locate(path, true), path: at, message: `invalid name "${String(key)}": ${inner}` },
      ];
    }
    default: {
      const value = valueAt(ctx.data, path);
      if (value === undefined && issue.code === 'invalid_type') {
        const parent = path.slice(0, -1);
        const field = String(path[path.length - 1]);
        return [
          {
            location: ctx.locate(parent, false),
            path: at,
            message: `missing required field "${field}"`,
            hint: `add ${field}: (${issue.message})`,
          },
        ];
      }
      const problem: Problem = {
        location: ctx.locate(path, false),
        path: at,
        message: `${issue.message}, got ${describeValue(value)}`,
      };
      if (issue.code === 'invalid_value' && typeof value === 'string') {
        problem.hint = suggestion(value, issue.values.map(String), 'allowed values');
      }
      return [problem];
    }
  }
}
