/** Shared by the deploy e2e suites: run slipway commands in-process against a sandbox, read what serves. */
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { memoryIo, type Io } from '../../src/cli/io.js';
import { startLoad as startDemoLoad, type RunningLoad } from '../../src/cli/demo/load.js';
import { servicePort as demoServicePort } from '../../src/cli/demo/sandbox.js';
import type { SandboxEnv } from './sandbox-env.js';

export const SAMPLE_SPEC = 'examples/sample-service/slipway.yaml';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function slipwayCli(env: SandboxEnv, args: string[]): Promise<CliResult> {
  const io = memoryIo({ env: { KUBECONFIG: env.kubeconfig } });
  const code = await main(['node', 'slipway', ...args], io.io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** The Service's local proxy port in the sandbox (what `slipway sandbox status` lists). */
export function servicePort(env: SandboxEnv, namespace: string, name: string): number {
  const port = demoServicePort(env.sandbox, namespace, name);
  if (port === undefined) throw new Error(`no proxy port for Service ${namespace}/${name}`);
  return port;
}

/** GET / through the Service proxy on a new connection: the version that answered. */
export { versionOf } from '../../src/cli/demo/probe.js';

export type { LoadStats } from '../../src/cli/demo/load.js';

/** Starts the load client (src/cli/demo/load-client.ts, its own process) on a Service port; `stop()` ends it and returns its counts. */
export function startLoad(port: number, concurrency = 8, maxSeconds = 180): Promise<RunningLoad> {
  return startDemoLoad(port, { concurrency, maxSeconds });
}

/**
 * Starts a CLI command in-process without waiting for it; `reached` resolves once a line of its
 * output matches `until` (e.g. the step that pauses for `slipway promote`); `waitFor(n, until)`
 * resolves once n lines matched.
 */
export function startCli(
  env: SandboxEnv,
  args: string[],
  until: (line: string) => boolean,
): {
  reached: Promise<void>;
  done: Promise<number>;
  output(): string;
  waitFor(count: number, match: (line: string) => boolean): Promise<void>;
} {
  const lines: string[] = [];
  const waiters: Array<{ count: number; match: (line: string) => boolean; resolve: () => void }> = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (lines.filter(w.match).length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const waitFor = (count: number, match: (line: string) => boolean) =>
    new Promise<void>((resolve) => {
      waiters.push({ count, match, resolve });
      check();
    });
  const reached = waitFor(1, until);
  const io: Io = {
    out: (t) => {
      lines.push(t);
      check();
    },
    err: (t) => lines.push(t),
    isTTY: false,
    cwd: process.cwd(),
    env: { KUBECONFIG: env.kubeconfig },
    stdin: Readable.from(['']),
  };
  return { reached, done: main(['node', 'slipway', ...args], io), output: () => lines.join(''), waitFor };
}
