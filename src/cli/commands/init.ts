/**
 * `slipway init`: write a commented slipway.yaml, from a few questions on a terminal, from flags,
 * or from a docker-compose.yml (`--from-compose`). Never overwrites without --force.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { UserError, UserErrors } from '../../errors.js';
import { importCompose, type ComposeNote } from '../../spec/compose-import.js';
import { dnsName } from '../../spec/compose-fields.js';
import { composeSpecText, initSpecText, type InitAnswers } from '../../spec/init-template.js';
import { parseSpec } from '../../spec/index.js';
import { isImageReference } from '../../spec/semantic-service.js';
import { outputOption, parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import type { Io } from '../io.js';

interface InitFlags {
  file: string;
  name?: string;
  image?: string;
  port?: string;
  yes?: boolean;
  force?: boolean;
  fromCompose?: string;
  output?: string;
}

const DEFAULT_PORT = 8080;

function parsePort(value: string): number | undefined {
  if (value === 'none' || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UserError(`--port: expected a number from 1 to 65535 or "none", got "${value}"`, {
      code: 'init.port',
    });
  return n;
}

function parseImage(value: string): string {
  if (!isImageReference(value))
    throw new UserError(`"${value}" is not an image reference`, {
      code: 'init.image',
      path: '--image',
      hint: 'registry/owner/name, lower-case, no spaces, e.g. ghcr.io/acme/api',
    });
  return value;
}

function defaults(ctx: CommandContext, flags: InitFlags): InitAnswers {
  const name = dnsName(flags.name ?? basename(ctx.io.cwd));
  return {
    name,
    image: flags.image !== undefined ? parseImage(flags.image) : `ghcr.io/${name}/${name}`,
    port: flags.port !== undefined ? parsePort(flags.port) : DEFAULT_PORT,
  };
}

/**
 * Ask what the flags did not say; Enter keeps the default shown in brackets. Lines are read through
 * readline's async iterator, which buffers them, so answers typed (or piped) ahead are not lost.
 */
async function ask(io: Io, start: InitAnswers, flags: InitFlags): Promise<InitAnswers> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  try {
    const question = async (text: string, fallback: string) => {
      io.out(`${text} [${fallback}]: `);
      const next = await lines.next();
      return (next.done ? '' : String(next.value)).trim() || fallback;
    };
    const name = flags.name ?? dnsName(await question('App name', start.name));
    let image = flags.image;
    while (image === undefined) {
      const answer = await question(
        'Image (repository, no tag)',
        start.image === `ghcr.io/${start.name}/${start.name}` ? `ghcr.io/${name}/${name}` : start.image,
      );
      if (isImageReference(answer)) image = answer;
      else io.out(`  "${answer}" is not an image reference (registry/owner/name, lower-case, no spaces)\n`);
    }
    let port = start.port;
    if (flags.port === undefined) {
      // A wrong answer is asked again rather than ending the session with an error about a flag.
      for (;;) {
        const answer = await question('Port (or "none" for a worker)', String(start.port ?? 'none'));
        try {
          port = parsePort(answer);
          break;
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          io.out(`  expected a number from 1 to 65535 or "none", got "${answer}"\n`);
        }
      }
    }
    return { name, image, port };
  } finally {
    rl.close();
  }
}

function refuseOverwrite(path: string, shown: string, force: boolean | undefined): void {
  if (!existsSync(dirname(path))) {
    throw new UserError(`${shown}: the directory ${dirname(shown)} does not exist`, {
      code: 'init.no-directory',
      path: '--file',
      hint: `create it first (mkdir -p ${dirname(shown)}), or pass -f with a path in an existing directory`,
    });
  }
  if (existsSync(path) && !force) {
    throw new UserError(`${shown} already exists`, {
      code: 'init.exists',
      hint: 'pass --force to overwrite it, or -f to write another file',
    });
  }
}

function printNotes(io: Io, title: string, notes: ComposeNote[]): void {
  if (notes.length === 0) return;
  io.err(`${title}\n`);
  for (const n of notes) io.err(`  ${n.where ? `${n.where} ` : ''}${n.path}: ${n.message}\n`);
}

