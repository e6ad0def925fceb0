/**
 * `slipway secrets init|set|get|list|rm|edit|recipients add|rm --env ENV [-f slipway.yaml]`: the
 * environment's encrypted values in `secrets/ENV.yaml` beside the spec, in the SOPS format with age
 * recipients (src/secrets). Values come in on stdin or a hidden prompt, never as an argument.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseDocument, stringify, isMap, isScalar } from '#yaml';
import { UserError } from '../../errors.js';
import { checkRecipient } from '../../secrets/age.js';
import {
  ageIdentities,
  readSecretsText,
  sealOptions,
  writeAtomically,
  type SecretsLocation,
} from '../../secrets/local.js';
import {
  checkSecretName,
  describeSecrets,
  initSecrets,
  openSecrets,
  sealSecrets,
  withoutRecipient,
  type OpenSecrets,
} from '../../secrets/secrets-file.js';
import {
  outputOption,
  parseOutput,
  structured,
  type CommandContext,
  type RegisterCommand,
} from '../command.js';
import type { Io } from '../io.js';
import { locate } from '../secrets-location.js';
import { readHidden } from './secrets-prompt.js';
import { registerRotate } from './secrets-rotate.js';

interface SecretsFlags {
  file: string;
  env: string;
  output?: string;
}

function withTarget(cmd: Command): Command {
  return cmd
    .requiredOption('-e, --env <name>', 'the environment whose secrets file to use')
    .option('-f, --file <path>', 'the spec; its folder holds secrets/ENV.yaml', 'slipway.yaml');
}

async function open(where: SecretsLocation, io: Io): Promise<OpenSecrets> {
  const text = await readSecretsText(where);
  return openSecrets(
    text,
    { file: where.display, environment: where.environment },
    await ageIdentities(io.env, io.cwd),
  );
}

async function save(where: SecretsLocation, secrets: OpenSecrets): Promise<void> {
  await writeAtomically(where.path, await sealSecrets(secrets, sealOptions()));
}

/** A value from stdin (one trailing newline dropped) or, on a terminal, a prompt that does not echo. */
async function readValue(io: Io, name: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  if (stdin.isTTY) return readHidden(stdin, (t) => io.err(t), `value for ${name}: `);
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  const value = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (value === '') {
    throw new UserError(`no value for ${name} on stdin`, {
      code: 'secrets-empty-value',
      hint: `printf %s "$VALUE" | slipway secrets set ${name} --env ENV`,
    });
  }
  return value;
}

