/**
 * Errors a user can act on. They carry a code, where the problem is and what to do;
 * the CLI prints them without a stack trace and exits with `exitCode`.
 * Anything that is not a UserError is a bug and is printed with its stack.
 */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface UserErrorInit {
  code: string;
  location?: SourceLocation;
  /** Dotted path of the field or object the error is about (`services.api.port`). */
  path?: string;
  hint?: string;
  exitCode?: number;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_NEEDS_ATTENTION = 3;

export class UserError extends Error {
  readonly code: string;
  readonly location?: SourceLocation;
  readonly path?: string;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(message: string, init: UserErrorInit) {
    super(message);
    this.name = 'UserError';
    this.code = init.code;
    this.location = init.location;
    this.path = init.path;
    this.hint = init.hint;
    this.exitCode = init.exitCode ?? EXIT_BAD_INPUT;
  }

  /** `file:line:col path: message` followed by the hint on its own line. */
  format(): string {
    return formatProblem(this);
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, ...problemJson(this) };
  }
}

export interface Problem {
  message: string;
  location?: SourceLocation;
  path?: string;
  hint?: string;
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** A problem as `--output json` reports it: the location spread into file, line and column. */
export function problemJson(p: Problem): Record<string, unknown> {
  return {
    message: p.message,
    file: p.location?.file,
    line: p.location?.line,
    column: p.location?.column,
    path: p.path,
    hint: p.hint,
  };
}

export function formatProblem(p: Problem): string {
  const where = [p.location ? formatLocation(p.location) : undefined, p.path].filter(Boolean).join(' ');
  const head = where ? `${where}: ${p.message}` : p.message;
  return p.hint ? `${head}\n  hint: ${p.hint}` : head;
}

/** Several problems found in one pass (a spec with three mistakes reports all three). */
export class UserErrors extends UserError {
  readonly problems: Problem[];

  constructor(problems: Problem[], code: string, exitCode = EXIT_BAD_INPUT) {
    const first = problems[0];
    super(first ? first.message : 'invalid input', {
      code,
      location: first?.location,
      path: first?.path,
      hint: first?.hint,
      exitCode,
    });
    this.problems = problems;
  }

  override format(): string {
    return this.problems.map(formatProblem).join('\n');
  }

  override toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      problems: this.problems.map(problemJson),
    };
  }
}