async function fromCompose(ctx: CommandContext, flags: InitFlags, target: string): Promise<void> {
  const composePath = resolve(ctx.io.cwd, flags.fromCompose ?? '');
  let text: string;
  try {
    text = readFileSync(composePath, 'utf8');
  } catch {
    throw new UserError(`${flags.fromCompose}: no such file`, {
      code: 'init.compose-missing',
      hint: 'pass the path of a docker-compose.yml',
    });
  }
  const reader = {
    read: (p: string) =>
      existsSync(resolve(dirname(composePath), p))
        ? readFileSync(resolve(dirname(composePath), p), 'utf8')
        : undefined,
  };
  const result = importCompose(text, flags.fromCompose ?? composePath, reader, {
    name: flags.name,
    fallbackName: basename(dirname(composePath)),
  });
  const specText = composeSpecText(result, flags.fromCompose ?? composePath);
  writeFileSync(target, specText);
  let problems: string | undefined;
  try {
    parseSpec(specText, flags.file);
  } catch (error) {
    if (!(error instanceof UserErrors)) throw error;
    problems = error.format();
  }
  if (parseOutput(flags.output) === 'json') {
    ctx.io.out(
      JSON.stringify({
        file: flags.file,
        services: Object.keys(result.spec.services),
        dependencies: Object.keys(result.spec.dependencies ?? {}),
        notes: result.notes,
        unmapped: result.unmapped,
        valid: !problems,
      }) + '\n',
    );
  } else {
    const deps = Object.keys(result.spec.dependencies ?? {});
    const count = Object.keys(result.spec.services).length;
    ctx.io.out(
      `wrote ${flags.file}: ${count} service${count === 1 ? '' : 's'} (${Object.keys(result.spec.services).join(', ')})${deps.length ? `, dependencies ${deps.join(', ')}` : ''}\n`,
    );
    printNotes(ctx.io, 'review:', result.notes);
    printNotes(ctx.io, 'not mapped:', result.unmapped);
  }
  if (problems) {
    ctx.io.err(`${flags.file} needs edits before it validates:\n${problems}\n`);
    ctx.exit(2);
  }
}

export async function runInit(ctx: CommandContext, flags: InitFlags): Promise<void> {
  const target = resolve(ctx.io.cwd, flags.file);
  refuseOverwrite(target, flags.file, flags.force);
  if (flags.fromCompose !== undefined) return fromCompose(ctx, flags, target);
  let answers = defaults(ctx, flags);
  const complete = flags.name !== undefined && flags.image !== undefined && flags.port !== undefined;
  if (ctx.io.isTTY && !flags.yes && !complete) answers = await ask(ctx.io, answers, flags);
  const text = initSpecText(answers);
  parseSpec(text, flags.file); // what init writes always validates
  writeFileSync(target, text);
  if (parseOutput(flags.output) === 'json')
    ctx.io.out(JSON.stringify({ file: flags.file, ...answers }) + '\n');
  else
    ctx.io.out(
      `wrote ${flags.file} (app ${answers.name}, image ${answers.image}${answers.port ? `, port ${answers.port}` : ', no port'}); next: slipway validate\n`,
    );
}

export const registerInit: RegisterCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('init')
    .summary('write a commented slipway.yaml')
    .description(
      'write a commented slipway.yaml (asks on a terminal; or --name/--image/--port; or --from-compose)',
    )
    .option('-f, --file <file>', 'where to write', 'slipway.yaml')
    .option('--name <name>', 'app name (default: the directory name)')
    .option('--image <image>', 'image repository of the first service')
    .option('--port <port>', `its port, or "none" for a worker (default ${DEFAULT_PORT})`)
    .option('-y, --yes', 'accept the defaults without asking')
    .option('--force', 'overwrite an existing file')
    .option('--from-compose <file>', 'import a docker-compose.yml, listing what could not be mapped')
    .addOption(outputOption())
    .action(async (flags: InitFlags) => runInit(ctx, flags));
};
