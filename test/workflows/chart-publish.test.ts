/**
 * Issue 20, "charts published": cd.yml's `chart` job, on version tags. Its two `run:` scripts are
 * taken from the rendered cd.yml and run with bash, unchanged, with the real helm v4 and the built
 * slipway on PATH, against a real OCI registry on loopback (Debian's `docker-registry`, the
 * distribution registry, with TLS and htpasswd logins as GHCR has); then the chart is pulled back.
 * Helm (Go) trusts the test's CA through SSL_CERT_FILE, so the scripts need no test-only flag.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { filesOf } from '../../src/render/workflows/languages.js';
import { builtCli, slipwayBin } from '../helpers/built-cli.js';
import { helmPath } from '../helpers/kube-tools.js';
import { examplesDir, inputOfFile } from './helpers.js';

const run = promisify(execFile);
const EXAMPLE = join(examplesDir, 'api-web-db-redis-kafka');
const USER = 'ci-bot';
const PASSWORD = 'chart-push-secret';
const DIGEST = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

function which(binary: string): boolean {
  const found = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, binary)));
  if (found) return true;
  if (process.env.CI === 'true')
    throw new Error(`CI=true but ${binary} is missing: .ci/apt-packages lists it, .ci/run installs it`);
  console.warn(
    `[skip] ${binary} is not installed: the chart publishing test against a real registry is skipped`,
  );
  return false;
}

const ready = which('docker-registry') && which('htpasswd') && builtCli('the chart publishing test');

interface Step {
  name?: string;
  env?: Record<string, string>;
  run?: string;
}
const out = writeWorkflows(inputOfFile(join(EXAMPLE, 'slipway.yaml')), {
  specPath: 'slipway.yaml',
  slipwayVersion: '0.1.0',
  files: filesOf([]),
});
const cd = parse(out.files.get('.github/workflows/cd.yml')!) as {
  jobs: Record<string, { if?: string; needs?: string[]; permissions?: unknown; steps: Step[] }>;
};
const chart = cd.jobs.chart!;

describe('cd.yml publishes the chart on version tags', () => {
  it('after CI and every image job, on tags only, pushing to oci://<registry>/charts with the token', () => {
    expect(chart.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(chart.needs).toEqual(['ci', 'image-api', 'image-web']);
    expect(chart.permissions).toEqual({ contents: 'read', packages: 'write' });
    const publish = chart.steps.at(-1)!;
    expect(publish.env).toMatchObject({
      CHART: 'storefront',
      CHART_REPOSITORY: 'oci://ghcr.io/acme-commerce/charts',
      REGISTRY: 'ghcr.io',
      REGISTRY_USERNAME: '${{ github.actor }}',
      REGISTRY_PASSWORD: '${{ secrets.GITHUB_TOKEN }}',
    });
  });
});

describe.skipIf(!ready)('the chart job against a real OCI registry on loopback', () => {
  let dir: string;
  let registry: ChildProcess | undefined;
  let address: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-chart-'));
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    await run('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1'],
      ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    ]);
    await run('htpasswd', ['-Bbc', join(dir, 'htpasswd'), USER, PASSWORD]);
    const config = [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} } }`,
      `http: { addr: "${address}", tls: { certificate: ${join(dir, 'cert.pem')}, key: ${join(dir, 'key.pem')} } }`,
      `auth: { htpasswd: { realm: slipway-test, path: ${join(dir, 'htpasswd')} } }`,
    ].join('\n');
    writeFileSync(join(dir, 'config.yml'), config + '\n');
    registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
    // PATH as a runner has it after setup-helm and the install step: helm v4 and slipway.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(helmPath(), join(bin, 'helm'));
    symlinkSync(slipwayBin, join(bin, 'slipway'));
    mkdirSync(join(dir, 'runner'));
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      HOME: join(dir, 'home'),
      SSL_CERT_FILE: join(dir, 'cert.pem'),
      RUNNER_TEMP: join(dir, 'runner'),
    };
    await waitForRegistry(address, env.SSL_CERT_FILE!);
  }, 30_000);

  afterAll(() => {
    registry?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders with the digests, logs in, packages as the tag version, pushes; helm pulls it back', async () => {
    const [render, publish] = chart.steps.slice(-2) as [Step, Step];
    await bash(render.run!, EXAMPLE, { ...env, DIGEST_API: DIGEST(1), DIGEST_WEB: DIGEST(2) });
    const pushed = await bash(publish.run!, EXAMPLE, {
      ...env,
      ...publish.env,
      CHART_REPOSITORY: `oci://${address}/charts`,
      REGISTRY: address,
      REGISTRY_USERNAME: USER,
      REGISTRY_PASSWORD: PASSWORD,
      VERSION_TAG: 'v2.4.0',
    });
    expect(pushed).toContain(`Pushed: ${address}/charts/storefront:2.4.0`);

    const shown = parse(
      (
        await run(helmPath(), ['show', 'chart', `oci://${address}/charts/storefront`, '--version', '2.4.0'], {
          env: { ...process.env, ...env },
        })
      ).stdout,
    ) as Record<string, string>;
    expect(shown).toMatchObject({ name: 'storefront', version: '2.4.0', appVersion: '2.4.0' });
    const pulled = join(dir, 'pulled');
    await run(
      helmPath(),
      ['pull', `oci://${address}/charts/storefront`, '--version', '2.4.0', '--untar', '--untardir', pulled],
      { env: { ...process.env, ...env } },
    );
    const values = readFileSync(join(pulled, 'storefront', 'values.yaml'), 'utf8');
    expect(values).toContain(DIGEST(1));
    expect(values).toContain(DIGEST(2));
  }, 60_000);

  it('a wrong password is refused at login: the registry checks credentials', async () => {
    const publish = chart.steps.at(-1)!;
    await expect(
      bash(publish.run!, EXAMPLE, {
        ...env,
        ...publish.env,
        CHART_REPOSITORY: `oci://${address}/charts`,
        REGISTRY: address,
        REGISTRY_USERNAME: USER,
        REGISTRY_PASSWORD: 'wrong',
        VERSION_TAG: 'v2.4.1',
      }),
    ).rejects.toThrow(/401|unauthorized/i);
  }, 30_000);
});

/** Runs a step's `run:` as GitHub does for `shell: bash` (`bash -e {0}`, with pipefail). */
async function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    env: { ...process.env, ...env },
    maxBuffer: 16 << 20,
  });
  return r.stdout + r.stderr;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Until the registry answers /v2/ (401 without credentials), at most 20 s. */
async function waitForRegistry(address: string, ca: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await run('curl', ['-s', '-o', '/dev/null', '--cacert', ca, `https://${address}/v2/`]);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
