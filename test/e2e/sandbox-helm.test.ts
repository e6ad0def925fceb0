/**
 * helm v4 against the sandbox: install, upgrade, history, rollback and uninstall of a small chart
 * (test/fixtures/sandbox-chart). Helm stores releases as Secrets through client-go's typed client,
 * which sends protobuf bodies; the sandbox decodes those for Secrets. Without controllers the
 * workloads never become ready, so no `--wait` here.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const chart = resolve(import.meta.dirname, '..', 'fixtures', 'sandbox-chart');
let env: SandboxEnv;

beforeAll(async () => {
  env = await startSandboxEnv();
});
afterAll(async () => {
  await env?.stop();
});

async function image(): Promise<string> {
  return (
    await env.kubectl([
      'get',
      'deploy',
      'demo-web',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ])
  ).stdout;
}

describe('helm', () => {
  it('installs, upgrades, rolls back and uninstalls a release', async () => {
    expect((await env.helm(['install', 'demo', chart])).stdout).toContain('STATUS: deployed');
    expect(await image()).toBe('nginx:1.27');
    const secrets = (await env.kubectl(['get', 'secrets', '-l', 'owner=helm', '-o', 'name'])).stdout;
    expect(secrets).toContain('secret/sh.helm.release.v1.demo.v1');

    await env.helm(['upgrade', 'demo', chart, '--set', 'image=nginx:1.28', '--set', 'message=bye']);
    expect(await image()).toBe('nginx:1.28');
    expect((await env.kubectl(['get', 'cm', 'demo-config', '-o', 'jsonpath={.data.MESSAGE}'])).stdout).toBe(
      'bye',
    );

    await env.helm(['rollback', 'demo', '1']);
    expect(await image()).toBe('nginx:1.27');
    const history = (await env.helm(['history', 'demo', '-o', 'json'])).stdout;
    expect(
      (JSON.parse(history) as { revision: number; status: string }[]).map((h) => [h.revision, h.status]),
    ).toEqual([
      [1, 'superseded'],
      [2, 'superseded'],
      [3, 'deployed'],
    ]);

    await env.helm(['uninstall', 'demo']);
    expect((await env.kubectlResult(['get', 'deploy', 'demo-web'])).stderr).toContain('NotFound');
    expect((await env.kubectl(['get', 'secrets', '-l', 'owner=helm', '-o', 'name'])).stdout).toBe('');
  });
});
