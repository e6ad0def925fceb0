import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findKubeTool } from '../../src/tools/kube-binaries.js';

const run = promisify(execFile);

/** The real helm v4 / kubectl v1.33 from the npm layer package; never the ones on PATH. */
export function helmPath(): string {
  return findKubeTool('helm', { ...process.env, PATH: '', SLIPWAY_HELM: undefined });
}

export function kubectlPath(): string {
  return findKubeTool('kubectl', { ...process.env, PATH: '', SLIPWAY_KUBECTL: undefined });
}

export async function helm(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return run(helmPath(), args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, maxBuffer: 256 << 20 });
}

export async function kubectl(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return run(kubectlPath(), args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    maxBuffer: 256 << 20,
  });
}
