/**
 * The sandbox's one error type: a problem its user can act on (a bad config file, a port in use, a
 * data directory that cannot be read). It carries a code, the field it is about, what to do and the
 * exit code a command-line front end should end with; anything else thrown is a bug. Slipway's CLI
 * turns it into its own UserError unchanged.
 */
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export interface SandboxErrorInit {
  code: string;
  /** Dotted path of the field the error is about (`images.0.match`). */
  path?: string;
  hint?: string;
  exitCode?: number;
}

export class SandboxError extends Error {
  readonly code: string;
  readonly path?: string;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(message: string, init: SandboxErrorInit) {
    super(message);
    this.name = 'SandboxError';
    this.code = init.code;
    this.path = init.path;
    this.hint = init.hint;
    this.exitCode = init.exitCode ?? EXIT_BAD_INPUT;
  }

  /** `path: message` followed by the hint on its own line. */
  format(): string {
    const head = this.path ? `${this.path}: ${this.message}` : this.message;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }

  /** The fields a detached daemon hands back to the command that started it. */
  toInit(): SandboxErrorInit & { message: string } {
    return {
      message: this.message,
      code: this.code,
      path: this.path,
      hint: this.hint,
      exitCode: this.exitCode,
    };
  }
}
