/**
 * Issue 20: a Helm-only and a kustomize-only install of an app with a PostgreSQL database start and
 * connect, with no `slipway deploy` making their Secrets. One sandbox (real PostgreSQL and psql):
 * - helm v4 `upgrade --install --wait` of the rendered chart: the chart makes the credentials
 *   (randAlphaNum) and the service's Secret (from --set); the migration hook connects with the
 *   url; a second `helm upgrade` keeps the password (lookup) and the database still accepts it;
 * - `kubectl apply -k` of the rendered overlay with the env files its README names: refused while
 *   a file is missing, then the database starts with the chosen password and the migration connects.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicePort, slipwayCli } from './deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

const run = promisify(execFile);

function havePostgres(): boolean {
  if (
    spawnSync('sh', ['-c', 'ls /usr/lib/postgresql/*/bin/postgres && command -v psql'], { stdio: 'ignore' })
      .status === 0
  )
    return true;
  const why = 'the Debian package postgresql is not installed (.ci/apt-packages lists it)';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  console.warn(`[skip] ${why}: the Helm-only and kustomize-only install e2e is skipped`);
  return false;
}

const SPEC = `app: ledger
version: "1.0.0"
services:
  web:
    image: sample-service:1.0.0
    port: 8080
    health: { readiness: /readyz }
    resources: { cpu: 50m, memory: 64Mi }
    env:
      DATABASE_URL: \${db.url}
    secrets: [API_KEY]
    # Connects to the database with the credentials Secret's url: psql from the postgres image.
    migrations:
      image: postgres:16
      command: [psql, $(DATABASE_URL), -v, ON_ERROR_STOP=1, -c, "create table if not exists entries (id int primary key)"]
dependencies:
  db: { type: postgres, version: "16" }
environments:
  helm: { namespace: ledger-helm }
  kustomize: { namespace: ledger-kustomize }
`;

