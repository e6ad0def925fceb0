import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const bin = join(repo, 'bin', 'slipway');
const fixtures = join(repo, 'test', 'fixtures', 'policy');

async function slipway(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(bin, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('./bin/slipway check (built)', () => {
  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: repo });
  }, 180_000);

  it('reports with positions and exit codes 0/1/2', async () => {
    const bad = await slipway(['check', 'privileged.yaml'], fixtures);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('privileged.yaml:10:9');
    expect((await slipway(['check', 'clean.yaml'], fixtures)).code).toBe(0);
    expect((await slipway(['check', 'missing.yaml'], fixtures)).code).toBe(2);
  });

  it('--fix rewrites the file keeping comments, and the result is clean of fixable findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-fix-'));
    const file = join(dir, 'pod.yaml');
    writeFileSync(
      file,
      '# the tools pod\napiVersion: v1\nkind: Pod\nmetadata:\n  name: tools # keep this note\nspec:\n  containers:\n  - name: sh\n    image: busybox:1.36\n',
    );
    const fixed = await slipway(['check', 'pod.yaml', '--fix', '-o', 'json'], dir);
    expect(fixed.stderr).toContain('fixed: pod.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# the tools pod');
    expect(text).toContain('# keep this note');
    const after = await slipway(['check', 'pod.yaml', '-o', 'json'], dir);
    expect(
      (JSON.parse(after.stdout) as { findings: Array<{ fixable: boolean }> }).findings.filter(
        (f) => f.fixable,
      ),
    ).toEqual([]);
  });
});
