/**
 * `slipway init`: write a commented slipway.yaml, from a few questions on a terminal, from flags,
 * or from a docker-compose.yml (`--from-compose`). Never overwrites without --force.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { UserError, UserErrors } from '../../errors.js';
import { importCompose, type ComposeImport, type ComposeNote } from '../../spec/compose-import.js';
import { registryFromRemote } from '../../spec/compose-build.js';
import { dnsName } from '../../spec/compose-fields.js';
import { composeSpecText, initSpecText, type InitAnswers } from '../../spec/init-template.js';
import { environmentNames, parseSpec, resolveEnvironment } from '../../spec/index.js';
import { isImageReference } from '../../spec/semantic-service.js';
import { outputOption, parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import type { Io } from '../io.js';
import { renderEnvironment } from '../spec-render.js';

interface InitFlags {
  file: string;
  name?: string;
  image?: string;
  port?: string;
  yes?: boolean;
  force?: boolean;
  fromCompose?: string;
  registry?: string;
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

/** A registry as `docker push` takes it: host[/path], lower-case, no tag. */
const REGISTRY = /^[a-z0-9]+([.-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

function parseRegistry(value: string, flag: string): string {
  const registry = value.trim().replace(/\/+$/, '');
  if (!REGISTRY.test(registry))
    throw new UserError(`"${value}" is not a registry`, {
      code: 'init.registry',
      path: flag,
      hint: 'a registry host and path, lower-case, e.g. ghcr.io/acme',
    });
  return registry;
}

/** The `origin` remote of the repository holding `dir`, when git and the remote exist. */
function gitRemote(dir: string): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, 'remote', 'get-url', 'origin'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** Asked only when a person can answer: stdout and stdin both a terminal. */
function interactive(io: Io): boolean {
  return io.isTTY && (io.stdin as { isTTY?: boolean }).isTTY === true;
}

async function askRegistry(io: Io, services: string[]): Promise<string> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  try {
    for (;;) {
      io.out(`Registry for the images Slipway builds (${services.join(', ')}), e.g. ghcr.io/acme: `);
      const next = await lines.next();
      if (next.done) throw missingRegistry(services);
      const answer = String(next.value).trim();
      if (REGISTRY.test(answer.replace(/\/+$/, ''))) return answer.replace(/\/+$/, '');
      io.out(`  "${answer}" is not a registry (host and path, lower-case)\n`);
    }
  } finally {
    rl.close();
  }
}

function missingRegistry(services: string[]): UserError {
  return new UserError(
    `${services.join(', ')} ${services.length === 1 ? 'is' : 'are'} built from source and Compose names no image: Slipway needs a registry to push ${services.length === 1 ? 'it' : 'them'} to`,
    {
      code: 'init.registry-missing',
      path: '--registry',
      hint: 'pass --registry ghcr.io/<owner> (or run it in a git repository whose origin is on GitHub or GitLab, or on a terminal to be asked)',
    },
  );
}

/** --registry, else the git remote, else a question on a terminal; else a clear error naming the flag. */
async function registryFor(
  ctx: CommandContext,
  flags: InitFlags,
  composeDir: string,
  services: string[],
): Promise<{ registry?: string; source?: string }> {
  if (flags.registry !== undefined)
    return { registry: parseRegistry(flags.registry, '--registry'), source: '--registry' };
  if (services.length === 0) return {};
  const remote = gitRemote(composeDir);
  const inferred = remote ? registryFromRemote(remote) : undefined;
  if (inferred) return { registry: inferred, source: `the git remote origin ${remote}` };
  if (interactive(ctx.io)) return { registry: await askRegistry(ctx.io, services), source: 'your answer' };
  throw missingRegistry(services);
}

/** Every environment of the written spec resolved and rendered, as `slipway validate` does. */
function renderProblems(specText: string, file: string): string | undefined {
  try {
    const app = parseSpec(specText, file);
    for (const env of environmentNames(app))
      renderEnvironment(app, resolveEnvironment(app, env, file), file, { images: {}, files: {} });
    return undefined;
  } catch (error) {
    if (!(error instanceof UserErrors) && !(error instanceof UserError)) throw error;
    return error.format();
  }
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
  const shown = flags.fromCompose ?? composePath;
  const options = { name: flags.name, fallbackName: basename(dirname(composePath)) };
  let result: ComposeImport = importCompose(text, shown, reader, options);
  // Asked (or inferred) before anything is written, and only when a service needs it.
  const { registry, source } = await registryFor(ctx, flags, dirname(composePath), result.buildOnly);
  if (registry) result = importCompose(text, shown, reader, { ...options, registry, registrySource: source });
  const specText = composeSpecText(result, shown);
  const problems = renderProblems(specText, flags.file);
  writeFileSync(target, specText);
  if (parseOutput(flags.output) === 'json') {
    ctx.io.out(
      JSON.stringify({
        file: flags.file,
        services: Object.keys(result.spec.services),
        dependencies: Object.keys(result.spec.dependencies ?? {}),
        ...(result.spec.registry ? { registry: result.spec.registry, registrySource: source } : {}),
        notes: result.notes,
        unmapped: result.unmapped,
        variables: result.variables,
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
    .option(
      '--registry <registry>',
      'with --from-compose: where images built from source are pushed (default: from the git remote, or asked)',
    )
    .addOption(outputOption())
    .action(async (flags: InitFlags) => runInit(ctx, flags));
};
