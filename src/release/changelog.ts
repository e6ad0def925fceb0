/**
 * The CHANGELOG.md section of one release, grouped the way Keep a Changelog and
 * conventional-changelog readers expect: breaking changes first, then features, fixes and
 * performance. Sections are prepended under the file's `# Changelog` title, newest first.
 */
import type { ParsedCommit } from './conventional.js';

export const CHANGELOG_FILE = 'CHANGELOG.md';
const TITLE = '# Changelog';

export interface SectionInput {
  version: string;
  previousTag?: string;
  tag: string;
  /** YYYY-MM-DD, from the caller's clock. */
  date: string;
  commits: ParsedCommit[];
  /** `https://github.com/owner/repo`, for compare and commit links. */
  repoUrl?: string;
}

export function changelogSection(input: SectionInput): string {
  const heading =
    input.repoUrl && input.previousTag
      ? `## [${input.version}](${input.repoUrl}/compare/${input.previousTag}...${input.tag}) (${input.date})`
      : `## ${input.version} (${input.date})`;
  const groups: [string, ParsedCommit[]][] = [
    ['Features', input.commits.filter((c) => c.type === 'feat')],
    ['Bug Fixes', input.commits.filter((c) => c.type === 'fix')],
    ['Performance Improvements', input.commits.filter((c) => c.type === 'perf')],
  ];
  const lines = [heading, ''];
  const breaking = input.commits.filter((c) => c.breaking);
  if (breaking.length) {
    lines.push('### ⚠ BREAKING CHANGES', '');
    for (const c of breaking) lines.push(`- ${scope(c)}${c.breakingNote ?? c.description}`);
    lines.push('');
  }
  for (const [title, commits] of groups) {
    if (!commits.length) continue;
    lines.push(`### ${title}`, '');
    for (const c of commits) lines.push(`- ${scope(c)}${c.description} (${link(c.hash, input.repoUrl)})`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The changelog with `section` added on top, below the title (created when the file is new). */
export function prependSection(existing: string | undefined, section: string): string {
  if (!existing || !existing.trim()) return `${TITLE}\n\n${section}`;
  const text = existing.endsWith('\n') ? existing : existing + '\n';
  if (text.startsWith(TITLE)) {
    const rest = text.slice(TITLE.length).replace(/^\n+/, '');
    return `${TITLE}\n\n${section}\n${rest}`;
  }
  return `${TITLE}\n\n${section}\n${text}`;
}

function scope(c: ParsedCommit): string {
  return c.scope ? `**${c.scope}:** ` : '';
}

function link(hash: string, repoUrl: string | undefined): string {
  const short = hash.slice(0, 7);
  return repoUrl ? `[${short}](${repoUrl}/commit/${hash})` : short;
}
