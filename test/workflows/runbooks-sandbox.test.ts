/**
 * Issue 20 / issue 14: runbook commands name objects that exist. The blue-green example is deployed
 * into the sandbox (simulated pods) with `slipway deploy`, then every runbook command of its
 * environment that the sandbox can serve runs with the real kubectl v1.33: plain commands
 * (get, rollout status/restart/undo, scale) must succeed and, where they select by label, find
 * something. Commands that need a container runtime (exec, cp, top, logs of simulated pods) or
 * an operator's shell (pipes, variables) are not run here; the rotation's Secret steps are run
 * through bash below with the real Secret.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunbooks } from '../../src/render/runbooks/index.js';
import { kubectlPath } from '../helpers/kube-tools.js';
import { slipwayCli } from '../e2e/deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';
import { renderedInputOfFile } from './rendered.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SPEC = resolve(ROOT, 'examples/agentic-rag/slipway.yaml');
const ENV = 'dev';

/** The lines of the `## dev` section of a runbook page that start with kubectl and need no shell. */
function plainKubectl(markdown: string): string[][] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(`${ENV} `)) ?? '';
  return section
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('kubectl ') && !/[|<>'"$]/.test(l))
    .map((l) => l.split(/\s+/).slice(1));
}

const NEEDS_RUNTIME = /^(exec|cp|top|logs|run|describe)$/;

describe('runbook commands against the sandbox (blue-green example deployed)', () => {
  let env: SandboxEnv;
  let pages: Map<string, string>;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    const r = await slipwayCli(env, ['deploy', '-f', SPEC, '--env', ENV, '--skip-analysis']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    pages = writeRunbooks(renderedInputOfFile(SPEC)).files;
  }, 120_000);
  afterAll(async () => env?.stop());

  it('every plain kubectl command of the dev sections runs and finds what it names', async () => {
    const ran: string[] = [];
    // kubectl refuses a second `rollout restart` of a Deployment within the same second (its
    // restartedAt annotation has one-second resolution): a person reading the page is slower.
    let lastRestart = 0;
    for (const [page, text] of pages) {
      for (const args of plainKubectl(text)) {
        const verb = args.find((a, i) => i > 1 && !a.startsWith('-') && args[i - 1] !== '-n') ?? '';
        if (NEEDS_RUNTIME.test(verb)) continue;
        // The deploy Lease exists only while a deploy holds it: the situation that page step is for.
        if (args.includes('lease')) continue;
        if (args.includes('restart')) {
          const wait = lastRestart + 1100 - Date.now();
          if (wait > 0) await new Promise((res) => setTimeout(res, wait));
          lastRestart = Date.now();
        }
        const r = await env.kubectlResult(args);
        const line = `${page}: kubectl ${args.join(' ')}`;
        expect(r.code, `${line}\n${r.stderr}`).toBe(0);
        // A listing may be empty (no HPA in dev); a command that acts must find its target.
        if (verb !== 'get') expect(`${r.stdout}${r.stderr}`, line).not.toContain('No resources found');
        ran.push(line);
      }
    }
    console.log(`runbook commands run against the sandbox (${ran.length}):\n${ran.join('\n')}`);
    expect(ran.some((l) => l.includes('rollout restart deployment -l'))).toBe(true);
  }, 120_000);

  it('the database rotation updates both password and url (bash, the runbook lines as written)', async () => {
    const page = pages.get('docs/runbooks/secret-rotation.md')!;
    const section = page.split(/^## /m).find((s) => s.startsWith(`${ENV} `))!;
    const db = section.split(/^### /m).find((s) => s.startsWith('db (postgres)'))!;
    const lines = db
      .split('\n')
      .filter((l) => l.startsWith('NEW_PASSWORD=') || l.startsWith('URL=') || l.includes('patch secret'));
    expect(lines).toHaveLength(3);
    const secret = /patch secret (\S+)/.exec(lines[2]!)![1]!;
    const ns = /kubectl -n (\S+)/.exec(lines[2]!)![1]!;
    const read = async (key: string) =>
      Buffer.from(
        (await env.kubectl(['-n', ns, 'get', 'secret', secret, '-o', `jsonpath={.data.${key}}`])).stdout,
        'base64',
      ).toString();
    const before = { password: await read('password'), url: await read('url') };
    expect(before.url).toContain(`:${before.password}@`);
    const r = await bash([...lines, 'echo "$NEW_PASSWORD"'].join('\n'), {
      PATH: `${resolve(kubectlPath(), '..')}:/usr/bin:/bin`,
      KUBECONFIG: env.kubeconfig,
      HOME: env.dir,
    });
    expect(r.code, r.out).toBe(0);
    const fresh = r.out.trim().split('\n').pop()!;
    expect(await read('password')).toBe(fresh);
    const url = await read('url');
    expect(url).toBe(before.url.replace(`:${before.password}@`, `:${fresh}@`));
  }, 60_000);
});

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', (code) => done({ code: code ?? 1, out }));
  });
}
