import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** Issue 14: `-o xml` is refused (exit 2, naming the allowed values) by every command, before it runs. */
const SPEC = resolve(import.meta.dirname, '..', '..', 'examples', 'sample-service', 'slipway.yaml');
const home = mkdtempSync(join(tmpdir(), 'slipway-output-flag-'));

async function run(...args: string[]) {
  const io = memoryIo({ env: { HOME: home, SLIPWAY_SANDBOX_HOME: join(home, 'state') }, cwd: home });
  const code = await main(['node', 'slipway', ...args], io.io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('--output', () => {
  it.each([
    ['render', '-f', SPEC, '-e', 'dev'],
    ['validate', SPEC],
    ['schema'],
    ['sandbox', 'status'],
    ['sandbox', 'down'],
    ['status', '-f', SPEC, '-e', 'dev'],
    ['history', '-f', SPEC, '-e', 'dev'],
    ['check', SPEC],
  ])('slipway %s ... -o xml exits 2 naming the formats', async (...command) => {
    const { code, out, err } = await run(...command, '-o', 'xml');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/xml/);
    expect(err).toMatch(/json/);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('yaml where a table is printed (sandbox status)', async () => {
    const { code, out } = await run('sandbox', 'status', '-o', 'yaml');
    expect(code).toBe(1);
    expect(parse(out)).toEqual({ running: false, others: [] });
  });
});

describe('colour', () => {
  const fixture = resolve(import.meta.dirname, '..', 'fixtures', 'policy', 'privileged.yaml');
  async function checkOutput(isTTY: boolean, env: Record<string, string>) {
    const m = memoryIo({ env });
    await main(['node', 'slipway', 'check', fixture], { ...m.io, isTTY });
    return m.stdout();
  }
  // eslint-disable-next-line no-control-regex
  const ESC = /\x1b\[/;
  it('only on a terminal, and never with NO_COLOR', async () => {
    expect(await checkOutput(true, {})).toMatch(ESC);
    expect(await checkOutput(true, { NO_COLOR: '1' })).not.toMatch(ESC);
    expect(await checkOutput(false, {})).not.toMatch(ESC);
  });
});
