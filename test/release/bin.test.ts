import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempRepo } from './repo.js';

const run = promisify(execFile);
const bin = join(process.cwd(), 'bin', 'slipway');

describe('./bin/slipway release and render --format all (built)', () => {
  const repo = new TempRepo();
  afterAll(() => repo.remove());
  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: process.cwd() });
  }, 180_000);

  it('releases a scripted history and writes the repository layout', async () => {
    repo.write(
      'slipway.yaml',
      'app: shop\nregistry: ghcr.io/acme\nversion: 1.0.0\nservices:\n  api: { build: { context: . }, port: 8080 }\nenvironments:\n  staging: {}\n  production: { approval: required }\n',
    );
    repo.write('go.mod', 'module example.com/shop\n\ngo 1.24\n');
    repo.git('add', '.');
    repo.git('commit', '--quiet', '-m', 'feat: first service');
    const dry = await run(bin, ['release', '--dry-run', '--output', 'json'], {
      cwd: repo.dir,
      env: repo.env,
    });
    expect(JSON.parse(dry.stdout)).toMatchObject({ version: '0.1.0', released: false, dryRun: true });
    const released = await run(bin, ['release'], { cwd: repo.dir, env: repo.env });
    expect(released.stdout).toContain('released v0.1.0');
    expect(repo.tags()).toEqual(['v0.1.0']);

    const out = mkdtempSync(join(tmpdir(), 'slipway-all-'));
    try {
      writeFileSync(join(out, '.keep'), '');
      const all = await run(bin, [
        'render',
        '-f',
        join(repo.dir, 'slipway.yaml'),
        '--format',
        'all',
        '--out',
        out,
      ]);
      expect(all.stdout).toMatch(/wrote \d+ files/);
      for (const f of [
        '.github/workflows/cd.yml',
        'deploy/helm/Chart.yaml',
        'docs/runbooks/deploy.md',
        'deploy/grafana/shop.json',
      ])
        expect(existsSync(join(out, f)), f).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    // The dirty-tree refusal through the real process: exit code 2.
    repo.write('stray.txt', 'x');
    await expect(run(bin, ['release'], { cwd: repo.dir, env: repo.env })).rejects.toMatchObject({ code: 2 });
  });
});
