/**
 * The set-up of the rotation e2e (./secrets-rotate-db.test.ts), shared with bench/rotation-load.ts
 * so the bench measures the app the test runs: a sandbox that runs ./rotation-app.mjs as the image
 * `rotation-app`, the app `rot` (two services reading a PostgreSQL URL, one a MariaDB URL, one
 * Redis, each database a real server in the sandbox), and the load the test puts on it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { LoadOptions } from '../../src/cli/demo/load.js';
import type { CliResult } from './deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

export const ROTATION_APP = join(import.meta.dirname, 'rotation-app.mjs');

/**
 * The load during a rotation: a closed loop of 8 requests in flight, each on a new connection (so
 * every request goes through the Service proxy's choice of a ready pod, and the new pods take
 * traffic as soon as they are ready). Nothing is retried; every outcome is counted. On a quiet
 * 2-core machine it runs at several hundred requests a second; the rate is printed.
 */
export const ROTATION_LOAD: LoadOptions = { concurrency: 8 };

/** Paced at 100 requests a second over at most 32 keep-alive connections (bench/rotation-load.ts). */
export const PACED_LOAD: Required<Pick<LoadOptions, 'rate' | 'concurrency'>> = { rate: 100, concurrency: 32 };

export const ROTATION_SPEC = `app: rot
services:
  api:
    image: rotation-app:1
    port: 8080
    replicas: 2
    health:
      readiness: { http: /readyz, period: 1s, failureThreshold: 1 }
    env:
      DATABASE_URL: \${db.url}
    resources: { cpu: 50m, memory: 64Mi }
  worker:
    image: rotation-app:1
    port: 8080
    health:
      readiness: { http: /readyz, period: 1s, failureThreshold: 1 }
    env:
      DATABASE_URL: \${db.url}
    resources: { cpu: 50m, memory: 64Mi }
  shop:
    image: rotation-app:1
    port: 8080
    health:
      readiness: { http: /readyz, period: 1s, failureThreshold: 1 }
    env:
      DATABASE_URL: \${sql.url}
    resources: { cpu: 50m, memory: 64Mi }
  web:
    image: sample-service:1.0.0
    port: 8080
    health:
      readiness: { http: /readyz, period: 1s, failureThreshold: 1 }
    env:
      REDIS_URL: \${cache.url}
    resources: { cpu: 50m, memory: 64Mi }
dependencies:
  db: { type: postgres }
  cache: { type: redis }
  sql: { type: mysql }
deploy:
  strategy: rolling
  timeout: 2m
environments:
  dev: {}
`;

/** Why the databases cannot run here (the Debian packages missing), or undefined when they can. */
export function missingDatabaseTools(): string | undefined {
  const found = spawnSync(
    'sh',
    [
      '-c',
      'ls /usr/lib/postgresql/*/bin/postgres && command -v psql && command -v redis-server && command -v mariadbd && command -v mysql',
    ],
    { stdio: 'ignore' },
  );
  return found.status === 0
    ? undefined
    : 'the Debian packages postgresql, postgresql-client, redis-server, mariadb-server and mariadb-client are not installed (.ci/apt-packages lists them)';
}

export interface RotationSandbox {
  env: SandboxEnv;
  /** A temporary directory holding slipway.yaml (`spec`) and the sandbox's config. */
  dir: string;
  spec: string;
  /** Every stdout and stderr of `slipway`, in order (the test searches them for the passwords). */
  outputs: string[];
  /** Runs the CLI in this process against the sandbox, in `dir`. */
  slipway(args: string[]): Promise<CliResult>;
  /** `slipway deploy --env dev --skip-analysis` of ROTATION_SPEC. */
  deploy(): Promise<CliResult>;
  stop(): Promise<void>;
}

/** Starts the sandbox (with its runtime) and writes ROTATION_SPEC; nothing is deployed yet. */
export async function startRotationSandbox(): Promise<RotationSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-rotate-db-'));
  const config = join(dir, 'sandbox.yaml');
  writeFileSync(
    config,
    `images:\n  - match: rotation-app\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(ROTATION_APP)}]\n    env: { PORT: "\${port}" }\n`,
  );
  const env = await startSandboxEnv({ runtime: true, configFile: config });
  const spec = join(dir, 'slipway.yaml');
  writeFileSync(spec, ROTATION_SPEC);
  const outputs: string[] = [];
  const slipway = async (args: string[]): Promise<CliResult> => {
    const { io, stdout, stderr } = memoryIo({ cwd: dir, env: { KUBECONFIG: env.kubeconfig } });
    const code = await main(['node', 'slipway', ...args], io);
    outputs.push(stdout(), stderr());
    return { code, stdout: stdout(), stderr: stderr() };
  };
  return {
    env,
    dir,
    spec,
    outputs,
    slipway,
    deploy: () => slipway(['deploy', '-f', spec, '--env', 'dev', '--skip-analysis']),
    async stop() {
      await env.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
