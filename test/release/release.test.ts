import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { TempRepo } from './repo.js';

let repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos) r.remove();
  repos = [];
});

function repo(): TempRepo {
  const r = new TempRepo();
  repos.push(r);
  return r;
}

async function release(r: TempRepo, ...args: string[]) {
  const m = memoryIo({ cwd: r.dir, env: r.env });
  const code = await main(['node', 'slipway', 'release', ...args], m.io);
  return {
    code,
    out: m.stdout(),
    err: m.stderr(),
    json: () => JSON.parse(m.stdout()) as Record<string, unknown>,
  };
}

describe('slipway release on real git repositories', () => {
  it('a repository without commits has nothing to release (not a git error)', async () => {
    const r = repo();
    const dry = await release(r, '--dry-run');
    expect(dry.err).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('nothing to release: 0 commits');
  });

  it('first release: 0.1.0 from the whole history, CHANGELOG.md committed, annotated tag on that commit', async () => {
    const r = repo();
    r.commit('feat(api): add orders endpoint');
    r.commit('fix: handle empty cart');
    r.commit('docs: explain setup');
    const result = await release(r);
    expect(result.code).toBe(0);
    expect(result.out).toContain('released v0.1.0');
    expect(r.tags()).toEqual(['v0.1.0']);
    expect(r.git('cat-file', '-t', 'v0.1.0').trim()).toBe('tag');
    expect(r.git('rev-list', '-n', '1', 'v0.1.0').trim()).toBe(r.head());
    expect(r.git('log', '-1', '--format=%s').trim()).toBe('chore(release): v0.1.0');
    const changelog = readFileSync(join(r.dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(
      /^# Changelog\n\n## 0\.1\.0 \(\d{4}-\d{2}-\d{2}\)\n\n### Features\n\n- \*\*api:\*\* add orders endpoint \([0-9a-f]{7}\)\n\n### Bug Fixes\n\n- handle empty cart \([0-9a-f]{7}\)\n/,
    );
    expect(changelog).not.toContain('explain setup');
    expect(r.git('status', '--porcelain')).toBe('');
  });

  it('feat bumps minor, fix bumps patch, and a breaking change bumps major (after 1.0)', async () => {
    const r = repo();
    r.commit('feat: first');
    r.git('tag', '-a', 'v1.2.3', '-m', 'v1.2.3');
    r.commit('fix: a bug');
    expect((await release(r, '--dry-run', '--output', 'json')).json()).toMatchObject({
      version: '1.2.4',
      bump: 'patch',
      previousTag: 'v1.2.3',
    });
    r.commit('perf: faster');
    r.commit('feat(ui): dark mode');
    expect((await release(r, '--dry-run', '--output', 'json')).json()).toMatchObject({
      version: '1.3.0',
      bump: 'minor',
    });
    r.commit('refactor!: drop the v1 API');
    expect((await release(r, '--dry-run', '--output', 'json')).json()).toMatchObject({
      version: '2.0.0',
      bump: 'major',
    });
  });

  it('a BREAKING CHANGE footer is breaking, and its note leads the changelog', async () => {
    const r = repo();
    r.commit('feat: x');
    r.git('tag', '-a', 'v2.0.0', '-m', 'v2.0.0');
    r.commit(
      'feat(config): new format\n\nBREAKING CHANGE: the config file is now YAML; convert config.json with slipway import',
    );
    const result = await release(r);
    expect(result.code).toBe(0);
    expect(r.tags()).toContain('v3.0.0');
    const changelog = readFileSync(join(r.dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain(
      '### ⚠ BREAKING CHANGES\n\n- **config:** the config file is now YAML; convert config.json with slipway import\n',
    );
    // The tag message carries the section too.
    expect(r.git('tag', '-l', '--format=%(contents)', 'v3.0.0')).toContain('the config file is now YAML');
  });

  it('0.x: a breaking change bumps minor, not major; the highest v* tag reachable from HEAD is the base', async () => {
    const r = repo();
    r.commit('feat: a');
    r.git('tag', 'v0.3.0');
    r.commit('fix: b');
    r.git('tag', 'v0.4.2');
    r.git('tag', 'not-a-version');
    r.commit('feat!: rename everything');
    expect((await release(r, '--dry-run', '--output', 'json')).json()).toMatchObject({
      previousTag: 'v0.4.2',
      version: '0.5.0',
    });
  });

  it('new sections go on top of an existing changelog', async () => {
    const r = repo();
    r.commit('feat: one');
    await release(r);
    r.commit('fix: two');
    await release(r);
    const changelog = readFileSync(join(r.dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog.indexOf('## 0.1.1')).toBeGreaterThan(0);
    expect(changelog.indexOf('## 0.1.1')).toBeLessThan(changelog.indexOf('## 0.1.0'));
    expect(changelog.match(/^# Changelog$/gm)).toHaveLength(1);
  });

  it('no releasable commits: exit 0, says so, tags nothing', async () => {
    const r = repo();
    r.commit('feat: a');
    r.git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0');
    r.commit('docs: readme');
    r.commit('chore: deps');
    r.commit('not conventional at all');
    const result = await release(r);
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      'nothing to release: 3 commits since v1.0.0, 0 releasable, 1 not conventional',
    );
    expect(r.tags()).toEqual(['v1.0.0']);
    expect(existsSync(join(r.dir, 'CHANGELOG.md'))).toBe(false);
    expect((await release(r, '--output', 'json')).json()).toMatchObject({
      released: false,
      previousVersion: '1.0.0',
    });
  });

  it('refuses a dirty tree with exit 2 and lists what is dirty', async () => {
    const r = repo();
    r.commit('feat: a');
    r.write('file-1.txt', 'changed\n');
    r.write('new.txt', 'x\n');
    const result = await release(r);
    expect(result.code).toBe(2);
    expect(result.err).toContain('the working tree is not clean');
    expect(result.err).toContain(' M file-1.txt');
    expect(result.err).toContain('?? new.txt');
    expect(r.tags()).toEqual([]);
    const json = await release(r, '--output', 'json');
    expect(json.code).toBe(2);
    expect(json.json()).toMatchObject({ error: { code: 'release/dirty' } });
  });

  it('--dry-run writes nothing: no changelog, no commit, no tag', async () => {
    const r = repo();
    r.commit('feat: a');
    const head = r.head();
    const result = await release(r, '--dry-run');
    expect(result.code).toBe(0);
    expect(result.out).toContain('would release v0.1.0');
    expect(result.out).toContain('### Features');
    expect(r.head()).toBe(head);
    expect(r.tags()).toEqual([]);
    expect(existsSync(join(r.dir, 'CHANGELOG.md'))).toBe(false);
    expect(r.git('status', '--porcelain')).toBe('');
  });

  it('--as picks the version (going to 1.0.0 is a decision) and must move forward', async () => {
    const r = repo();
    r.commit('feat: a');
    r.git('tag', 'v0.9.0');
    r.commit('fix: b');
    expect((await release(r, '--as', '1.0.0', '--dry-run', '--output', 'json')).json()).toMatchObject({
      version: '1.0.0',
    });
    const back = await release(r, '--as', '0.8.0');
    expect(back.code).toBe(2);
    expect(back.err).toContain('must be greater than the last release 0.9.0');
  });

  it("moves slipway.yaml's version: in the release commit, keeping comments; a spec without one is left alone", async () => {
    const r = repo();
    r.write(
      'slipway.yaml',
      '# the shop\napp: shop\nversion: 1.2.0 # images default to this tag\nservices: {}\n',
    );
    r.commit('feat: first');
    r.git('tag', '-a', 'v1.2.0', '-m', 'v1.2.0');
    r.commit('feat: second');
    const dry = await release(r, '--dry-run', '--output', 'json');
    expect(dry.json()).toMatchObject({ spec: { file: 'slipway.yaml', from: '1.2.0', to: '1.3.0' } });
    expect(readFileSync(join(r.dir, 'slipway.yaml'), 'utf8')).toContain('version: 1.2.0');
    const result = await release(r);
    expect(result.out).toContain('slipway.yaml: version 1.2.0 -> 1.3.0');
    expect(readFileSync(join(r.dir, 'slipway.yaml'), 'utf8')).toBe(
      '# the shop\napp: shop\nversion: 1.3.0 # images default to this tag\nservices: {}\n',
    );
    expect(
      r.git('diff-tree', '--no-commit-id', '--name-only', '-r', 'v1.3.0^{commit}').trim().split('\n').sort(),
    ).toEqual(['CHANGELOG.md', 'slipway.yaml']);
    expect(r.git('status', '--porcelain')).toBe('');

    const plain = repo();
    plain.write('slipway.yaml', 'app: shop\nservices: {}\n');
    plain.commit('feat: first');
    expect((await release(plain, '--output', 'json')).json()).toMatchObject({
      released: true,
      version: '0.1.0',
    });
    expect(readFileSync(join(plain.dir, 'slipway.yaml'), 'utf8')).toBe('app: shop\nservices: {}\n');
  });

  it('outside a repository: exit 2 with a hint', async () => {
    const r = repo();
    r.git('init', '--quiet');
    const m = memoryIo({ cwd: '/', env: r.env });
    expect(await main(['node', 'slipway', 'release'], m.io)).toBe(2);
    expect(m.stderr()).toContain('not a git repository');
  });
});
