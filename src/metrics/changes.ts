/**
 * What a release shipped, as CI hands it to `slipway deploy --changes FILE`: one commit per line,
 * `<sha> <commit time>`, exactly what `git log --no-merges --format='%H %cI' PREVIOUS..HEAD` prints.
 * Merge commits are left out by `--no-merges` (the merged branch's own commits carry the times);
 * after a squash merge CI lists the pull request's commits instead (docs/metrics.md).
 */
import { UserError } from '../errors.js';
import type { ShippedCommit } from '../engine/releases/release.js';

const SHA = /^[0-9a-f]{7,64}$/i;
// An ISO 8601 date-time with a zone, as git's %cI and %aI print it.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function parseChanges(text: string, file: string): ShippedCommit[] {
  const commits: ShippedCommit[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [sha = '', time = '', ...rest] = line.split(/\s+/);
    const at = (column: number) => ({ file, line: index + 1, column });
    const hint =
      "one commit per line, `<sha> <time>`, as `git log --no-merges --format='%H %cI' A..B` prints";
    if (!SHA.test(sha))
      throw new UserError(`${JSON.stringify(sha)} is not a commit SHA`, {
        code: 'changes-sha',
        location: at(raw.indexOf(sha) + 1),
        hint,
      });
    if (!ISO_TIME.test(time) || Number.isNaN(Date.parse(time)) || rest.length > 0)
      throw new UserError(`${JSON.stringify(rest.length ? line : time)} is not an ISO 8601 commit time`, {
        code: 'changes-time',
        location: at(raw.indexOf(time) + 1),
        hint,
      });
    if (seen.has(sha.toLowerCase())) return;
    seen.add(sha.toLowerCase());
    commits.push({ sha: sha.toLowerCase(), committedAt: new Date(time).toISOString() });
  });
  return commits;
}

/** `--commit SHA`: the commit the artifact was built from. */
export function parseCommit(sha: string): string {
  if (!SHA.test(sha))
    throw new UserError(`${JSON.stringify(sha)} is not a commit SHA (7 to 64 hex digits)`, {
      code: 'deploy-commit',
      path: '--commit',
      hint: 'pass `git rev-parse HEAD`',
    });
  return sha.toLowerCase();
}
