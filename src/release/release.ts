/**
 * `slipway release`: decide, then act (Helm's rollback.go pattern). `planRelease` reads the
 * repository and computes the next version, the changelog section and the tag; `performRelease`
 * writes CHANGELOG.md (and moves slipway.yaml's `version:`), commits and tags that commit. A dry
 * run stops after the plan.
 */
import { UserError } from '../errors.js';
import { CHANGELOG_FILE, changelogSection, prependSection } from './changelog.js';
import { parseCommit, releaseBump, type ParsedCommit } from './conventional.js';
import type { Git } from './git.js';
import { setSpecVersion } from './spec-version.js';
import { bumpVersion, compareVersions, formatVersion, latestTag, parseVersion, type Bump } from './semver.js';

/** The changelog file, read and written in the repository root; a separate interface so tests see every write. */
export interface Workspace {
  read(path: string): Promise<string | undefined>;
  write(path: string, text: string): Promise<void>;
}

export interface ReleaseContext {
  git: Git;
  workspace: Workspace;
  /** Today's date for the changelog; the clock comes in from outside. */
  now(): Date;
}

export interface ReleaseOptions {
  /** An explicit version (1.0.0), instead of the one the commits imply. */
  as?: string;
  /** slipway.yaml, relative to the repository root; its `version:` moves with the release. */
  specFile?: string;
}

/** Used when the repository has no v* tag yet and the commits ask for a release. */
export const FIRST_VERSION = '0.1.0';

export interface ReleasePlan {
  previousTag?: string;
  previousVersion?: string;
  /** `undefined` when nothing since the last tag asks for a release. */
  version?: string;
  tag?: string;
  bump?: Bump;
  commits: { total: number; releasable: number; unconventional: number };
  changelog?: string;
  /** The spec whose `version:` the release commit changes, when it has one. */
  spec?: { file: string; from: string; to: string };
}

export async function planRelease(ctx: ReleaseContext, opts: ReleaseOptions = {}): Promise<ReleasePlan> {
  const dirty = await ctx.git.status();
  if (dirty.length) {
    throw new UserError(`the working tree is not clean:\n${dirty.map((l) => `  ${l}`).join('\n')}`, {
      code: 'release/dirty',
      hint: 'commit or remove these changes first: a release tags exactly what is committed',
    });
  }
  const last = latestTag(await ctx.git.releaseTags());
  const raw = await ctx.git.log(last ? `${last.tag}..HEAD` : undefined);
  const parsed = raw.map(parseCommit);
  const commits = parsed.filter((c): c is ParsedCommit => c !== undefined);
  const bump = releaseBump(commits);
  const counts = {
    total: raw.length,
    releasable: commits.filter((c) => c.breaking || ['feat', 'fix', 'perf'].includes(c.type)).length,
    unconventional: raw.length - commits.length,
  };
  const plan: ReleasePlan = {
    previousTag: last?.tag,
    previousVersion: last ? formatVersion(last.version) : undefined,
    commits: counts,
  };

  let version: string | undefined;
  if (opts.as !== undefined) version = explicitVersion(opts.as, last?.version);
  else if (bump) version = last ? formatVersion(bumpVersion(last.version, bump)) : FIRST_VERSION;
  if (!version) return plan;
  if (raw.length === 0) {
    throw new UserError(`no commits since ${last?.tag}`, {
      code: 'release/no-commits',
      hint: 'there is nothing to release',
    });
  }
  const tag = `v${version}`;
  const date = ctx.now().toISOString().slice(0, 10);
  const changelog = changelogSection({
    version,
    tag,
    previousTag: last?.tag,
    date,
    commits,
    repoUrl: await ctx.git.remoteUrl(),
  });
  const specText = opts.specFile ? await ctx.workspace.read(opts.specFile) : undefined;
  const moved = specText !== undefined ? setSpecVersion(specText, version) : undefined;
  const spec = moved && opts.specFile ? { file: opts.specFile, from: moved.from, to: version } : undefined;
  return { ...plan, version, tag, bump, changelog, spec };
}

/** Writes CHANGELOG.md, commits it as `chore(release): vX.Y.Z` and tags that commit. */
export async function performRelease(ctx: ReleaseContext, plan: ReleasePlan): Promise<void> {
  if (!plan.tag || !plan.changelog) return;
  const existing = await ctx.workspace.read(CHANGELOG_FILE);
  await ctx.workspace.write(CHANGELOG_FILE, prependSection(existing, plan.changelog));
  const paths = [CHANGELOG_FILE];
  if (plan.spec && plan.version) {
    const text = await ctx.workspace.read(plan.spec.file);
    const moved = text !== undefined ? setSpecVersion(text, plan.version) : undefined;
    if (moved) {
      await ctx.workspace.write(plan.spec.file, moved.text);
      paths.push(plan.spec.file);
    }
  }
  await ctx.git.commit(paths, `chore(release): ${plan.tag}`);
  await ctx.git.tag(plan.tag, `Release ${plan.tag}\n\n${plan.changelog}`);
}

function explicitVersion(text: string, last: ReturnType<typeof parseVersion>): string {
  const version = parseVersion(text);
  if (!version) {
    throw new UserError(`--as ${text}: expected a version such as 1.0.0`, {
      code: 'release/bad-version',
      path: '--as',
      hint: 'MAJOR.MINOR.PATCH, with or without a leading v',
    });
  }
  if (last && compareVersions(version, last) <= 0) {
    throw new UserError(`--as ${text}: must be greater than the last release ${formatVersion(last)}`, {
      code: 'release/bad-version',
      path: '--as',
    });
  }
  return formatVersion(version);
}