describe.skipIf(!havePostgres())('Helm-only and kustomize-only installs make their Secrets (sandbox)', () => {
  let env: SandboxEnv;
  let chart: string;
  let overlay: string;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    const spec = join(env.dir, 'slipway.yaml');
    writeFileSync(spec, SPEC);
    chart = join(env.dir, 'chart');
    for (const [format, out] of [
      ['helm', chart],
      ['kustomize', join(env.dir, 'kustomize')],
    ] as const) {
      const r = await slipwayCli(env, ['render', '-f', spec, '--format', format, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
    }
    overlay = join(env.dir, 'kustomize', 'overlays', 'kustomize');
  }, 60_000);
  afterAll(async () => {
    await env?.stop();
  });

  const secretData = async (namespace: string, name: string) => {
    const secret = JSON.parse(
      (await env.kubectl(['-n', namespace, 'get', 'secret', name, '-o', 'json'])).stdout,
    ) as {
      data: Record<string, string>;
    };
    return Object.fromEntries(
      Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  };
  /** psql through the sandbox's Service proxy, with the user and password of the credentials Secret. */
  const psql = async (namespace: string, sql: string) => {
    const creds = await secretData(namespace, 'ledger-db-credentials');
    const port = servicePort(env, namespace, 'ledger-db');
    const args = [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      creds.username!,
      '-d',
      'ledger',
      '-XAtq',
      '-c',
      sql,
    ];
    return (await run('psql', args, { env: { ...process.env, PGPASSWORD: creds.password } })).stdout.trim();
  };

  it('helm upgrade --install --wait: generated credentials, the migration connects, an upgrade keeps the password', async () => {
    const install = (extra: string[]) =>
      env.helm([
        'upgrade',
        '--install',
        'ledger',
        chart,
        '-f',
        join(chart, 'values-helm.yaml'),
        '--namespace',
        'ledger-helm',
        '--create-namespace',
        '--wait',
        '--timeout',
        '120s',
        ...extra,
      ]);
    const first = await install(['--set', 'serviceSecrets.web.API_KEY=key-1']);
    expect(first.stdout).toContain('STATUS: deployed');
    expect(first.stdout).toContain('secret/ledger-db-credentials');
    expect(first.stdout).toContain(
      'kubectl label namespace ledger-helm --overwrite pod-security.kubernetes.io/audit=restricted',
    );
    const creds = await secretData('ledger-helm', 'ledger-db-credentials');
    expect(creds.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(creds.url).toBe(`postgresql://ledger:${creds.password}@ledger-db.ledger-helm.svc:5432/ledger`);
    // The post-install migration hook (helm waited for it) created the table through that url.
    expect(await psql('ledger-helm', "select to_regclass('entries') is not null")).toBe('t');
    expect((await secretData('ledger-helm', 'ledger-web-secrets')).API_KEY).toBe('key-1');

    const second = await install([]);
    expect(second.stdout).toContain('STATUS: deployed');
    const after = await secretData('ledger-helm', 'ledger-db-credentials');
    expect(after).toEqual(creds);
    expect(await psql('ledger-helm', 'select count(*) from entries')).toBe('0');
    // Without the value the Secret left the release, but resource-policy keep left it in place.
    expect((await secretData('ledger-helm', 'ledger-web-secrets')).API_KEY).toBe('key-1');
    const ready = await env.kubectl([
      '-n',
      'ledger-helm',
      'get',
      'deploy',
      'ledger-web',
      '-o',
      'jsonpath={.status.readyReplicas}',
    ]);
    expect(ready.stdout).toBe('1');
  }, 200_000);

  it('kubectl apply -k: refused without the env files, then starts and connects with them', async () => {
    const refused = await env.kubectlResult(['apply', '-k', overlay]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('ledger-db-credentials.env');

    // What the overlay's README says to do: copy each example and fill it in.
    const readme = readFileSync(join(overlay, 'README.md'), 'utf8');
    expect(readme).toContain('secrets/ledger-db-credentials.env');
    expect(readme).toContain('secrets/ledger-web-secrets.env');
    expect(readme).toContain('kubectl apply -k . -l app.kubernetes.io/component!=migration');
    const password = 'k8sOnly0000000000000000000000042';
    const example = readFileSync(join(overlay, 'secrets', 'ledger-db-credentials.env.example'), 'utf8');
    writeFileSync(
      join(overlay, 'secrets', 'ledger-db-credentials.env'),
      example.replace(/^password=$/m, `password=${password}`).replace('<password>', password),
    );
    writeFileSync(join(overlay, 'secrets', 'ledger-web-secrets.env'), 'API_KEY=key-2\n');

    // The README's order: everything but the migration, the database ready, then the rest.
    await env.kubectl(['apply', '-k', overlay, '-l', 'app.kubernetes.io/component!=migration']);
    const ns = ['-n', 'ledger-kustomize'];
    await env.kubectl([...ns, 'rollout', 'status', 'statefulset/ledger-db', '--timeout=90s']);
    await env.kubectl(['apply', '-k', overlay]);
    await env.kubectl([...ns, 'rollout', 'status', 'deploy/ledger-web', '--timeout=60s']);
    await env.kubectl([
      ...ns,
      'wait',
      '--for=condition=complete',
      'job',
      '-l',
      'app.kubernetes.io/name=web-migrate',
      '--timeout=90s',
    ]);
    const creds = await secretData('ledger-kustomize', 'ledger-db-credentials');
    expect(creds.password).toBe(password);
    // The overlay made the namespace, labelled for Pod Security Admission at the level its pods meet.
    const labels = JSON.parse(
      (await env.kubectl(['get', 'namespace', 'ledger-kustomize', '-o', 'jsonpath={.metadata.labels}']))
        .stdout,
    ) as Record<string, string>;
    expect(labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    expect(await psql('ledger-kustomize', "select to_regclass('entries') is not null")).toBe('t');
  }, 200_000);
});
