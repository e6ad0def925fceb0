/**
 * How `bin/slipway` starts a command fast. The build joins the CLI into CommonJS scripts:
 * dist/cli/offline.cjs with the offline commands (commands/entries.ts), dist/cli/cli.cjs with every
 * command, and compiles each once with V8 into code caches beside them (scripts/bundle-offline.mjs).
 * Here a script is compiled with its cache: V8 takes the compiled code instead of parsing and
 * compiling the modules (for `validate`, ~100: the spec, the writers, zod, yaml and commander; for
 * `status`, ~300 and the 1.6 MB cluster client), and Node resolves, reads and links one file instead
 * of them. Nothing is written at run time.
 *
 * When there is no script (a `tsc` build only), bin/slipway runs the ES modules of dist/. A cache
 * V8 rejects (another Node or V8 version, other V8 flags) is ignored by V8 itself: the script is
 * then compiled from source, as fast as the modules or a little faster.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { commandNamed, leadsWithOption, runsOffline } from './commands/offline-names.js';

export type Main = (argv: string[]) => Promise<number>;

export interface LoadedScript {
  main: Main;
  /** The compiled script (the build asks it for its code cache). */
  script: vm.Script;
  /** True when there was a code cache and V8 took it. */
  cacheAccepted: boolean;
}

/** The offline commands (./commands/entries.ts) and their code caches. */
export const OFFLINE_SCRIPT = 'offline.cjs';
export const OFFLINE_CACHE = 'offline.cjs.cache';
/** `check`'s own code cache of the same script: its rules and readers would make the other's half again as large. */
export const CHECK_CACHE = 'offline.cjs.check.cache';
/** Every command (./main.ts), for the command lines the offline script does not take, and its cache. */
export const CLI_SCRIPT = 'cli.cjs';
export const CLI_CACHE = 'cli.cjs.cache';

/**
 * The V8 flags commands run with (set before the script is compiled). The interrupt budget: how
 * much bytecode a function runs before V8 optimises it with TurboFan, here 8 times V8's default
 * (67,584). A command runs once, and `check` runs its many small rule functions a few thousand
 * times each: by the default budget TurboFan compiled ~200 functions during the rules of a
 * 10,000-object check (a few ms each, on the one core the command has) and threw ~50 of those away
 * again when an object of a new shape came, more than the optimised code saved in one run. Pinned
 * to one core, that check took 2.6 s of CPU, 1.96 s with this budget (its rules ~1,300 ms cold,
 * ~700 ms); its reader and small commands took the same. Long-running commands reach their
 * optimised code all the same.
 */
export const V8_FLAGS: readonly string[] = [`--interrupt-budget=${8 * 67_584}`];

/**
 * The script and code cache a command line runs from. V8 reads all of a cache at start-up: one
 * cache with `check`'s functions too was 1.6 MB instead of 1 MB and cost `render` about 10 ms of
 * CPU more, and the script of every command (with the cluster client, 4.9 MB) takes half as long
 * again as the offline one to start. So each command line reads the smallest that holds what it
 * runs; the build makes each cache in a process of its own (scripts/bundle-offline.mjs).
 */
export function scriptFor(args: readonly string[]): { script: string; cache: string } {
  if (!runsOffline(args)) return { script: CLI_SCRIPT, cache: CLI_CACHE };
  const check = commandNamed(args) === 'check' && !leadsWithOption(args);
  return { script: OFFLINE_SCRIPT, cache: check ? CHECK_CACHE : OFFLINE_CACHE };
}

/**
 * `main` of the bundled CLI script for `args` in `dir` (dist/cli), or undefined when it is not
 * there (a `tsc` build only: bin/slipway then runs dist/'s modules). bin/slipway requires this
 * module as dist/cli/launch.cjs (the build joins it with ./commands/offline-names.ts into one
 * CommonJS file): an ES module would cost the start-up of every command more (Node's ES module
 * loader wraps each built-in module it imports).
 */
export function scriptMain(args: readonly string[], dir: string): Main | undefined {
  return loadScript(dir, scriptFor(args))?.main;
}

/** A package imported as an ES module, resolved from dist/cli/ (the script's own directory). */
function importPackage(specifier: string): Promise<unknown> {
  return import(specifier);
}

/**
 * Compiles and runs dist/cli/`opts.script` (OFFLINE_SCRIPT unless told), with the code cache
 * `opts.cache` (a file beside it; OFFLINE_CACHE unless told, none with `false`) when there is one,
 * and returns its exports.
 */
export function loadScript(
  dir: string,
  opts: { script?: string; cache?: string | false } = {},
): LoadedScript | undefined {
  const file = join(dir, opts.script ?? OFFLINE_SCRIPT);
  let source: string;
  try {
    // The build keeps the script ASCII, so latin1 reads it as utf8 would, without decoding.
    source = readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
  let cachedData: Buffer | undefined;
  if (opts.cache !== false) {
    try {
      cachedData = readFileSync(join(dir, opts.cache ?? OFFLINE_CACHE));
    } catch {
      cachedData = undefined;
    }
  }
  // Before the compile: V8 takes a code cache only under the flags it was made with (the build makes
  // the caches through this function too).
  for (const flag of V8_FLAGS) v8.setFlagsFromString(flag);
  // CommonJS's own wrapper, so the script sees require, module and __dirname as a .cjs file does,
  // and a way to import the few packages that stay ES modules (scripts/bundle-offline.mjs'
  // LATE_PACKAGES): a vm script cannot run import() itself, this module can.
  const wrapped = `(function (exports, require, module, __filename, __dirname, __slipwayImport) {${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  const module = { exports: {} as { main?: Main } };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(file), module, file, dir, importPackage);
  const main = module.exports.main;
  if (typeof main !== 'function') return undefined;
  return { main, script, cacheAccepted: cachedData !== undefined && script.cachedDataRejected === false };
}
