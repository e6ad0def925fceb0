/**
 * `slipway deploy -f FILE --env ENV`: parses flags, builds the engine context and prints what the
 * engine reports: on a terminal a live step list with durations, otherwise a line per finished
 * step; `--output json`: one JSON event per line, then a summary object. The work itself is
 * `src/engine/deploy.ts`.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { deploy } from '../../engine/deploy.js';
import { applyOverrides } from '../../engine/overrides.js';
import { summary } from '../progress/json.js';
import { describeResult } from '../progress/result.js';
import type { ChangeRecord } from '../../engine/releases/release.js';
import { UserError } from '../../errors.js';
import { parseChanges, parseCommit } from '../../metrics/changes.js';
import { openDeploySecrets, withCredentialVersions, withSecretChecksums } from '../deploy-secrets.js';
import { readManagedEndpoints } from '../infra-outputs.js';
import { cosignVerifier, verifySignatures } from '../verify-signatures.js';
import { parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import {
  lockingContext,
  loadEnvironment,
  parseTimeout,
  parseWaitForLock,
  targetOptions,
  type TargetFlags,
} from '../engine-context.js';

interface DeployFlags extends TargetFlags {
  setImage: string[];
  set: string[];
  strategy?: string;
  timeout?: string;
  dryRun?: boolean;
  prometheusUrl?: string;
  skipAnalysis?: boolean;
  lockTtl?: string;
  waitForLock?: string;
  commit?: string;
  changes?: string;
  hotfix?: boolean;
  infraOutputs?: string;
  verifySignatures?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];
const run = promisify(execFile);
const STRATEGIES = ['rolling', 'blue-green', 'canary'] as const;

export const registerDeploy: RegisterCommand = (program: Command, ctx: CommandContext) => {
  targetOptions(
    program
      .command('deploy')
      .summary('deploy one environment; roll back if it fails')
      .description(
        'deploy one environment to the cluster of the kubeconfig context, rolling back automatically when it fails',
      ),
  )
    .option(
      '--set-image <service=image>',
      'the image of one service for this deploy (repeatable)',
      collect,
      [],
    )
    .option(
      '--set <path=value>',
      'override one spec field for this deploy, recorded in the release (repeatable)',
      collect,
      [],
    )
    .option('--strategy <strategy>', `override deploy.strategy: ${STRATEGIES.join(', ')}`)
    .option(
      '--timeout <duration>',
      'give up (and roll back) after this long, e.g. 5m (default deploy.timeout or 15m)',
    )
    .option('--dry-run', 'print the plan and change nothing')
    .option('--prometheus-url <url>', 'Prometheus for analyses that name no address')
    .option('--skip-analysis', 'do not run deploy.analysis (recorded in the release steps)')
    .option(
      '--lock-ttl <duration>',
      'how long a deploy that died holds the lock before the next one takes over (default 60s)',
    )
    .option(
      '--infra-outputs <file>',
      'terraform output -json of the environment (render --format terraform): managed dependencies use those endpoints',
    )
    .option(
      '--wait-for-lock <duration>',
      'if another deploy holds the lock, wait this long for it (e.g. 5m) instead of failing at once',
    )
    .option('--commit <sha>', 'the commit this deploy ships, recorded for `slipway metrics`')
    .option(
      '--changes <file|git>',
      "the commits shipped since the last deploy, `<sha> <time>` a line (git log --no-merges --format='%H %cI' A..B): lead time; `git` reads them from the checkout, from the serving release's --commit to this one",
    )
    .option(
      '--verify-signatures',
      "before applying anything, cosign-verify every built image (by digest) against this repository's cd.yml signing identity",
    )
    .option(
      '--hotfix',
      'an unplanned deploy fixing the release before it (rework; that release counts as failed)',
    )
    .action(async (flags: DeployFlags) => {
      ctx.exit(await runDeploy(flags, ctx));
    });
};

async function runDeploy(flags: DeployFlags, ctx: CommandContext): Promise<number> {
  const json = parseOutput(flags.output) === 'json';
  if (flags.strategy !== undefined && !(STRATEGIES as readonly string[]).includes(flags.strategy)) {
    throw new UserError(`must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(flags.strategy)}`, {
      code: 'deploy-strategy',
      path: '--strategy',
    });
  }
  const timeoutMs = parseTimeout(flags.timeout);
  const lockTtlMs = parseTimeout(flags.lockTtl, '--lock-ttl');
  const waitForLockMs = parseWaitForLock(flags.waitForLock);
  if (lockTtlMs !== undefined && lockTtlMs < 1000)
    throw new UserError('must be at least 1s', { code: 'deploy-lock-ttl', path: '--lock-ttl' });
  if (flags.changes === 'git' && flags.commit === undefined)
    throw new UserError('--changes git needs --commit: the commit this deploy ships', {
      code: 'deploy-changes',
      path: '--changes',
      hint: 'in GitHub Actions: --commit ${{ github.sha }} --changes git',
    });
  // A --changes file is bad input found before anything touches a cluster; `git` needs the serving release.
  const fileChange = flags.changes === 'git' ? undefined : await changeRecord(flags, async () => undefined);
  const { app: loaded, files } = await loadEnvironment(flags, 'deploy');
  const target = applyOverrides(loaded, flags.set, flags.setImage);
  // Signatures are checked before secrets are opened or the cluster is contacted: a refusal applies nothing.
  if (flags.verifySignatures) await verifySignatures(target.app, cosignVerifier(ctx.io.env));
  const managed = flags.infraOutputs ? await readManagedEndpoints(target.app, flags.infraOutputs) : undefined;
  const { app: resolved, overrides } = { ...target, app: managed?.app ?? target.app };
  // Opened (and every referenced value checked) before anything is applied.
  const secrets = await openDeploySecrets(resolved, flags.file, ctx.io);
  const opened = withSecretChecksums(resolved, secrets);
  const write = (t: string) => ctx.io.out(t);
  const engine = lockingContext(flags, ctx.io, opened.namespace, ctx.argv, json);
  // A rotated dependency's readers keep the annotation the rotation gave them (no second restart).
  const app = await withCredentialVersions(opened, engine.cluster);
  const change =
    flags.changes === 'git'
      ? await changeRecord(flags, async () => {
          const serving = await engine.store.deployed(app.app, app.environment);
          return serving?.change?.commit;
        })
      : fileChange;
  const result = await deploy(engine, {
    app,
    overrides,
    strategy: flags.strategy as (typeof STRATEGIES)[number] | undefined,
    timeoutMs,
    dryRun: flags.dryRun,
    skipAnalysis: flags.skipAnalysis,
    prometheusAddress: flags.prometheusUrl,
    lockTtlSeconds: lockTtlMs === undefined ? undefined : Math.round(lockTtlMs / 1000),
    waitForLockMs,
    change,
    files,
    secrets: secrets?.objects,
    endpoints: managed?.secrets,
  });
  write(json ? `${JSON.stringify(summary(result))}\n` : describeResult(result));
  return result.exitCode;
}

/** `--commit`, `--changes`, `--hotfix` as the release records them (absent when none is given). */
async function changeRecord(
  flags: DeployFlags,
  servingCommit: () => Promise<string | undefined>,
): Promise<ChangeRecord | undefined> {
  let text: string | undefined;
  if (flags.changes === 'git') {
    text = await gitChanges(parseCommit(flags.commit!), await servingCommit(), dirname(resolve(flags.file)));
  } else if (flags.changes !== undefined) {
    try {
      text = await readFile(flags.changes, 'utf8');
    } catch (err) {
      throw new UserError(
        `cannot read ${flags.changes}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        {
          code: 'deploy-changes',
          path: '--changes',
          hint: "write it with git log --no-merges --format='%H %cI' PREVIOUS..HEAD > changes.txt",
        },
      );
    }
  }
  const change: ChangeRecord = {
    ...(flags.commit !== undefined ? { commit: parseCommit(flags.commit) } : {}),
    ...(text !== undefined
      ? { commits: parseChanges(text, flags.changes === 'git' ? 'git log' : flags.changes!) }
      : {}),
    ...(flags.hotfix ? { hotfix: true } : {}),
  };
  return Object.keys(change).length ? change : undefined;
}

/**
 * `--changes git`: the commits from the serving release's commit (exclusive) to `commit`, merges
 * left out, as `git log --no-merges --format='%H %cI' A..B` prints them; the first release with a
 * commit ships just its own. Needs the history in the checkout (actions/checkout fetch-depth: 0).
 */
async function gitChanges(commit: string, serving: string | undefined, cwd: string): Promise<string> {
  const range = serving ? [`${serving}..${commit}`] : ['-1', commit];
  try {
    const { stdout } = await run('git', ['log', '--no-merges', '--format=%H %cI', ...range], { cwd });
    return stdout;
  } catch (err) {
    const detail = ((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n')[0];
    throw new UserError(`git log ${range.join(' ')} failed in ${cwd}: ${detail}`, {
      code: 'deploy-changes',
      path: '--changes',
      hint: 'the checkout needs the history between the two commits (actions/checkout with fetch-depth: 0)',
    });
  }
}
