/** An in-process sandbox on a random port with a temporary kubeconfig, for the e2e suites. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox, type SandboxOptions, mergeSandboxKubeconfig } from '@slipway/sandbox';
import { helm, kubectl } from '../helpers/kube-tools.js';

export interface SandboxEnv {
  sandbox: Sandbox;
  dir: string;
  kubeconfig: string;
  /** Runs the real kubectl against the sandbox with its own cache dir. */
  kubectl(args: string[], opts?: { env?: NodeJS.ProcessEnv }): Promise<{ stdout: string; stderr: string }>;
  /** Like kubectl, but resolves with the exit code instead of throwing. */
  kubectlResult(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Runs the real helm against the sandbox with its own cache, config and data dirs. */
  helm(args: string[]): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/**
 * A short back-off for suites whose versions crash or cannot be pulled on purpose (the kubelet's is
 * 10 s doubling, the sandbox's default 1 s; image pulls back off by the same numbers): the fail-fast
 * rule still sees every restart and failed pull, only sooner.
 */
export const SHORT_CRASH_LOOP_BACKOFF = 'crashLoopBackoff: { initialMs: 200, maxMs: 1000 }\n';

/** `config`: the text of the sandbox's config file (docs/sandbox-runtime.md), written beside the kubeconfig. */
export async function startSandboxEnv(opts: SandboxOptions & { config?: string } = {}): Promise<SandboxEnv> {
  const { config, ...options } = opts;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-sandbox-e2e-'));
  if (config !== undefined) {
    options.configFile = join(dir, 'sandbox.yaml');
    writeFileSync(options.configFile, config);
  }
  const sandbox = await startSandbox({ runtime: false, ...options });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    mergeSandboxKubeconfig(
      '',
      { url: sandbox.url, caCert: sandbox.certs.caCert, token: sandbox.token },
      { setCurrent: true },
    ),
  );
  const base = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')];
  const env = { KUBECONFIG: kubeconfig, HOME: dir };
  const run = (args: string[], o: { env?: NodeJS.ProcessEnv } = {}) =>
    kubectl([...base, ...args], { env: { ...env, ...o.env } });
  return {
    sandbox,
    dir,
    kubeconfig,
    kubectl: run,
    helm: (args) =>
      helm(args, {
        env: {
          ...env,
          HELM_CACHE_HOME: join(dir, 'helm-cache'),
          HELM_CONFIG_HOME: join(dir, 'helm-config'),
          HELM_DATA_HOME: join(dir, 'helm-data'),
        },
      }),
    async kubectlResult(args) {
      try {
        const r = await run(args);
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (e) {
        const err = e as { code?: number; stdout?: string; stderr?: string };
        return {
          code: typeof err.code === 'number' ? err.code : 1,
          stdout: err.stdout ?? '',
          stderr: err.stderr ?? '',
        };
      }
    },
    async stop() {
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function writeManifest(env: SandboxEnv, name: string, text: string): string {
  const file = join(env.dir, name);
  writeFileSync(file, text);
  return file;
}

export const WEB_APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data: {LOG_LEVEL: info}
`;
