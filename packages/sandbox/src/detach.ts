/**
 * Starting a sandbox as a detached background process (`slipway sandbox up --detach`): spawn the
 * daemon entry with its options, wait until it publishes its state file, and report its log when it
 * does not come up.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXIT_FAILED, SandboxError, type SandboxErrorInit } from './errors.js';
import { readState, stopProcess, type SandboxState } from './control.js';
import type { ServeOptions } from './serve.js';

export const DETACH_START_TIMEOUT_MS = 30_000;
export const LOG_FILE = 'sandbox.log';
/** Where a detached sandbox that cannot start leaves its SandboxError for the `up` that spawned it. */
export const START_ERROR_FILE = 'start-error.json';

/** A start-up failure the user can act on (a busy --port, an unreadable --data-dir), or undefined. */
export function startError(e: unknown, port: number): SandboxError | undefined {
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    return new SandboxError(`port ${port} on 127.0.0.1 is already in use`, {
      code: 'sandbox.port-in-use',
      path: '--port',
      hint: 'choose another port, or omit --port to take a free one',
      exitCode: EXIT_FAILED,
    });
  }
  return e instanceof SandboxError ? e : undefined;
}

/** Called by the daemon: records the error for startDetached, which reports it as its own. */
export function recordStartError(stateDir: string, error: SandboxError): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(stateDir, START_ERROR_FILE), JSON.stringify(error.toInit()));
}

function takeStartError(dir: string): SandboxError | undefined {
  const file = join(dir, START_ERROR_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const { message, ...init } = JSON.parse(readFileSync(file, 'utf8')) as SandboxErrorInit & {
      message: string;
    };
    return new SandboxError(message, init);
  } catch {
    return undefined;
  } finally {
    rmSync(file, { force: true });
  }
}

/** The daemon entry next to this module: compiled JS after a build, TypeScript through tsx in a checkout. */
function daemonArgs(): string[] {
  const js = fileURLToPath(new URL('./daemon.js', import.meta.url));
  if (existsSync(js)) return [js];
  const ts = fileURLToPath(new URL('./daemon.ts', import.meta.url));
  // Resolved from here, not from the user's working directory.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, ts];
}

export async function startDetached(
  serve: ServeOptions,
  io: { cwd: string; env: Readonly<Record<string, string | undefined>> },
): Promise<SandboxState> {
  const dir = serve.stateDir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  rmSync(join(dir, START_ERROR_FILE), { force: true });
  const log = openSync(join(dir, LOG_FILE), 'a');
  const child = spawn(process.execPath, [...daemonArgs(), JSON.stringify(serve)], {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: io.cwd,
    env: { ...process.env, ...io.env },
  });
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + DETACH_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const state = readState(dir);
    if (state && state.pid === child.pid) return state;
    if (exited !== undefined) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const recorded = exited !== undefined ? takeStartError(dir) : undefined;
  if (recorded) throw recorded;
  const tail = readFileSync(join(dir, LOG_FILE), 'utf8').split('\n').slice(-15).join('\n');
  if (exited === undefined && child.pid) await stopProcess(child.pid, 2000);
  throw new SandboxError(
    exited !== undefined
      ? `the sandbox exited (code ${exited}) before it was ready`
      : `the sandbox did not start within ${DETACH_START_TIMEOUT_MS / 1000} s`,
    {
      code: 'sandbox.start-failed',
      hint: `its log (${join(dir, LOG_FILE)}) ends with:\n${tail}`,
      exitCode: EXIT_FAILED,
    },
  );
}
