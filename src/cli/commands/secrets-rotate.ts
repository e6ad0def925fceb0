/**
 * `slipway secrets rotate --env ENV [NAME...] [--rekey] [--no-deploy]`: new values for names of the
 * secrets file (random, or the one NAME's value from stdin) and new passwords for dependencies
 * whose credentials Slipway generates (a NAME that is a dependency: `db`), then a deploy of what
 * serves with exactly the readers rolled (src/rotation/rotate.ts). `--no-deploy` only writes the file:
 * the next `slipway deploy` (CI, after the commit) rolls the same workloads.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { managedCredentials } from '../../engine/credentials.js';
import { planRotation, rotate, type RotatedFile } from '../../rotation/rotate.js';
import { UserError } from '../../errors.js';
import { ageIdentities, readSecretsText, sealOptions, writeAtomically } from '../../secrets/local.js';
import { rotateFile } from '../../secrets/rotation.js';
import { openSecrets, sealSecrets } from '../../secrets/secrets-file.js';
import { parseOutput, type CommandContext } from '../command.js';
import {
  lockingContext,
  loadEnvironment,
  parseTimeout,
  parseWaitForLock,
  targetOptions,
  type TargetFlags,
} from '../engine-context.js';
import type { Io } from '../io.js';
import { summary } from '../progress/json.js';
import { locate } from '../secrets-location.js';
import { describeResult } from '../progress/result.js';

interface RotateFlags extends TargetFlags {
  deploy: boolean;
  rekey?: boolean;
  timeout?: string;
  waitForLock?: string;
}

export function registerRotate(secrets: Command, ctx: CommandContext): void {
  targetOptions(
    secrets
      .command('rotate')
      .argument('[names...]', 'names in the secrets file, or dependencies whose generated password to change')
      .description(
        'give secrets new values (random, or one NAME from stdin) and dependencies new passwords (the old one stays valid until the readers rolled), then deploy: one rollout per workload that reads them, recorded in the history',
      ),
  )
    .option('--rekey', "a new data key for the file's current recipients (after recipients rm)")
    .option('--no-deploy', 'only write the file; the next slipway deploy rolls the readers')
    .option('--timeout <duration>', 'give up on the rollout after this long (default deploy.timeout or 15m)')
    .option('--wait-for-lock <duration>', 'wait this long for a running deploy instead of failing at once')
    .action(async (names: string[], flags: RotateFlags) => {
      ctx.exit(await runRotate(names, flags, ctx));
    });
}

async function runRotate(names: string[], flags: RotateFlags, ctx: CommandContext): Promise<number> {
  const json = parseOutput(flags.output) === 'json';
  const timeoutMs = parseTimeout(flags.timeout);
  const waitForLockMs = parseWaitForLock(flags.waitForLock);
  // Like the other secrets commands, -f is relative to the working directory the Io names.
  const { app } = await loadEnvironment(
    { ...flags, file: resolve(ctx.io.cwd, flags.file) },
    'secrets rotate',
  );
  const unique = [...new Set(names)];
  const dependencies = unique.filter((n) => n in app.dependencies);
  const fileNames = unique.filter((n) => !(n in app.dependencies));
  if (unique.length === 0 && !flags.rekey)
    throw new UserError('name what to rotate', {
      code: 'secrets-rotate-names',
      hint: `slipway secrets rotate --env ${flags.env} NAME... (names from slipway secrets list, or a dependency: ${managedCredentials(app).join(', ') || 'none'}); --rekey alone re-encrypts the file`,
    });
  if (dependencies.length && !flags.deploy)
    throw new UserError(`${dependencies.join(', ')}: a dependency's password lives in the cluster`, {
      code: 'secrets-rotate-no-deploy',
      path: '--no-deploy',
      hint: 'rotating it means changing the database and rolling its readers: drop --no-deploy',
    });

  let file: (RotatedFile & { write: () => Promise<void> }) | undefined;
  if (fileNames.length || flags.rekey) {
    const where = await locate(flags, ctx.io);
    const opened = await openSecrets(
      await readSecretsText(where),
      { file: where.display, environment: where.environment },
      await ageIdentities(ctx.io.env, ctx.io.cwd),
    );
    const given = fileNames.length === 1 && dependencies.length === 0 ? await stdinValue(ctx.io) : undefined;
    const seal = sealOptions();
    const rotated = rotateFile(
      opened,
      { names: fileNames, given, rekey: flags.rekey },
      { environment: flags.env, file: where.display },
      seal.random,
    );
    const text = await sealSecrets(rotated, seal);
    file = {
      names: fileNames,
      values: rotated.values,
      dataKey: rotated.dataKey,
      file: where.display,
      rekey: flags.rekey,
      write: () => writeAtomically(where.path, text),
    };
  }

  if (!flags.deploy) {
    await file!.write();
    if (json) {
      ctx.io.out(
        `${JSON.stringify({ environment: flags.env, file: file!.file, rotated: fileNames, rekey: !!flags.rekey, deployed: false })}\n`,
      );
      return 0;
    }
    const what = [
      fileNames.length ? `rotated ${fileNames.join(', ')}` : '',
      flags.rekey ? 're-encrypted' : '',
    ]
      .filter(Boolean)
      .join(' and ');
    ctx.io.out(
      `${what} in ${file!.file}; not deployed: commit it, and the next slipway deploy --env ${flags.env} rolls the workloads that read ${fileNames.length ? 'them' : 'secrets (their checksum is keyed by the data key)'}\n`,
    );
    return 0;
  }

  const engine = lockingContext(flags, ctx.io, app.namespace, ctx.argv, json);
  const req = {
    app: app.app,
    environment: app.environment,
    namespace: app.namespace,
    dependencies,
    timeoutMs,
    waitForLockMs,
    ...(file ? { file } : {}),
  };
  // Decided before the file is written: nothing serving, or a dependency that cannot rotate, changes nothing.
  const plan = await planRotation(engine, req);
  await file?.write();
  const result = await rotate(engine, req, plan);
  const rotated = [...plan.record.secrets, ...plan.record.dependencies];
  if (json) {
    ctx.io.out(
      `${JSON.stringify(summary(result, { rotated, rolled: plan.record.rolled, expired: result.expired, rekey: !!flags.rekey }))}\n`,
    );
  } else {
    ctx.io.out(describeResult(result));
    ctx.io.out(
      `rotated ${rotated.join(', ') || '(re-encrypted only)'}; rolled ${plan.record.rolled.join(', ') || 'nothing (no workload reads them)'}${result.expired.length ? `; old password of ${result.expired.join(', ')} expired` : ''}\n`,
    );
  }
  return result.exitCode;
}

/** The value on stdin when it is not a terminal and not empty (one trailing newline dropped); otherwise undefined: random. */
async function stdinValue(io: Io): Promise<string | undefined> {
  const stdin = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  if (stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  const value = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  return value === '' ? undefined : value;
}
