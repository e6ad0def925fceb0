import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

async function help(args: string[]): Promise<string> {
  const io = memoryIo();
  expect(await main(['node', 'slipway', ...args, '--help'], io.io)).toBe(0);
  return io.stdout();
}

/** The lines of the "Commands:" section: each entry must fit one 80-column line. */
function commandLines(text: string): string[] {
  const section = text.split('Commands:\n')[1] ?? '';
  return section.split('\n').filter((l) => l.trim() !== '');
}

describe('slipway --help', () => {
  it('lists every command on one line of at most 80 columns', async () => {
    const lines = commandLines(await help([]));
    for (const line of lines) {
      expect(line.length, line).toBeLessThanOrEqual(80);
      // A continuation line (a wrapped description) would start with spaces only up to the description column.
      expect(line, 'a wrapped description').toMatch(/^ {2}[a-z]/);
    }
    const names = lines.map((l) => l.trim().split(/\s+/)[0]);
    expect(names).toEqual([
      'demo',
      'init',
      'validate',
      'schema',
      'render',
      'check',
      'policy',
      'sandbox',
      'deploy',
      'status',
      'history',
      'metrics',
      'dashboard',
      'rollback',
      'promote',
      'abort',
      'secrets',
      'diff',
      'drift',
      'backup',
      'release',
      'completion',
      'help',
    ]);
  });

  it('lists the sandbox subcommands on one line each', async () => {
    const lines = commandLines(await help(['sandbox']));
    for (const line of lines) expect(line, 'a wrapped description').toMatch(/^ {2}[a-z]/);
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(['up', 'down', 'status', 'help']);
  });

  it('keeps the full description in each command’s own help', async () => {
    expect(await help(['deploy'])).toMatch(/rolling back\s+automatically when it fails/);
  });
});
