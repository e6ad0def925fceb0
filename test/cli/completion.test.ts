import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** `slipway completion bash|zsh|fish`, judged by a real bash: syntax, `complete -p`, and completions. */
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'slipway-completion-'));

async function script(shell: string) {
  const io = memoryIo();
  const code = await main(['node', 'slipway', 'completion', shell], io.io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** What bash completes after `words` (the last one being completed). */
async function complete(file: string, words: string[]): Promise<string[]> {
  const array = words.map((w) => `'${w}'`).join(' ');
  const { stdout } = await run('bash', [
    '-c',
    `source '${file}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _slipway; printf '%s\\n' "\${COMPREPLY[@]}"`,
  ]);
  return stdout.split('\n').filter(Boolean);
}

describe('slipway completion', () => {
  it('bash: valid syntax, registers with complete, completes commands, subcommands, options and their values', async () => {
    const { code, out } = await script('bash');
    expect(code).toBe(0);
    const file = join(dir, 'slipway.bash');
    writeFileSync(file, out);
    await run('bash', ['-n', file]);
    const { stdout } = await run('bash', ['-c', `source '${file}' && complete -p slipway`]);
    expect(stdout.trim()).toBe('complete -o default -F _slipway slipway');
    expect(await complete(file, ['slipway', 'sa'])).toEqual(['sandbox']);
    expect(await complete(file, ['slipway', 'sandbox', 'st'])).toEqual(['status']);
    expect(await complete(file, ['slipway', 'comp'])).toEqual(['completion']);
    expect(await complete(file, ['slipway', 'status', '-o', ''])).toEqual(['text', 'json', 'yaml']);
    // The value of --env is skipped when finding the command; --kube-context is offered.
    expect(await complete(file, ['slipway', 'status', '--env', 'dev', '--kube-c'])).toEqual([
      '--kube-context',
    ]);
    expect(await complete(file, ['slipway', 'sandbox', 'down', '--data-dir', 'x', '--'])).toContain(
      '--data-dir',
    );
    expect(await complete(file, ['slipway', 'completion', 'f'])).toEqual([]);
  });

  it('zsh: the bash script through bashcompinit, valid syntax', async () => {
    const { code, out } = await script('zsh');
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('#compdef slipway');
    expect(out).toContain('bashcompinit');
    const file = join(dir, 'slipway.zsh');
    writeFileSync(file, out);
    await run('bash', ['-n', file]);
  });

  it('fish: one complete line per command and option, conditions on the subcommand path', async () => {
    const { code, out } = await script('fish');
    expect(code).toBe(0);
    const lines = out.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines.every((l) => l.startsWith('complete -c slipway '))).toBe(true);
    expect(out).toContain(
      "complete -c slipway -n '__fish_seen_subcommand_from sandbox; and __fish_seen_subcommand_from status' -l output -s o -x -a 'text json yaml'",
    );
    expect(out).toContain("-n '__fish_use_subcommand' -a 'completion'");
  });

  it('refuses another shell (exit 2)', async () => {
    const { code, err } = await script('ksh');
    expect(code).toBe(2);
    expect(err).toContain('bash, zsh, fish');
  });
});
