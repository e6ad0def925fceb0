/**
 * Finding and talking to a running sandbox from another process: the state file a sandbox writes
 * (pid, url, token, CA), liveness, its service ports, and stopping it. Used by
 * `slipway sandbox up --detach | down | status`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { ServicePort } from './types.js';

export const STATE_FILE_NAME = 'sandbox.json';
export const SERVICE_PORTS_PATH = '/slipway/v1/service-ports';

export interface SandboxState {
  pid: number;
  url: string;
  port: number;
  token: string;
  caCert: string;
  dataDir?: string;
  startedAt: string;
  kubeconfig?: string;
  runtime: boolean;
}

/** `$SLIPWAY_SANDBOX_HOME`, else `~/.slipway/sandbox`. */
export function stateDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  return env.SLIPWAY_SANDBOX_HOME || join(home, '.slipway', 'sandbox');
}

export function readState(dir: string): SandboxState | undefined {
  const file = join(dir, STATE_FILE_NAME);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
  } catch {
    return undefined;
  }
}

export function writeState(dir: string, state: SandboxState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, STATE_FILE_NAME), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}

export function clearState(dir: string, pid?: number): void {
  const state = readState(dir);
  if (pid === undefined || state?.pid === pid) rmSync(join(dir, STATE_FILE_NAME), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** GET a path on the sandbox with its token and CA; resolves with the parsed JSON. */
export function getJson<T>(state: SandboxState, path: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${state.url}${path}`,
      {
        headers: { Authorization: `Bearer ${state.token}`, Accept: 'application/json' },
        ca: state.caCert,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 400) reject(new Error(`${path}: HTTP ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text) as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path}: timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export function servicePorts(state: SandboxState): Promise<ServicePort[]> {
  return getJson<{ items: ServicePort[] }>(state, SERVICE_PORTS_PATH).then((r) => r.items);
}

/** SIGTERM, then wait for the process to exit (SIGKILL after `timeoutMs`). */
export async function stopProcess(
  pid: number,
  timeoutMs = 10_000,
): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isAlive(pid)) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, 'SIGKILL');
  return 'killed';
}
