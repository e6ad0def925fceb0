import { describe, expect, it } from 'vitest';
import { commandsFor, offlineCommands } from '../../src/cli/commands/entries.js';
import { commands } from '../../src/cli/commands/index.js';
import { asksProgramHelp, PROGRAM_FLAGS, runsOffline } from '../../src/cli/commands/offline-names.js';
import {
  CHECK_CACHE,
  CLI_CACHE,
  CLI_SCRIPT,
  OFFLINE_CACHE,
  OFFLINE_SCRIPT,
  scriptFor,
} from '../../src/cli/launch.js';
import { memoryIo } from '../../src/cli/io.js';
import { buildProgramOf } from '../../src/cli/run.js';

/**
 * Which command lines bin/slipway runs from the bundled offline script (src/cli/launch.ts) and which
 * commands the CLI registers for them. An option before the command is read by commander as the
 * program's own, so how the launcher tells those lines rests on the program having no options but
 * --version and --help: held here against the program itself. (test/cli/import-graph.test.ts runs
 * such lines both ways and compares the output byte for byte.)
 */
describe('the program options the launcher knows', () => {
  it("are the program's own, none of which takes a value", async () => {
    const { io } = memoryIo();
    const program = await buildProgramOf({ io, argv: [], exit: () => {} }, [], []);
    const options = program.createHelp().visibleOptions(program);
    expect(options.map((o) => [o.short, o.long])).toEqual([
      [...PROGRAM_FLAGS.version],
      [...PROGRAM_FLAGS.help],
    ]);
    expect(options.filter((o) => o.required || o.optional)).toEqual([]);
  });
});

describe('runsOffline', () => {
  it.each([
    [['validate', '-f', 'x.yaml'], true],
    [['check', 'a.yaml', '-o', 'json'], true],
    [['render', '--help'], true],
    [['deploy', '--env', 'dev'], false],
    [['help', 'validate'], false],
    [['status'], false],
    // commander stops at the program for an option before the command: "unknown option", or the version.
    [['-f', 'x.yaml', 'validate'], true],
    [['--output', 'json', 'render'], true],
    [['--bogus', 'deploy'], true],
    [['-x', 'status', '-v'], true],
    // ... or the program's help, which lists every command.
    [['--help', 'validate'], false],
    [['-f', 'x', 'validate', '-h'], false],
    [['-h', 'deploy'], false],
    [['-x', '-vh', 'deploy'], true],
    [['-x', '--', '-v', '--help'], false],
  ])('%j: %s', (args, offline) => {
    expect(runsOffline(args)).toBe(offline);
  });
});

describe('commandsFor', () => {
  const names = (args: string[]) => commandsFor(args, commands).map((c) => c.name);

  it("registers the named command, or every one for the program's help", () => {
    expect(names(['check', 'a.yaml'])).toEqual(['check']);
    expect(names(['validate', '--help'])).toEqual(['validate']);
    expect(names(['--help', 'validate'])).toEqual(commands.map((c) => c.name));
    expect(asksProgramHelp(['--help', 'validate'])).toBe(true);
    expect(commandsFor(['-f', 'x', 'validate'], offlineCommands).map((c) => c.name)).toEqual(
      offlineCommands.map((c) => c.name),
    );
  });
});

describe('scriptFor', () => {
  it('gives check a code cache of its own and every other command the script of all', () => {
    expect(scriptFor(['check', 'a.yaml'])).toEqual({ script: OFFLINE_SCRIPT, cache: CHECK_CACHE });
    expect(scriptFor(['validate', '-f', 'check'])).toEqual({ script: OFFLINE_SCRIPT, cache: OFFLINE_CACHE });
    expect(scriptFor(['--bogus', 'check'])).toEqual({ script: OFFLINE_SCRIPT, cache: OFFLINE_CACHE });
    expect(scriptFor(['render'])).toEqual({ script: OFFLINE_SCRIPT, cache: OFFLINE_CACHE });
    expect(scriptFor(['status'])).toEqual({ script: CLI_SCRIPT, cache: CLI_CACHE });
    expect(scriptFor(['--help', 'validate'])).toEqual({ script: CLI_SCRIPT, cache: CLI_CACHE });
  });
});
