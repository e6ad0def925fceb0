/**
 * Issue 20: analysis works from a CI runner. A real Prometheus (the Debian binary) runs as a pod in
 * the sandbox's `monitoring` namespace behind a Service; the spec names it in
 * `deploy.prometheus.service`; the deploy step of the rendered cd.yml is run exactly as written
 * (bash, `slipway` from this checkout's bin/ on PATH, KUBECONFIG as the workflow's kubeconfig step
 * sets it) and its analysis query reaches Prometheus through the API server's service proxy with
 * the kubeconfig's credentials: no address the runner could not reach.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { filesOf } from '../../src/render/workflows/languages.js';
import { prometheusBinary } from '../engine/helpers/prometheus.js';
import { SAMPLE_SPEC, servicePort } from '../e2e/deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from '../e2e/sandbox-env.js';
import { inputOfFile } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const binary = prometheusBinary();

const PROMETHEUS = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'prometheus', namespace: 'monitoring' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'prometheus' } },
      template: {
        metadata: { labels: { app: 'prometheus' } },
        spec: {
          containers: [
            {
              name: 'prometheus',
              image: 'prom/prometheus:v2',
              ports: [{ name: 'web', containerPort: 9090 }],
              readinessProbe: { httpGet: { path: '/-/ready', port: 9090 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'prometheus', namespace: 'monitoring' },
    spec: { selector: { app: 'prometheus' }, ports: [{ name: 'web', port: 9090, targetPort: 9090 }] },
  },
];

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn('bash', ['-e', '-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', (code) => done({ code: code ?? 1, out }));
  });
}

describe.skipIf(!binary)('cd.yml deploy step with a Prometheus analysis, against the sandbox', () => {
  let env: SandboxEnv;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-cd-analysis-'));
    // Prometheus scrapes itself through its Service's loopback port, listed in a file_sd file once known.
    const sd = join(dir, 'self.json');
    writeFileSync(sd, '[]');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: self\n    file_sd_configs: [{ files: ['${sd}'], refresh_interval: 1s }]\n`,
    );
    const config = join(dir, 'sandbox.yaml');
    writeFileSync(
      config,
      stringify({
        images: [
          {
            match: 'prom/prometheus',
            command: [
              binary,
              `--config.file=${join(dir, 'prometheus.yml')}`,
              '--storage.tsdb.path=${podDir}/data',
              '--web.listen-address=127.0.0.1:${port}',
              '--log.level=warn',
            ],
          },
        ],
      }),
    );
    env = await startSandboxEnv({ runtime: true, configFile: config });
    writeFileSync(join(env.dir, 'prometheus.yaml'), PROMETHEUS.map((o) => stringify(o)).join('---\n'));
    await env.kubectl(['apply', '-f', join(env.dir, 'prometheus.yaml')]);
    await env.kubectl(['-n', 'monitoring', 'rollout', 'status', 'deployment/prometheus', '--timeout=60s']);
    const port = servicePort(env, 'monitoring', 'prometheus');
    writeFileSync(sd, JSON.stringify([{ targets: [`127.0.0.1:${port}`] }]));
    // The analysis below must find data: wait (on Prometheus' own port) until its first self-scrape
    // is stored, so that how soon the roll-out ends does not decide whether the query has an answer.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=max(up%7Bjob%3D%22self%22%7D)`);
      const body = (await res.json()) as { data?: { result?: unknown[] } };
      if (body.data?.result?.length) break;
      if (Date.now() > deadline) throw new Error('Prometheus stored no scrape of itself within 60 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 90_000);
  afterAll(async () => {
    await env?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the deploy command from cd.yml; the analysis query is answered through the service proxy', async () => {
    const doc = parse(readFileSync(resolve(ROOT, SAMPLE_SPEC), 'utf8')) as {
      deploy: Record<string, unknown>;
    };
    doc.deploy = {
      strategy: 'rolling',
      timeout: '2m',
      prometheus: { service: 'monitoring/prometheus:9090' },
      analysis: {
        'prometheus-up': {
          // 1 once Prometheus has scraped itself through its Service; no data before that.
          prometheus: { query: 'max(up{job="self"})' },
          min: 1,
          interval: '1s',
          count: 2,
          inconclusiveLimit: 30,
        },
      },
    };
    const spec = join(env.dir, 'slipway.yaml');
    writeFileSync(spec, stringify(doc));
    const cd = writeWorkflows(inputOfFile(spec), { slipwayVersion: '0.1.0', files: filesOf([]) }).files.get(
      '.github/workflows/cd.yml',
    )!;
    const steps = (parse(cd) as { jobs: Record<string, { steps: { name?: string; run?: string }[] }> }).jobs[
      'deploy-staging'
    ]!.steps;
    const deploy = steps.find((s) => s.name?.startsWith('slipway deploy'))!.run!;
    expect(deploy).toBe(
      'slipway deploy -f slipway.yaml --env staging \\\n  --commit "$GITHUB_SHA" --changes git\n',
    );

    // A checkout as actions/checkout leaves it: the spec committed, GITHUB_SHA naming the commit.
    const git = (args: string) =>
      run(`git -c user.name=ci -c user.email=ci@example.com ${args}`, env.dir, {
        ...process.env,
        HOME: env.dir,
      });
    await git('init -q');
    await git('add slipway.yaml');
    await git('commit -qm "the spec"');
    const sha = (await run('git rev-parse HEAD', env.dir, { ...process.env, HOME: env.dir })).out.trim();
    const r = await run(deploy, env.dir, {
      PATH: `${join(ROOT, 'bin')}:${process.env.PATH ?? ''}`,
      HOME: env.dir,
      KUBECONFIG: env.kubeconfig,
      GITHUB_SHA: sha,
    });
    console.log(`cd.yml deploy step (exit ${r.code}):\n${r.out}`);
    expect(r.code).toBe(0);
    // The spec names no URL: the only way to Prometheus is the API server's service proxy.
    // The first measurement may come before Prometheus' first scrape (no data: inconclusive); the next answers.
    expect(r.out).toMatch(/prometheus-up #\d+: successful \(1 >= 1\)/);
    expect(r.out).toMatch(/analyse .*post-rollout: prometheus-up/);
    // --changes git recorded the commit it shipped: slipway metrics measures its lead time.
    const metrics = await run('slipway metrics -f slipway.yaml --env staging --output json', env.dir, {
      PATH: `${join(ROOT, 'bin')}:${process.env.PATH ?? ''}`,
      HOME: env.dir,
      KUBECONFIG: env.kubeconfig,
    });
    const figures = JSON.parse(metrics.out) as {
      environments: { leadTime: { sampleSize: number; deploysWithoutCommits: number } }[];
    };
    expect(figures.environments[0]?.leadTime).toMatchObject({ sampleSize: 1, deploysWithoutCommits: 0 });

    // The same proxy path kubectl uses, answered by the real Prometheus.
    const raw = await env.kubectl([
      'get',
      '--raw',
      '/api/v1/namespaces/monitoring/services/http:prometheus:web/proxy/api/v1/query?query=max(up%7Bjob%3D%22self%22%7D)',
    ]);
    const body = JSON.parse(raw.stdout) as {
      status: string;
      data: { result: { value: [number, string] }[] };
    };
    expect(body.status).toBe('success');
    expect(body.data.result[0]?.value[1]).toBe('1');
  }, 150_000);
});
