/**
 * Issue 24: secret values from secrets/ENV.yaml reach the pods and nothing else. Against the
 * sandbox, through the CLI in-process: two services of the sample image, each with its own secret;
 * deploy; change one value and deploy (only that workload rolls); fail two deploys on purpose (a
 * wrong key, a missing value: refused before anything is applied); then every stdout and stderr,
 * every written file, every release record and every cluster object other than the app's Secrets is
 * searched for each value (plain and base64): 0 hits.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const SAMPLE = readFileSync(new URL('../../examples/sample-service/slipway.yaml', import.meta.url), 'utf8');
// The sample's web service with a secret, and a second service of the same image with another.
const SPEC = SAMPLE.replace(
  '    terminationGracePeriod: 20s\n',
  '    terminationGracePeriod: 20s\n    secrets: [API_TOKEN]\n',
).replace(
  '\ndeploy:',
  `  admin:
    image: sample-service:1.0.0
    port: 8080
    health:
      readiness: { http: /readyz, period: 2s, failureThreshold: 2 }
    resources: { cpu: 50m, memory: 64Mi }
    secrets: [ADMIN_PASSWORD]

deploy:`,
);

// The last is ADMIN_PASSWORD's value given to `secrets rotate`; the random one it draws for API_TOKEN is added.
const VALUES = ['tok-5b2e9c1d77', 'adm-first-a81f3e', 'adm-second-0c4d9b', 'adm-rotated-7e21fa'];

describe('secrets reach the pods and nothing else (sandbox)', () => {
  let env: SandboxEnv;
  let dir: string;
  let key: string;
  const outputs: string[] = [];

  async function slipway(args: string[], opts: { stdin?: string; key?: string } = {}) {
    const { io, stdout, stderr } = memoryIo({
      cwd: dir,
      stdin: opts.stdin,
      env: { KUBECONFIG: env.kubeconfig, SLIPWAY_AGE_KEY: opts.key ?? key },
    });
    const code = await main(['node', 'slipway', ...args], io);
    outputs.push(stdout(), stderr());
    return { code, stdout: stdout(), stderr: stderr() };
  }
  /** A value read back with `secrets get`, kept out of the searched outputs (printing it is get's job). */
  async function secretValue(name: string): Promise<string> {
    const { io, stdout } = memoryIo({ cwd: dir, env: { SLIPWAY_AGE_KEY: key } });
    expect(await main(['node', 'slipway', 'secrets', 'get', name, ...target], io)).toBe(0);
    return stdout().trim();
  }
  // Absolute: deploy reads the spec from the process's directory, the in-process Io's cwd is the temp dir.
  const target = ['-f', '', '--env', 'dev'];
  const deploy = (...args: string[]) => slipway(['deploy', ...target, '--skip-analysis', ...args]);

  async function podTemplate(name: string) {
    const d = JSON.parse(
      (await env.kubectl(['-n', 'sample', 'get', 'deployment', name, '-o', 'json'])).stdout,
    ) as {
      metadata: { generation: number };
      spec: { template: { metadata: { annotations?: Record<string, string> } } };
    };
    return {
      generation: d.metadata.generation,
      checksum: d.spec.template.metadata.annotations?.['slipway.dev/secrets-checksum'],
    };
  }

  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    dir = mkdtempSync(join(tmpdir(), 'slipway-secrets-leak-'));
    writeFileSync(join(dir, 'slipway.yaml'), SPEC);
    target[1] = join(dir, 'slipway.yaml');
    key = await generateX25519Identity();
    expect((await slipway(['secrets', 'init', ...target, '-r', await identityToRecipient(key)])).code).toBe(
      0,
    );
    expect((await slipway(['secrets', 'set', 'API_TOKEN', ...target], { stdin: VALUES[0] })).code).toBe(0);
    expect((await slipway(['secrets', 'set', 'ADMIN_PASSWORD', ...target], { stdin: VALUES[1] })).code).toBe(
      0,
    );
  });
  afterAll(() => env?.stop());

  it('deploys, rolls only the workload whose value changed or was rotated, refuses a wrong key and a missing value, leaks nothing', async () => {
    // Nothing serves yet: a rotation is refused before it writes the file.
    const before = readFileSync(join(dir, 'secrets/dev.yaml'), 'utf8');
    const early = await slipway(['secrets', 'rotate', 'API_TOKEN', ...target]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/sample has no serving release in dev: nothing to roll/);
    expect(readFileSync(join(dir, 'secrets/dev.yaml'), 'utf8')).toBe(before);

    const first = await deploy();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const secret = JSON.parse(
      (await env.kubectl(['-n', 'sample', 'get', 'secret', 'sample-admin-secrets', '-o', 'json'])).stdout,
    ) as { data: Record<string, string> };
    expect(Buffer.from(secret.data.ADMIN_PASSWORD!, 'base64').toString()).toBe(VALUES[1]);
    const web1 = await podTemplate('sample-web');
    const admin1 = await podTemplate('sample-admin');
    expect(web1.checksum).toMatch(/^[0-9a-f]{64}$/);

    expect((await slipway(['secrets', 'set', 'ADMIN_PASSWORD', ...target], { stdin: VALUES[2] })).code).toBe(
      0,
    );
    expect((await deploy('--dry-run', '--output', 'json')).code).toBe(0);
    expect((await deploy('--output', 'json')).code).toBe(0);
    const web2 = await podTemplate('sample-web');
    const admin2 = await podTemplate('sample-admin');
    expect(web2).toEqual(web1);
    expect(admin2.checksum).not.toBe(admin1.checksum);
    expect(admin2.generation).toBe(admin1.generation + 1);
    const live = JSON.parse(
      (await env.kubectl(['-n', 'sample', 'get', 'secret', 'sample-admin-secrets', '-o', 'json'])).stdout,
    ) as { data: Record<string, string> };
    expect(Buffer.from(live.data.ADMIN_PASSWORD!, 'base64').toString()).toBe(VALUES[2]);

    // Rotation: a given value on stdin rolls admin only; a random one (read back apart, never into
    // the searched outputs) rolls web only; each is a release recorded with the names rotated.
    const given = await slipway(['secrets', 'rotate', 'ADMIN_PASSWORD', ...target, '-o', 'json'], {
      stdin: VALUES[3],
    });
    expect(given.code, given.stdout + given.stderr).toBe(0);
    expect(JSON.parse(given.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      outcome: 'deployed',
      rotated: ['ADMIN_PASSWORD'],
      rolled: ['Deployment/sample-admin'],
    });
    const admin3 = await podTemplate('sample-admin');
    expect(admin3.generation).toBe(admin2.generation + 1);
    expect(await podTemplate('sample-web')).toEqual(web1);
    const random = await slipway(['secrets', 'rotate', 'API_TOKEN', ...target]);
    expect(random.code, random.stdout + random.stderr).toBe(0);
    expect(random.stdout).toMatch(/rotated API_TOKEN; rolled Deployment\/sample-web\n/);
    const drawn = await secretValue('API_TOKEN');
    expect(drawn).toMatch(/^[A-Za-z0-9_-]{43}$/);
    VALUES.push(drawn);
    expect((await podTemplate('sample-web')).generation).toBe(web1.generation + 1);
    expect(await podTemplate('sample-admin')).toEqual(admin3);
    const admin2Rotated = admin3;
    // diff opens the secrets as deploy does: nothing to change, not a drifted annotation.
    const same = await slipway(['diff', ...target]);
    expect(same.stdout).toMatch(/would change 0 object\(s\)/);
    expect(same.code).toBe(0);

    const wrongKey = await slipway(['deploy', ...target], { key: await generateX25519Identity() });
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(/environment dev: the age key cannot open secrets\/dev.yaml/);
    expect((await slipway(['secrets', 'rm', 'API_TOKEN', ...target])).code).toBe(0);
    const missing = await deploy();
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/environment dev: secret API_TOKEN has no value in secrets\/dev.yaml/);
    // Nothing was applied by the refused deploys: still the rotation's objects.
    expect(await podTemplate('sample-admin')).toEqual(admin2Rotated);

    // Everything a user or the cluster keeps, other than the app's own Secrets.
    outputs.push((await slipway(['history', ...target, '-o', 'json'])).stdout);
    outputs.push((await slipway(['status', ...target, '-o', 'json'])).stdout);
    outputs.push((await slipway(['render', ...target, '--out', join(dir, 'rendered')])).stdout);
    const files = walk(dir).map((f) => readFileSync(f, 'utf8'));
    const all = JSON.parse(
      (await env.kubectl(['get', '--raw', '/api/v1/namespaces/sample/secrets'])).stdout,
    ) as {
      items: Array<{ metadata: { name: string }; type: string; data?: Record<string, string> }>;
    };
    const records = all.items
      .filter((s) => s.type === 'slipway.dev/release.v1')
      .map((s) =>
        gunzipSync(Buffer.from(Buffer.from(s.data!.release!, 'base64').toString(), 'base64')).toString(),
      );
    expect(records.length).toBe(4);
    const others = all.items.filter(
      (s) => !s.metadata.name.endsWith('-secrets') && s.type !== 'slipway.dev/release.v1',
    );
    const objects = [];
    for (const kind of [
      'deployments',
      'replicasets',
      'pods',
      'services',
      'configmaps',
      'events',
      'leases',
      'serviceaccounts',
      'jobs',
    ]) {
      objects.push((await env.kubectl(['get', kind, '-A', '-o', 'json'])).stdout);
    }
    const haystacks = [...outputs, ...files, ...records, JSON.stringify(others), ...objects];
    const forms = VALUES.flatMap((v) => [v, Buffer.from(v).toString('base64')]);
    const hits = forms.flatMap((form) => haystacks.filter((h) => h.includes(form)).map(() => form));
    console.log(
      `secrets leak search: ${forms.length} forms of ${VALUES.length} values in ${outputs.length} outputs, ${files.length} files, ${records.length} release records, ${objects.length} object lists: ${hits.length} hits`,
    );
    expect(hits).toEqual([]);
  }, 60_000);
});

function walk(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
