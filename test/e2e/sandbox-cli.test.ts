/**
 * `slipway sandbox up --detach | status | down` in-process (the daemon is a real child process),
 * with a kubeconfig that already holds another context, which must survive.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { isAlive } from '../../src/sandbox/control.js';
import { kubectl } from '../helpers/kube-tools.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-sandbox-cli-'));
const kubeconfig = join(dir, 'kube', 'config');
const env = { HOME: dir, KUBECONFIG: kubeconfig, SLIPWAY_SANDBOX_HOME: join(dir, 'state') };

afterAll(async () => {
  await main(['node', 'slipway', 'sandbox', 'down'], memoryIo({ env }).io);
  rmSync(dir, { recursive: true, force: true });
});

const OTHER = `apiVersion: v1
kind: Config
clusters: [{name: prod, cluster: {server: "https://prod.example.com:6443"}}]
users: [{name: prod, user: {token: keep-me}}]
contexts: [{name: prod, context: {cluster: prod, user: prod}}]
current-context: prod
`;

describe('slipway sandbox', () => {
  it('starts detached, merges the kubeconfig, reports status and stops', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'kube'), { recursive: true });
    writeFileSync(kubeconfig, OTHER);

    const upIo = memoryIo({ env, cwd: dir });
    expect(await main(['node', 'slipway', 'sandbox', 'up', '--detach', '--no-runtime', '--output', 'json'], upIo.io)).toBe(0);
    const started = JSON.parse(upIo.stdout()) as { url: string; pid: number; context: string };
    expect(started.context).toBe('slipway-sandbox');
    expect(isAlive(started.pid)).toBe(true);

    const config = parse(readFileSync(kubeconfig, 'utf8'));
    expect(config['current-context']).toBe('slipway-sandbox');
    expect(config.contexts.map((c: { name: string }) => c.name).sort()).toEqual(['prod', 'slipway-sandbox']);
    expect(config.users.find((u: { name: string }) => u.name === 'prod').user.token).toBe('keep-me');

    const nodes = await kubectl(['get', 'nodes', '--cache-dir', join(dir, 'cache')], { env });
    expect(nodes.stdout).toMatch(/sandbox-node\s+Ready/);

    const again = memoryIo({ env });
    expect(await main(['node', 'slipway', 'sandbox', 'up', '--detach'], again.io)).toBe(1);
    expect(again.stderr()).toContain('already running');

    const statusIo = memoryIo({ env });
    expect(await main(['node', 'slipway', 'sandbox', 'status', '--output', 'json'], statusIo.io)).toBe(0);
    const status = JSON.parse(statusIo.stdout());
    expect(status).toMatchObject({ running: true, url: started.url, pid: started.pid, services: [] });

    const downIo = memoryIo({ env });
    expect(await main(['node', 'slipway', 'sandbox', 'down'], downIo.io)).toBe(0);
    expect(downIo.stdout()).toContain('stopped');
    expect(isAlive(started.pid)).toBe(false);
    const after = parse(readFileSync(kubeconfig, 'utf8'));
    expect(after.contexts.map((c: { name: string }) => c.name)).toEqual(['prod']);

    const gone = memoryIo({ env });
    expect(await main(['node', 'slipway', 'sandbox', 'status'], gone.io)).toBe(1);
    expect(gone.stdout()).toContain('No sandbox is running');
  });
});
