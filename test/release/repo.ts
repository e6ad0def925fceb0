import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real temporary git repository with a scripted history; the real git binary, no mocks. */
export class TempRepo {
  readonly dir = mkdtempSync(join(tmpdir(), 'slipway-release-'));
  private n = 0;

  /** Identity and dates fixed so runs are repeatable; no global config is read or written. */
  readonly env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: this.dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };

  constructor() {
    this.git('init', '--quiet', '--initial-branch=main');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: this.env, encoding: 'utf8' });
  }

  /** One commit touching a new file, with this message. */
  commit(message: string): void {
    this.n++;
    writeFileSync(join(this.dir, `file-${this.n}.txt`), `${this.n}\n`);
    this.git('add', '.');
    this.git('commit', '--quiet', '-m', message);
  }

  write(path: string, text: string): void {
    writeFileSync(join(this.dir, path), text);
  }

  tags(): string[] {
    return this.git('tag', '--list').split('\n').filter(Boolean);
  }

  head(): string {
    return this.git('rev-parse', 'HEAD').trim();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
