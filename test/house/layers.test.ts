/**
 * The house rules (.dependency-cruiser.cjs, run by `npm run lint`) bite: a small tree with one
 * planted violation of each kind is refused by the same tool and configuration, rule by rule.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const tree = mkdtempSync(join(tmpdir(), 'slipway-layers-'));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(tree, path)), { recursive: true });
  writeFileSync(join(tree, path), text);
}

afterAll(() => rmSync(tree, { recursive: true, force: true }));

describe('the layer check', () => {
  it('refuses a cycle, an engine importing the CLI or the sandbox, and I/O in the pure core', async () => {
    write(
      'tsconfig.json',
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
    );
    write('src/spec/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
    write('src/spec/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
    write('src/cli/main.ts', 'export const main = 1;\n');
    write('packages/sandbox/src/index.ts', 'export const startSandbox = 1;\n');
    write(
      'src/engine/deploy.ts',
      "import { main } from '../cli/main.js';\nimport { startSandbox } from '../../packages/sandbox/src/index.js';\nexport const x = [main, startSandbox];\n",
    );
    write(
      'src/render/objects.ts',
      "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n",
    );
    write('src/render/ok.ts', "import { a } from '../spec/a.js';\nexport const ok = a;\n");
    write('src/secrets/local.ts', 'export const key = 1;\n');
    write('src/secrets/sops.ts', "import { readFileSync } from 'node:fs';\nexport const z = readFileSync;\n");
    write('src/engine/secret-key.ts', "import { key } from '../secrets/local.js';\nexport const k = key;\n");
    const result = await run(
      join(ROOT, 'node_modules', '.bin', 'depcruise'),
      ['src', 'packages', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'],
      { cwd: tree },
    ).catch((e: { stdout: string; code: number }) => e);
    const report = JSON.parse(result.stdout) as {
      summary: { violations: { rule: { name: string }; from: string; to: string }[] };
    };
    const found = report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    console.log(found.join('\n'));
    expect(found).toEqual([
      'engine-below-the-cli: src/engine/deploy.ts → packages/sandbox/src/index.ts',
      'engine-below-the-cli: src/engine/deploy.ts → src/cli/main.ts',
      'no-circular: src/spec/a.ts → src/spec/b.ts',
      'packages-through-their-entry: src/engine/deploy.ts → packages/sandbox/src/index.ts',
      'pure-core: src/render/objects.ts → fs',
      'secrets-core-no-io: src/secrets/sops.ts → fs',
      'secrets-files-at-the-edge: src/engine/secret-key.ts → src/secrets/local.ts',
    ]);
    expect((result as { code?: number }).code).not.toBe(0);
  }, 60_000);
});
