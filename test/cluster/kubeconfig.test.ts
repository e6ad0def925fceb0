import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKubeconfig } from '../../src/cluster/kubeconfig.js';
import { UserError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('loadKubeconfig', () => {
  it('with no kubeconfig anywhere, says so and points at the sandbox (not an HTTP error on the first request)', () => {
    const none = failure(() => loadKubeconfig({}, { HOME: dir }));
    expect(none.message).toBe(`no kubeconfig: ${join(dir, '.kube', 'config')} does not exist`);
    expect(none.hint).toContain('slipway sandbox up --detach');
    const listed = failure(() =>
      loadKubeconfig({}, { HOME: dir, KUBECONFIG: `${join(dir, 'a')}:${join(dir, 'b')}` }),
    );
    expect(listed.message).toBe(
      `no kubeconfig: none of $KUBECONFIG (${join(dir, 'a')}:${join(dir, 'b')}) exists`,
    );
  });

  it('loads a kubeconfig file given with --kubeconfig', () => {
    const file = join(dir, 'config');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: shop}}]\ncurrent-context: x\n',
    );
    expect(loadKubeconfig({ kubeconfig: file }, { HOME: dir })).toMatchObject({
      context: 'x',
      server: 'https://127.0.0.1:6443',
      namespace: 'shop',
    });
  });

  it('merges several $KUBECONFIG files as kubectl does: missing files skipped, the first to define a name or current-context wins', () => {
    const config = (name: string, server: string, current?: string) =>
      `apiVersion: v1\nkind: Config\nclusters: [{name: ${name}, cluster: {server: "${server}"}}, {name: shared, cluster: {server: "${server}"}}]\nusers: [{name: ${name}, user: {token: t}}]\ncontexts: [{name: ${name}, context: {cluster: ${name}, user: ${name}, namespace: ns-${name}}}, {name: shared, context: {cluster: shared, user: ${name}}}]\n${current ? `current-context: ${current}\n` : ''}`;
    const [a, b, missing] = [join(dir, 'kc-a'), join(dir, 'kc-b'), join(dir, 'kc-missing')];
    writeFileSync(a, config('alpha', 'https://127.0.0.1:1001'));
    writeFileSync(b, config('beta', 'https://127.0.0.1:1002', 'beta'));
    const env = { HOME: dir, KUBECONFIG: [missing, a, b].join(delimiter) };
    // current-context only in the second file; its context and cluster come from that file.
    expect(loadKubeconfig({}, env)).toMatchObject({
      context: 'beta',
      server: 'https://127.0.0.1:1002',
      namespace: 'ns-beta',
    });
    // Both name a context "shared" and a cluster "shared": the first file's win.
    expect(loadKubeconfig({ context: 'shared' }, env)).toMatchObject({ server: 'https://127.0.0.1:1001' });
    expect(loadKubeconfig({ context: 'alpha' }, env)).toMatchObject({ namespace: 'ns-alpha' });
    writeFileSync(a, config('alpha', 'https://127.0.0.1:1001', 'alpha'));
    expect(loadKubeconfig({}, env).context).toBe('alpha');
  });
});
