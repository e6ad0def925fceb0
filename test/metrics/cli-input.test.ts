/** Bad input to `slipway metrics` and the deploy's change flags: a message naming the flag or line, exit 2, before any cluster is contacted. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parseChanges } from '../../src/metrics/changes.js';
import { humanSeconds } from '../../src/metrics/text.js';
import { parseSince } from '../../src/metrics/window.js';
import { parseAddress } from '../../src/metrics/serve.js';

const home = mkdtempSync(join(tmpdir(), 'slipway-metrics-input-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const SPEC = 'examples/sample-service/slipway.yaml';

async function slipway(...args: string[]) {
  const m = memoryIo({ env: { HOME: home, KUBECONFIG: join(home, 'none') } });
  const code = await main(['node', 'slipway', ...args], m.io);
  return { code, out: m.stdout(), err: m.stderr() };
}

describe('slipway metrics: bad input exits 2 with what to do', () => {
  it.each([
    [['--since', '30 days'], /--since: "30 days" is not a window such as 30d/],
    [['--since', '0d'], /--since: "0d" is not a window/],
    [['--env', 'dev', '--all-envs'], /--all-envs: --env and --all-envs exclude each other/],
    [['--env', 'prod'], /unknown environment "prod"; the spec declares: dev, staging, production/],
    [['-o', 'xml'], /xml/],
    [['server'], /unknown action "server"/],
  ])('metrics %j', async (args, message) => {
    const r = await slipway('metrics', '-f', SPEC, ...args);
    expect(r.err).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('a spec without a production environment needs --env or --all-envs', async () => {
    const spec = join(home, 'slipway.yaml');
    writeFileSync(
      spec,
      'app: tiny\nservices:\n  web:\n    image: nginx:1.27\n    port: 80\nenvironments:\n  dev: {}\n',
    );
    const r = await slipway('metrics', '-f', spec);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--env: ');
    expect(r.err).toContain('declares no production environment');
    expect(r.err).toContain('pick one with --env (dev) or use --all-envs');
  });

  it('serve: a malformed --address', async () => {
    const r = await slipway('metrics', 'serve', '-f', SPEC, '--address', 'localhost');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--address: "localhost" is not an address such as 127.0.0.1:9464');
  });

  it('deploy --changes: the line and column of a malformed commit; --commit that is no SHA', async () => {
    const file = join(home, 'changes.txt');
    writeFileSync(file, 'a1b2c3d4 2026-03-01T10:00:00+01:00\nnot-a-sha 2026-03-01T10:00:00Z\n');
    const bad = await slipway('deploy', '-f', SPEC, '--env', 'dev', '--changes', file);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`${file}:2:1`);
    expect(bad.err).toContain('"not-a-sha" is not a commit SHA');
    const commit = await slipway('deploy', '-f', SPEC, '--env', 'dev', '--commit', 'HEAD');
    expect(commit.code).toBe(2);
    expect(commit.err).toContain('--commit: "HEAD" is not a commit SHA');
    const missing = await slipway('deploy', '-f', SPEC, '--env', 'dev', '--changes', join(home, 'absent'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--changes: cannot read');
  });
});

describe('parsers', () => {
  it('deploy --changes git without --commit: exit 2 naming the flag, before any cluster is asked', async () => {
    const r = await slipway('deploy', '-f', SPEC, '--env', 'dev', '--changes', 'git');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--changes: --changes git needs --commit');
  });

  it('changes: git log lines, times normalised to UTC, a SHA listed twice kept once, blank and # lines skipped', () => {
    expect(
      parseChanges(
        '# git log --no-merges --format="%H %cI" v1..v2\nA1B2C3D4 2026-03-01T10:00:00+01:00\n\na1b2c3d4 2026-03-01T10:00:00+01:00\ne5f6a7b8 2026-03-01T08:30:00Z\n',
        'changes.txt',
      ),
    ).toEqual([
      { sha: 'a1b2c3d4', committedAt: '2026-03-01T09:00:00.000Z' },
      { sha: 'e5f6a7b8', committedAt: '2026-03-01T08:30:00.000Z' },
    ]);
    expect(() => parseChanges('a1b2c3d4 yesterday', 'c.txt')).toThrow(/"yesterday" is not an ISO 8601/);
    expect(() => parseChanges('a1b2c3d4 2026-03-01T10:00:00', 'c.txt')).toThrow(/not an ISO 8601/);
  });

  it.each([
    ['30d', 30 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1d12h', 36 * 3_600_000],
    ['90m', 5_400_000],
  ])('--since %s', (text, ms) => expect(parseSince(text)).toBe(ms));

  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
  ])('--address %s', (text, expected) => expect(parseAddress(text)).toEqual(expected));

  it.each([
    [0.25, '250ms'],
    [90, '1m30s'],
    [7080, '1h58m'],
    [3600, '1h'],
    [180_000, '2d2h'],
  ])('%d s reads %s', (s, text) => expect(humanSeconds(s)).toBe(text));
});
