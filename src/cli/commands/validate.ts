/**
 * `slipway validate`: parse slipway.yaml, resolve every environment (or one) and render each as
 * `slipway render` would, reporting every problem with file:line:col; a spec that validates is one
 * render and a deploy's planning accept (`--image-tag` as for render). `--print` shows one
 * environment's effective spec.
 */
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from '#yaml';
import { UserError, UserErrors, type Problem } from '../../errors.js';
import {
  environmentNames,
  parseSpec,
  resolveEnvironment,
  type App,
  type ResolvedApp,
} from '../../spec/index.js';
import { outputOption, parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import { DEFAULT_SPEC_FILE, readSpecText, STDIN_PATH } from '../load-spec.js';
import { configFiles, parseImages, renderEnvironment } from '../spec-render.js';

interface ValidateFlags {
  file: string;
  env?: string;
  print?: boolean;
  output?: string;
  imageTag?: string[];
}

/** Resolve each environment, collecting every environment's problems before failing. */
function resolveAll(
  app: App,
  envs: string[],
  file: string,
): { resolved: ResolvedApp[]; problems: Problem[] } {
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
  return { resolved, problems };
}

/**
 * Render every resolved environment as `slipway render` does; the problems of all of them, each
 * once (the same field refused in several environments names them all).
 */
function renderAll(
  app: App,
  resolved: ResolvedApp[],
  file: string,
  dir: string,
  imageTags: string[],
): Problem[] {
  const images = parseImages(imageTags, app);
  const { files, problems: missing } = configFiles(app, file, resolved, dir);
  const found = new Map<string, { problem: Problem; environments: string[] }>();
  for (const env of resolved) {
    try {
      renderEnvironment(app, env, file, { images, files });
    } catch (error) {
      if (!(error instanceof UserErrors)) throw error;
      for (const p of error.problems) {
        const key = JSON.stringify([p.location, p.path, p.message, p.hint]);
        const seen = found.get(key);
        if (seen) seen.environments.push(env.environment);
        else found.set(key, { problem: p, environments: [env.environment] });
      }
    }
  }
  const rendered = [...found.values()].map(({ problem, environments }) => ({
    ...problem,
    path: `${problem.path ?? ''} (${environments.length === 1 ? 'environment' : 'environments'} ${environments.join(', ')})`.trimStart(),
  }));
  return [...missing, ...rendered];
}

export async function runValidate(ctx: CommandContext, flags: ValidateFlags): Promise<void> {
  const json = parseOutput(flags.output) === 'json';
  // `-f -` reads stdin; problems then name it <stdin>, and config files are read from the working directory.
  const { text, name: file } = await readSpecText(flags.file, { cwd: ctx.io.cwd, stdin: ctx.io.stdin });
  const app = parseSpec(text, file);
  const dir = flags.file === STDIN_PATH ? ctx.io.cwd : dirname(resolve(ctx.io.cwd, flags.file));
  const declared = environmentNames(app);
  const envs = flags.env ? [flags.env] : declared;
  if (flags.print && envs.length !== 1) {
    throw new UserError(`--print shows one environment; this spec declares ${declared.join(', ')}`, {
      code: 'validate.print',
      hint: `add --env ${declared[0] ?? 'dev'}`,
    });
  }
  // Environments that resolve are rendered even when another does not: every problem at once.
  const { resolved, problems } = resolveAll(app, envs, file);
  problems.push(...renderAll(app, resolved, file, dir, flags.imageTag ?? []));
  if (problems.length) throw new UserErrors(problems, 'spec.invalid');
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
    .option('-f, --file <file>', 'the spec file (- reads stdin)', DEFAULT_SPEC_FILE)
    .option('-e, --env <env>', 'validate only this environment (default: every declared one)')
    .option('--print', 'print the effective spec of the environment (YAML, or JSON with --output json)')
    .option(
      '--image-tag <[service=]tag>',
      'as for render: SERVICE=TAG for one service, a bare TAG for every service (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .addOption(outputOption())
    .action(async (flags: ValidateFlags) => runValidate(ctx, flags));
};
