/**
 * The library surface as a user gets it: `npm pack` of slipway and its workspace packages, installed
 * into an empty project, running the example of docs/library.md verbatim (its ```js block) beside
 * the sample service's slipway.yaml. Dependencies come from npm's cache (`npm ci` filled it).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The first ```js block of docs/library.md: the example the docs promise works. */
function libraryExample(): string {
  const doc = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');
  const block = /```js\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error('docs/library.md has no ```js example');
  return block[1]!;
}

describe('the packed library', () => {
  let project: string;
  let packs: string;
  const tarballs: { name: string; size: number; files: number; file: string; paths: string[] }[] = [];

  beforeAll(async () => {
    packs = mkdtempSync(join(tmpdir(), 'slipway-packs-'));
    project = mkdtempSync(join(tmpdir(), 'slipway-library-user-'));
    // dist/ is built by `npm test` before vitest runs; pack what a release would publish.
    const { stdout } = await run(
      npm,
      ['pack', '--json', '--workspaces', '--include-workspace-root', '--pack-destination', packs],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    const packed = JSON.parse(stdout) as {
      name: string;
      size: number;
      entryCount: number;
      filename: string;
      files: { path: string }[];
    }[];
    for (const p of packed)
      tarballs.push({
        name: p.name,
        size: p.size,
        files: p.entryCount,
        file: join(packs, p.filename),
        paths: p.files.map((f) => f.path),
      });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'library-user', private: true, type: 'module' }, null, 2),
    );
    await run(
      npm,
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        ...tarballs.map((t) => t.file),
      ],
      { cwd: project, maxBuffer: 64 * 1024 * 1024 },
    );
    copyFileSync(join(ROOT, 'examples', 'sample-service', 'slipway.yaml'), join(project, 'slipway.yaml'));
    writeFileSync(join(project, 'build.mjs'), libraryExample());
  }, 300_000);

  afterAll(() => {
    for (const dir of [project, packs]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the three packages, each without tests or source maps', () => {
    console.log(
      tarballs.map((t) => `${t.name}: ${t.files} files, ${Math.round(t.size / 1024)} KB packed`).join('\n'),
    );
    expect(tarballs.map((t) => t.name).sort()).toEqual(['@slipway/kube', '@slipway/sandbox', 'slipway']);
    const stray = tarballs.flatMap((t) => t.paths.filter((p) => /\.map$|\.test\.|(^|\/)testing\//.test(p)));
    expect(stray).toEqual([]);
  });

  it('runs the example of docs/library.md: render, check, a Helm chart and a sandbox deploy', async () => {
    const { stdout } = await run(process.execPath, ['build.mjs'], { cwd: project, timeout: 240_000 });
    console.log(stdout);
    expect(stdout).toMatch(/^rendered \d+ objects: .*Deployment/m);
    expect(stdout).toMatch(/^check: \d+ findings, worst (none|info|warning)$/m);
    expect(stdout).toMatch(/^helm chart: \d+ files, Chart.yaml first line: apiVersion: v2$/m);
    expect(stdout).toMatch(/^deploy: deployed \(exit 0\) after \d+ steps$/m);
  }, 300_000);

  it('exposes types for its public names only', () => {
    const types = readFileSync(join(project, 'node_modules', 'slipway', 'dist', 'index.d.ts'), 'utf8');
    for (const name of ['loadSpec', 'renderApp', 'renderFormat', 'checkYaml', 'deployEnvironment'])
      expect(types).toContain(name);
  });
});
