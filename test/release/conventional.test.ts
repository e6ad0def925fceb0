import { describe, expect, it } from 'vitest';
import { bumpOf, parseCommit } from '../../src/release/conventional.js';
import { bumpVersion, latestTag, parseVersion } from '../../src/release/semver.js';

const c = (subject: string, body = '') => parseCommit({ hash: 'abc1234def', subject, body });

describe('conventional commits', () => {
  it.each([
    ['feat: x', 'minor'],
    ['feat(api): x', 'minor'],
    ['FEAT: x', 'minor'],
    ['fix: x', 'patch'],
    ['perf(db): x', 'patch'],
    ['docs: x', undefined],
    ['chore(deps)!: drop node 18', 'major'],
    ['revert: feat: x', undefined],
  ])('%s -> %s', (subject, bump) => {
    const parsed = c(subject);
    expect(parsed).toBeDefined();
    expect(bumpOf(parsed!)).toBe(bump);
  });

  it.each(['Add stuff', 'feat:no space', 'feat(): empty scope', 'Merge branch main'])(
    'not conventional: %s',
    (subject) => {
      expect(c(subject)).toBeUndefined();
    },
  );

  it('reads BREAKING CHANGE and BREAKING-CHANGE footers, first paragraph only', () => {
    expect(c('fix: x', 'Refs: #1\nBREAKING CHANGE: env var renamed\nto FOO\n\nMore text')).toMatchObject({
      breaking: true,
      breakingNote: 'env var renamed to FOO',
    });
    expect(c('fix: x', 'BREAKING-CHANGE: gone')).toMatchObject({ breaking: true, breakingNote: 'gone' });
    expect(c('fix: x', 'mentions a breaking change in prose')).toMatchObject({ breaking: false });
  });
});

describe('versions', () => {
  it.each([
    ['1.2.3', 'patch', '1.2.4'],
    ['1.2.3', 'minor', '1.3.0'],
    ['1.2.3', 'major', '2.0.0'],
    ['0.4.2', 'major', '0.5.0'],
    ['0.4.2', 'minor', '0.5.0'],
    ['0.4.2', 'patch', '0.4.3'],
  ] as const)('%s + %s = %s', (from, bump, to) => {
    const v = bumpVersion(parseVersion(from)!, bump);
    expect(`${v.major}.${v.minor}.${v.patch}`).toBe(to);
  });

  it('the last tag is the highest release version, not the newest or a pre-release', () => {
    expect(latestTag(['v1.10.0', 'v1.9.0', 'v2.0.0-rc.1', 'release-3', '1.99.0'])?.tag).toBe('v1.10.0');
    expect(latestTag(['foo'])).toBeUndefined();
  });
});
