/**
 * slipway.yaml text -> a validated App, or UserErrors naming every problem with file:line:col.
 * The source (YAML nodes and ranges) is remembered per App so resolveEnvironment can point at
 * the overlay line a bad merged value came from.
 */
import { isScalar } from '#yaml';
import type { z } from '#zod';
import { UserErrors, type Problem, type SourceLocation } from '../errors.js';
import { errorMessage, issueProblems } from './issues.js';
import { AppSchema, type App } from './schema.js';
import { checkSpec, type SpecProblem } from './semantic.js';
import { locate, locationOf, parseSource, pathText, type PathSegment, type SpecSource } from './source.js';

const sources = new WeakMap<object, SpecSource>();

/** The parsed source an App came from, when it came from parseSpec. */
export function sourceOf(app: App): SpecSource | undefined {
  return sources.get(app);
}

export type Locator = (path: readonly PathSegment[], atKey: boolean) => SourceLocation;

export function sortProblems(problems: Problem[]): Problem[] {
  const key = (p: Problem) =>
    [p.location?.file ?? '', p.location?.line ?? 0, p.location?.column ?? 0] as const;
  const seen = new Set<string>();
  return [...problems]
    .sort((a, b) => {
      const [fa, la, ca] = key(a);
      const [fb, lb, cb] = key(b);
      return fa.localeCompare(fb) || la - lb || ca - cb;
    })
    .filter((p) => {
      const id = `${p.location?.line}:${p.location?.column}:${p.path}:${p.message}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

/** The parsed value when `data` fits `schema`, else its problems: one pass of zod either way. */
export function schemaCheck<T>(
  schema: z.ZodType<T>,
  data: unknown,
  locator: Locator,
): { problems: Problem[]; value?: T } {
  // jitless: zod would otherwise compile a parser for each object shape with `new Function` on its
  // first parse, which costs a one-shot CLI more than it saves (same result, same issues).
  const result = schema.safeParse(data, { error: errorMessage, jitless: true });
  if (result.success) return { problems: [], value: result.data };
  const problems = result.error.issues.flatMap((issue) =>
    issueProblems({ schema, data, locate: locator }, issue),
  );
  // A misspelt key also leaves its field missing; the "did you mean" already says it, once.
  const meant = new Set(
    problems.flatMap((p) =>
      p.hint?.startsWith('did you mean "')
        ? [[parentPath(p.path), p.hint.slice(14, -2)].filter(Boolean).join('.')]
        : [],
    ),
  );
  return {
    problems: problems.filter(
      (p) => !(p.message.startsWith('missing required field') && meant.has(p.path ?? '')),
    ),
  };
}

function parentPath(path: string | undefined): string {
  const text = path ?? '';
  const cut = text.lastIndexOf('.');
  return cut < 0 ? '' : text.slice(0, cut);
}

/** Where a semantic problem is; references point inside the string value. */
export function semanticLocation(
  source: SpecSource,
  locator: Locator,
  problem: SpecProblem,
  prefix: readonly PathSegment[] = [],
): SourceLocation {
  const base = locator(problem.path, problem.atKey ?? false);
  if (problem.offset === undefined) return base;
  const inPrefix = locate(source, [...prefix, ...problem.path]);
  const found = inPrefix.found ? inPrefix : locate(source, problem.path);
  const node = found.found ? found.node : undefined;
  if (
    !isScalar(node) ||
    !node.range ||
    typeof node.value !== 'string' ||
    node.type === 'BLOCK_LITERAL' ||
    node.type === 'BLOCK_FOLDED'
  )
    return base;
  const quote = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
  const { line, col } = source.lines.linePos(node.range[0] + quote + problem.offset);
  return { file: source.file, line, column: col };
}

export function semanticProblems(
  source: SpecSource,
  locator: Locator,
  found: SpecProblem[],
  prefix: readonly PathSegment[] = [],
): Problem[] {
  return found.map((p) => ({
    location: semanticLocation(source, locator, p, prefix),
    path: pathText(p.path),
    message: p.message,
    hint: p.hint,
  }));
}

/** Top-level `x-` keys hold YAML anchors for reuse (as in Compose files); they are not part of the spec. */
export const EXTENSION_PREFIX = 'x-';

function withoutExtensions(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !key.startsWith(EXTENSION_PREFIX)));
}

export function parseSpec(text: string, file: string): App {
  const { source, problems: yamlProblems } = parseSource(text, file);
  if (yamlProblems.length) throw new UserErrors(sortProblems(yamlProblems), 'spec.yaml');
  const data = source.data;
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    throw new UserErrors(
      [
        {
          location: locationOf(source, [], false),
          message: data == null ? 'the file is empty' : 'expected a mapping at the top level',
          hint: 'start with app: <name> and services:; `slipway init` writes one',
        },
      ],
      'spec.invalid',
    );
  }
  const locator: Locator = (path, atKey) => locationOf(source, path, atKey);
  const body = withoutExtensions(data as Record<string, unknown>);
  // One zod pass: its output is the App (a 300,000-key env spent a quarter of validate in zod, twice).
  const { problems, value: app } = schemaCheck(AppSchema, body, locator);
  if (problems.length === 0) {
    problems.push(...semanticProblems(source, locator, checkSpec(body as App)));
  }
  if (problems.length || !app) throw new UserErrors(sortProblems(problems), 'spec.invalid');
  sources.set(app, source);
  return app;
}
