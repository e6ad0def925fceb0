/**
 * Conventional Commits 1.0.0 (https://www.conventionalcommits.org/en/v1.0.0/): `type(scope)!:
 * description`, with a `BREAKING CHANGE:` (or `BREAKING-CHANGE:`) footer. feat is a minor
 * change, fix and perf are patches, `!` or the footer is a breaking change; other types
 * (docs, chore, refactor, test, build, ci, style) are recorded nowhere and release nothing.
 */
import type { Bump } from './semver.js';
import type { Commit } from './git.js';

export interface ParsedCommit {
  hash: string;
  type: string;
  scope?: string;
  description: string;
  breaking: boolean;
  /** The footer's explanation of a breaking change, when there is one. */
  breakingNote?: string;
}

const HEADER = /^(?<type>[A-Za-z]+)(?:\((?<scope>[^()\r\n]+)\))?(?<bang>!)?: (?<description>.+)$/;
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE: ?([\s\S]*)$/m;

/** `undefined` for a commit that does not follow the convention. */
export function parseCommit(commit: Commit): ParsedCommit | undefined {
  const m = HEADER.exec(commit.subject.trim());
  if (!m?.groups) return undefined;
  const footer = BREAKING_FOOTER.exec(commit.body);
  const breakingNote = footer?.[1]
    ?.trim()
    .split(/\n\n/)[0]
    ?.replace(/\s*\n\s*/g, ' ');
  return {
    hash: commit.hash,
    type: m.groups.type!.toLowerCase(),
    scope: m.groups.scope,
    description: m.groups.description!.trim(),
    breaking: Boolean(m.groups.bang) || Boolean(footer),
    breakingNote: breakingNote || undefined,
  };
}

export function bumpOf(commit: ParsedCommit): Bump | undefined {
  if (commit.breaking) return 'major';
  if (commit.type === 'feat') return 'minor';
  if (commit.type === 'fix' || commit.type === 'perf') return 'patch';
  return undefined;
}

const ORDER: Bump[] = ['major', 'minor', 'patch'];

/** The largest bump any commit asks for. */
export function releaseBump(commits: ParsedCommit[]): Bump | undefined {
  const bumps = commits.map(bumpOf).filter((b): b is Bump => b !== undefined);
  return ORDER.find((b) => bumps.includes(b));
}
