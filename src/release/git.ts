/**
 * Git behind a small interface: the release plan reads history and status through it, and the
 * release writes one commit and one annotated tag through it. The implementation runs the real
 * `git` binary with execFile (no shell, so no quoting of messages or paths).
 */
import { execFile } from 'node:child_process';
import { UserError } from '../errors.js';

export interface Commit {
  hash: string;
  subject: string;
  body: string;
}

export interface Git {
  /** `git status --porcelain` lines: staged, modified and untracked paths. */
  status(): Promise<string[]>;
  /** Tags matching `v*` reachable from HEAD. */
  releaseTags(): Promise<string[]>;
  /** Commits in `range` (all of HEAD's history when undefined), newest first, merges excluded. */
  log(range: string | undefined): Promise<Commit[]>;
  /** Stages `paths` and commits them with `message`. */
  commit(paths: string[], message: string): Promise<void>;
  /** `git tag --annotate name --message message` on HEAD. */
  tag(name: string, message: string): Promise<void>;
  /** `https://github.com/owner/repo` when `origin` is a GitHub remote, for compare links. */
  remoteUrl(): Promise<string | undefined>;
}

const FIELD = '\x1f';
const RECORD = '\x1e';

export function execGit(cwd: string, env: Readonly<Record<string, string | undefined>> = process.env): Git {
  const run = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(
        'git',
        args,
        { cwd, env: { ...env, LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) reject(gitError(args, error, stderr));
          else resolve(stdout);
        },
      );
    });
  // A repository without commits has no HEAD: it has no tags and no history yet (git itself fails).
  const hasHead = () =>
    run(['rev-parse', '--verify', '--quiet', 'HEAD']).then(
      () => true,
      () => false,
    );
  return {
    async status() {
      return (await run(['status', '--porcelain'])).split('\n').filter((l) => l.length > 0);
    },
    async releaseTags() {
      if (!(await hasHead())) return [];
      return (await run(['tag', '--list', 'v*', '--merged', 'HEAD'])).split('\n').filter((l) => l.length > 0);
    },
    async log(range) {
      if (!(await hasHead())) return [];
      const out = await run([
        'log',
        '--no-merges',
        `--format=%H${FIELD}%s${FIELD}%b${RECORD}`,
        ...(range ? [range] : []),
      ]);
      return out
        .split(RECORD)
        .map((r) => r.replace(/^\n/, ''))
        .filter((r) => r.length > 0)
        .map((r) => {
          const [hash = '', subject = '', body = ''] = r.split(FIELD);
          return { hash, subject, body: body.trim() };
        });
    },
    async commit(paths, message) {
      await run(['add', '--', ...paths]);
      await run(['commit', '--quiet', '--message', message, '--', ...paths]);
    },
    async tag(name, message) {
      await run(['tag', '--annotate', name, '--message', message]);
    },
    async remoteUrl() {
      const url = (await run(['remote', 'get-url', 'origin']).catch(() => '')).trim();
      const m = /github\.com[:/]([^/]+)\/(.+?)(\.git)?$/.exec(url);
      return m ? `https://github.com/${m[1]}/${m[2]}` : undefined;
    },
  };
}

function gitError(args: string[], error: Error & { code?: unknown }, stderr: string): Error {
  if (error.code === 'ENOENT') {
    return new UserError('git is not installed or not on PATH', {
      code: 'release/no-git',
      hint: 'install git; slipway release runs the git binary',
    });
  }
  const detail = stderr.trim().split('\n')[0] ?? error.message;
  if (/not a git repository/.test(stderr)) {
    return new UserError(`not a git repository: ${detail}`, {
      code: 'release/not-a-repo',
      hint: 'run slipway release in the repository, or git init first',
    });
  }
  if (/does not have any commits|bad default revision|unknown revision/.test(stderr)) {
    return new UserError('the repository has no commits yet', {
      code: 'release/no-commits',
      hint: 'commit your work first',
    });
  }
  return new UserError(`git ${args[0]} failed: ${detail}`, { code: 'release/git-failed', exitCode: 1 });
}