export const registerSecrets: RegisterCommand = (program: Command, ctx: CommandContext) => {
  const secrets = program
    .command('secrets')
    .summary('encrypted secret values per environment')
    .description(
      "keep each environment's secret values encrypted in secrets/ENV.yaml beside the spec (the SOPS format with age recipients, readable by sops); the key comes from SLIPWAY_AGE_KEY or SLIPWAY_AGE_KEY_FILE",
    );

  withTarget(secrets.command('init').description('create secrets/ENV.yaml for these recipients'))
    .option('-r, --recipient <age1…>', 'an age public key that can open the file (repeatable)', collect, [])
    .action(async (flags: SecretsFlags & { recipient: string[] }) => {
      const where = await locate(flags, ctx.io);
      if (flags.recipient.length === 0) {
        throw new UserError('init needs at least one --recipient', {
          code: 'secrets-recipient',
          hint: 'age-keygen -y KEYFILE prints the public key of a key file',
        });
      }
      const recipients = [...new Set(flags.recipient.map(checkRecipient))];
      if (await exists(where.path)) {
        throw new UserError(`${where.display} already exists`, {
          code: 'secrets-exists',
          hint: 'change its recipients with slipway secrets recipients add|rm',
        });
      }
      await mkdir(join(where.path, '..'), { recursive: true });
      await writeAtomically(where.path, await initSecrets(recipients, sealOptions()));
      ctx.io.out(`created ${where.display} for ${recipients.length} recipient(s)\n`);
    });

  withTarget(
    secrets.command('set').argument('<name>').description('set a value, read from stdin or a hidden prompt'),
  ).action(async (name: string, flags: SecretsFlags) => {
    checkSecretName(name);
    const where = await locate(flags, ctx.io);
    const opened = await open(where, ctx.io);
    opened.values.set(name, await readValue(ctx.io, name));
    await save(where, opened);
    ctx.io.out(`set ${name} in ${where.display}\n`);
  });

  withTarget(secrets.command('get').argument('<name>').description('print one value')).action(
    async (name: string, flags: SecretsFlags) => {
      const where = await locate(flags, ctx.io);
      const value = (await open(where, ctx.io)).values.get(name);
      if (value === undefined) throw notFound(name, where);
      ctx.io.out(`${value}\n`);
    },
  );

  withTarget(
    secrets.command('list').description('the names and recipients (no key needed: names are not encrypted)'),
  )
    .addOption(outputOption(['text', 'json']))
    .action(async (flags: SecretsFlags) => {
      const where = await locate(flags, ctx.io);
      const { names, recipients } = describeSecrets(await readSecretsText(where), where.display);
      if (parseOutput(flags.output) === 'json') {
        ctx.io.out(structured('json', { environment: flags.env, file: where.display, names, recipients }));
      } else {
        ctx.io.out(names.map((n) => `${n}\n`).join(''));
      }
    });

  withTarget(secrets.command('rm').argument('<name>').description('remove a value')).action(
    async (name: string, flags: SecretsFlags) => {
      const where = await locate(flags, ctx.io);
      const opened = await open(where, ctx.io);
      if (!opened.values.delete(name)) throw notFound(name, where);
      await save(where, opened);
      ctx.io.out(`removed ${name} from ${where.display}\n`);
    },
  );

  withTarget(
    secrets
      .command('edit')
      .description('edit all values in $EDITOR (a private temporary file, removed afterwards)'),
  ).action(async (flags: SecretsFlags) => {
    const where = await locate(flags, ctx.io);
    const opened = await open(where, ctx.io);
    const edited = await editInEditor(ctx.io, Object.fromEntries(opened.values));
    if (edited === undefined) {
      ctx.io.out(`${where.display}: no change\n`);
      return;
    }
    opened.values = edited;
    await save(where, opened);
    ctx.io.out(`saved ${where.display} (${edited.size} value(s))\n`);
  });

  registerRotate(secrets, ctx);

  const recipients = secrets.command('recipients').description('who can open the file');
  withTarget(
    recipients.command('add').argument('<key>', 'an age public key (age1…)').description('add a recipient'),
  ).action(async (key: string, flags: SecretsFlags) => {
    const recipient = checkRecipient(key);
    const where = await locate(flags, ctx.io);
    const opened = await open(where, ctx.io);
    if (opened.recipients.includes(recipient)) {
      ctx.io.out(`${recipient} is already a recipient\n`);
      return;
    }
    opened.recipients.push(recipient);
    await save(where, opened);
    ctx.io.out(`added ${recipient} to ${where.display}\n`);
  });
  withTarget(
    recipients
      .command('rm')
      .argument('<key>', 'an age public key (age1…)')
      .description(
        'remove a recipient; the data key is replaced, so the removed key cannot open new versions',
      ),
  ).action(async (key: string, flags: SecretsFlags) => {
    const where = await locate(flags, ctx.io);
    const opened = await open(where, ctx.io);
    await save(where, withoutRecipient(opened, key.trim(), sealOptions().random));
    ctx.io.out(
      `removed ${key.trim()} from ${where.display}; it could read earlier versions, so change the values it saw\n`,
    );
  });
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function notFound(name: string, where: SecretsLocation): UserError {
  return new UserError(`environment ${where.environment}: no secret ${name} in ${where.display}`, {
    code: 'secrets-not-found',
    hint: `slipway secrets list --env ${where.environment}`,
  });
}

/**
 * The values as plain YAML in a 0600 file in a 0700 folder, opened with $VISUAL/$EDITOR; the folder is
 * removed whatever happens. Undefined when the text came back unchanged.
 */
export async function editInEditor(
  io: Io,
  values: Record<string, string>,
): Promise<Map<string, string> | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-secrets-'));
  try {
    await chmod(dir, 0o700);
    const file = join(dir, 'secrets.yaml');
    const before = Object.keys(values).length === 0 ? '# NAME: value\n' : stringify(values, { lineWidth: 0 });
    await writeFile(file, before, { mode: 0o600 });
    const editor = io.env.VISUAL || io.env.EDITOR || 'vi';
    const code = await new Promise<number | null>((resolveCode, reject) => {
      // Through the shell, so EDITOR="code --wait" works as it does for git.
      const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'slipway-edit', file], { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', resolveCode);
    });
    if (code !== 0) {
      throw new UserError(`the editor (${editor}) exited with ${code ?? 'a signal'}; nothing was saved`, {
        code: 'secrets-editor',
      });
    }
    const after = await readFile(file, 'utf8');
    if (after === before) return undefined;
    return parseEdited(after);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parseEdited(text: string): Map<string, string> {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new UserError(`the edited text is not valid YAML (${doc.errors[0]!.message}); nothing was saved`, {
      code: 'secrets-edit',
    });
  }
  const values = new Map<string, string>();
  if (doc.contents === null) return values;
  if (!isMap(doc.contents)) {
    throw new UserError('the edited text must be NAME: value lines; nothing was saved', {
      code: 'secrets-edit',
    });
  }
  for (const pair of doc.contents.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    checkSecretName(name);
    if (!isScalar(pair.value) || pair.value.value === null || typeof pair.value.value === 'object') {
      throw new UserError(`${name}: needs a value; nothing was saved`, { code: 'secrets-edit' });
    }
    values.set(name, String(pair.value.value));
  }
  return values;
}
