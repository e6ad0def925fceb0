import {
  celEnv,
  isCelError,
  parse,
  plan,
  type CelEnv,
  type CelInput,
  type CelResult,
  type CelValue,
} from '@bufbuild/cel';
import type { Expr, ParsedExpr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { KUBERNETES_FUNCS } from './library.js';

/**
 * CEL as Kubernetes' admission policies evaluate it: the cel-spec standard library (@bufbuild/cel)
 * plus the Kubernetes libraries in library.ts. @bufbuild/cel has no type checker, so unknown functions
 * and variables are caught here by walking the parsed expression (Kubernetes' compiler rejects both
 * when the policy is created); everything else surfaces at evaluation.
 */
export interface CelProblem {
  message: string;
  /** 1-based position inside the expression text. */
  line: number;
  column: number;
}

export interface CelProgram {
  expression: string;
  evaluate(bindings: Record<string, CelInput>): CelOutcome;
}

export type CelOutcome = { ok: true; value: CelValue } | { ok: false; error: string };

let shared: CelEnv | undefined;
function environment(): CelEnv {
  shared ??= celEnv({ funcs: [...KUBERNETES_FUNCS] });
  return shared;
}

/** Type names are identifiers too (`type(x) == double`). */
const TYPE_NAMES = [
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
];

let knownFunctions: ReadonlySet<string> | undefined;
function functionNames(): ReadonlySet<string> {
  knownFunctions ??= new Set([...environment().funcs].map((f) => f.name));
  return knownFunctions;
}

/** Parses and checks `expression` against the variables it may use; a problem carries its position. */
export function compileCel(
  expression: string,
  variables: readonly string[],
): { program: CelProgram } | { problem: CelProblem } {
  let parsed: ParsedExpr & { expr: Expr };
  try {
    parsed = parse(expression);
  } catch (error) {
    const e = error as { message?: string; location?: { start?: { line: number; column: number } } };
    const start = e.location?.start ?? { line: 1, column: 1 };
    return {
      problem: {
        message: `syntax error: ${(e.message ?? String(error)).replace(/^<input>:\d+:\d+: /, '')}`,
        line: start.line,
        column: start.column,
      },
    };
  }
  const unknown = firstUnknown(parsed, new Set([...variables, ...TYPE_NAMES]));
  if (unknown) {
    const offset = parsed.sourceInfo?.positions[unknown.id.toString()] ?? 0;
    return { problem: { message: unknown.message, ...lineColumn(expression, offset) } };
  }
  const run = plan(environment(), parsed);
  return {
    program: {
      expression,
      evaluate(bindings) {
        let value: CelResult;
        try {
          value = run(bindings);
        } catch (error) {
          return { ok: false, error: error instanceof Error ? error.message : String(error) };
        }
        return isCelError(value) ? { ok: false, error: value.message } : { ok: true, value };
      },
    },
  };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = [...text].slice(0, offset).join('');
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** The first call of an unknown function or use of an undeclared variable, outside comprehension scopes. */
function firstUnknown(parsed: ParsedExpr & { expr: Expr }, roots: ReadonlySet<string>) {
  const known = functionNames();
  const visit = (
    e: Expr | undefined,
    scope: ReadonlySet<string>,
  ): { id: bigint; message: string } | undefined => {
    if (!e) return undefined;
    const k = e.exprKind;
    switch (k.case) {
      case 'identExpr':
        return scope.has(k.value.name) || roots.has(k.value.name)
          ? undefined
          : { id: e.id, message: `undeclared reference to '${k.value.name}'` };
      case 'selectExpr':
        return visit(k.value.operand, scope);
      case 'callExpr': {
        const fn = k.value.function;
        // Operators (`_&&_`, `@in`, `!_`, ...) and the standard library are all in the resolver.
        if (!known.has(fn) && !fn.startsWith('_') && !fn.startsWith('@') && !fn.startsWith('!'))
          return { id: e.id, message: `undeclared reference to function '${fn}'` };
        return visit(k.value.target, scope) ?? first(k.value.args, (a) => visit(a, scope));
      }
      case 'listExpr':
        return first(k.value.elements, (a) => visit(a, scope));
      case 'structExpr':
        return first(k.value.entries, (entry) =>
          entry.keyKind.case === 'mapKey'
            ? (visit(entry.keyKind.value, scope) ?? visit(entry.value, scope))
            : visit(entry.value, scope),
        );
      case 'comprehensionExpr': {
        const c = k.value;
        const inner = new Set([...scope, c.iterVar, c.iterVar2, c.accuVar].filter(Boolean));
        return (
          visit(c.iterRange, scope) ??
          visit(c.accuInit, scope) ??
          visit(c.loopCondition, inner) ??
          visit(c.loopStep, inner) ??
          visit(c.result, new Set([...scope, c.accuVar]))
        );
      }
      default:
        return undefined;
    }
  };
  return visit(parsed.expr, new Set());
}

function first<T, R>(items: readonly T[], f: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const r = f(item);
    if (r !== undefined) return r;
  }
  return undefined;
}
