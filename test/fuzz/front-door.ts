/**
 * One fuzz case through the CLI's own entry point (`main`, as `bin/slipway` calls it): `slipway
 * validate`, `slipway render` of each environment the spec declares, and `slipway check` of the
 * same text as a manifest file (the checker's YAML reader). A case fails when a command exits with
 * a code it does not document (70 is a bug) or reports an error without file:line:col.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface CaseOutcome {
  /** What went wrong, one line each; empty when the case passed. */
  failures: string[];
  /** Commands run and their exit codes, `validate=2 render:dev=0`. */
  codes: string;
}

const ALLOWED: Record<string, readonly number[]> = { validate: [0, 2], render: [0, 2], check: [0, 1, 2] };

interface Located {
  file?: unknown;
  line?: unknown;
  column?: unknown;
  message?: unknown;
}

/** Problems of a `--output json` error, each of which must carry a position. */
function unlocated(stdout: string): string[] {
  let error: (Located & { problems?: Located[] }) | undefined;
  try {
    error = (JSON.parse(stdout) as { error?: Located & { problems?: Located[] } }).error;
  } catch {
    return [`exit 2 without a JSON error on stdout: ${stdout.slice(0, 200)}`];
  }
  if (!error) return ['exit 2 without an error object'];
  const problems = error.problems ?? [error];
  const positioned = (p: Located) =>
    typeof p.file === 'string' &&
    typeof p.line === 'number' &&
    p.line >= 1 &&
    typeof p.column === 'number' &&
    p.column >= 1;
  return problems
    .filter((p) => !positioned(p))
    .map((p) => `error without file:line:col: ${String(p.message)}`);
}

/** Runs cases in `dir` (a folder the caller owns and removes). */
export class FrontDoor {
  constructor(private readonly dir: string) {}

  async run(text: string): Promise<CaseOutcome> {
    const spec = join(this.dir, 'slipway.yaml');
    const manifests = join(this.dir, 'manifests.yaml');
    writeFileSync(spec, text);
    writeFileSync(manifests, text);
    const failures: string[] = [];
    const codes: string[] = [];
    const cli = async (name: string, args: string[]) => {
      const io = memoryIo({ cwd: this.dir });
      const code = await main(['node', 'slipway', ...args, '-o', 'json'], io.io);
      codes.push(`${name}=${code}`);
      const command = name.split(':')[0]!;
      if (!ALLOWED[command]!.includes(code))
        failures.push(`${name} exited ${code}: ${io.stderr().slice(0, 2000)}`);
      else if (code === 2) failures.push(...unlocated(io.stdout()).map((f) => `${name}: ${f}`));
      return { code, stdout: io.stdout() };
    };
    const validate = await cli('validate', ['validate', '-f', spec]);
    if (validate.code === 0) {
      const { environments } = JSON.parse(validate.stdout) as { environments: string[] };
      for (const env of environments) await cli(`render:${env}`, ['render', '-f', spec, '--env', env]);
    }
    await cli('check', ['check', manifests]);
    return { failures, codes: codes.join(' ') };
  }
}
