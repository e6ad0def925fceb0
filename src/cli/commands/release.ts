/**
 * `slipway release [--dry-run] [--as VERSION] [--output json]`: the next semantic version from
 * the conventional commits since the last v* tag, a CHANGELOG.md section, a release commit and an
 * annotated tag. Nothing is pushed: `git push --follow-tags` publishes it, and cd.yml builds,
 * signs and deploys the tag. Exit 0 released (or nothing to release), 2 bad input or dirty tree.
 */
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { execGit } from '../../release/git.js';
import { performRelease, planRelease, type ReleasePlan } from '../../release/release.js';
import { diskWorkspace } from '../../release/workspace.js';
import { parseOutput, type CommandContext, type RegisterCommand } from '../command.js';

interface ReleaseFlags {
  file: string;
  dryRun?: boolean;
  as?: string;
  output?: string;
}

export const registerRelease: RegisterCommand = (program: Command, ctx: CommandContext) => {
  program
    .command('release')
    .summary('tag the next version from conventional commits')
    .description('tag the next semantic version from conventional commits, with a CHANGELOG.md section')
    .option(
      '-f, --file <path>',
      'the spec whose version: moves with the release (skipped when absent or without version:)',
      'slipway.yaml',
    )
    .option('--dry-run', 'print the next version and the changelog section; write nothing')
    .option('--as <version>', 'release this version instead of the one the commits imply (e.g. 1.0.0)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (flags: ReleaseFlags) => runRelease(flags, ctx));
};

async function runRelease(flags: ReleaseFlags, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const release = { git: execGit(io.cwd, io.env), workspace: diskWorkspace(io.cwd), now: () => new Date() };
  const specFile = relative(io.cwd, resolve(io.cwd, flags.file)).split('\\').join('/');
  const plan = await planRelease(release, { as: flags.as, specFile });
  const dryRun = Boolean(flags.dryRun);
  if (plan.tag && !dryRun) await performRelease(release, plan);
  const released = Boolean(plan.tag) && !dryRun;
  if (parseOutput(flags.output) === 'json') {
    io.out(JSON.stringify({ ...plan, dryRun, released }, null, 2) + '\n');
    return;
  }
  io.out(describe(plan, dryRun));
}

function describe(plan: ReleasePlan, dryRun: boolean): string {
  const since = plan.previousTag ? `since ${plan.previousTag}` : 'in the history (no v* tag yet)';
  const counted = `${plan.commits.total} commits ${since}, ${plan.commits.releasable} releasable${plan.commits.unconventional ? `, ${plan.commits.unconventional} not conventional` : ''}`;
  if (!plan.tag)
    return `nothing to release: ${counted} (feat, fix, perf or a breaking change make a release)\n`;
  const head = dryRun
    ? `would release ${plan.tag} (${plan.bump ?? 'explicit'}${plan.previousTag ? ` from ${plan.previousTag}` : ''}): ${counted}\n`
    : `released ${plan.tag}: committed CHANGELOG.md${plan.spec ? ` and ${plan.spec.file}` : ''} and tagged it; ${counted}\nnext: git push --follow-tags\n`;
  const spec = plan.spec ? `${plan.spec.file}: version ${plan.spec.from} -> ${plan.spec.to}\n` : '';
  return `${head}${spec}\n${plan.changelog}`;
}
