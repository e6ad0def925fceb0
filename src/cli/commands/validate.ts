/**
 * `slipway validate`: parse slipway.yaml and resolve every environment (or one), reporting every
 * problem with file:line:col; `--print` shows one environment's effective spec.
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { UserError, UserErrors, type Problem } from '../../errors.js';
import {
  environmentNames,
  loadSpec,
  resolveEnvironment,
  type App,
  type ResolvedApp,
} from '../../spec/index.js';
import { outputOption, parseOutput, type CommandContext, type RegisterCommand } from '../command.js';

export const DEFAULT_SPEC_FILE = 'slipway.yaml';

interface ValidateFlags {
  file: string;
  env?: string;
  print?: boolean;
  output?: string;
}

/** Resolve each environment, collecting every environment's problems before failing. */
function resolveAll(app: App, envs: string[], file: string): ResolvedApp[] {
  const problems: Problem[] = [];
  const resolved: ResolvedApp[] = [];
  for (const env of envs) {
    try {
      resolved.push(resolveEnvironment(app, env, file));
    } catch (error) {
      if (error instanceof UserErrors) problems.push(...error.problems);
      else if (error instanceof UserError)
        problems.push({
          message: error.message,
          location: error.location,
          path: error.path,
          hint: error.hint,
        });
      else throw error;
    }
  }
  if (problems.length) throw new UserErrors(problems, 'spec.invalid');
  return resolved;
}

export async function runValidate(ctx: CommandContext, flags: ValidateFlags): Promise<void> {
  const json = parseOutput(flags.output) === 'json';
  const file = flags.file;
  const app = await loadSpec(file, { cwd: ctx.io.cwd });
  const declared = environmentNames(app);
  const envs = flags.env ? [flags.env] : declared;
  if (flags.print && envs.length !== 1) {
    throw new UserError(`--print shows one environment; this spec declares ${declared.join(', ')}`, {
      code: 'validate.print',
      hint: `add --env ${declared[0] ?? 'dev'}`,
    });
  }
  const resolved = resolveAll(app, envs, file);
  const [only] = resolved;
  if (flags.print && only) {
    ctx.io.out(json ? JSON.stringify(only, null, 2) + '\n' : stringify(only, { lineWidth: 0 }));
    return;
  }
  if (json) ctx.io.out(JSON.stringify({ file, valid: true, app: app.app, environments: envs }) + '\n');
  else
    ctx.io.out(
      `${file}: valid (${envs.length === 1 ? 'environment' : 'environments'}: ${envs.join(', ')})\n`,
    );
}

export const registerValidate: RegisterCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('validate')
    .summary('check slipway.yaml and every environment')
    .description('check slipway.yaml and every environment overlay; print problems with file:line:col')
    .option('-f, --file <file>', 'the spec file', DEFAULT_SPEC_FILE)
    .option('-e, --env <env>', 'validate only this environment (default: every declared one)')
    .option('--print', 'print the effective spec of the environment (YAML, or JSON with --output json)')
    .addOption(outputOption())
    .action(async (flags: ValidateFlags) => runValidate(ctx, flags));
};
