/**
 * Issue 18, validate ⇔ render: seeded specs built from the parts that render (or a deploy's
 * planning) can refuse: untagged images with and without version or registry, builds without an
 * image, env names of every kind against kubernetes.version, references, reserved volume names,
 * config files that are missing, public services without ports, forced canary routes, overlays that
 * change images. Through the CLI's entry point: every spec `slipway validate` accepts renders for
 * every environment (0 gaps), and every problem render reports, validate reports at the same
 * file:line:col with the same message and hint.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const RUNS = 250;
const dir = mkdtempSync(join(tmpdir(), 'slipway-validate-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'present.conf'), 'level=info\n');

/** Mostly parts that render, sometimes one that render (or validate) refuses: both sides are reached. */
function often<T>(good: readonly T[], bad: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...good) },
    { weight: 1, arbitrary: fc.constantFrom(...bad) },
  );
}
/** Absent one time in `freq`. */
const maybe = <T>(arb: fc.Arbitrary<T>, freq = 2) => fc.option(arb, { nil: undefined, freq });
/** Present one time in five. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const serviceName = fc.constantFrom('api', 'web', 'worker');
const image = often<string | undefined>(
  ['ghcr.io/acme/api:1.2.3', 'ghcr.io/acme/api@sha256:' + 'a'.repeat(64), 'nginx:1.27', 'nginx:latest'],
  ['ghcr.io/acme/api', undefined],
);
const envName = often(['LOG_LEVEL', 'discovery.type', 'my-var', '_X'], ['JAVA OPTS', '9LIVES', '..x', 'A=B']);
const envValue = often(
  ['info', '${db.url}', '${cache.host}', '$${literal}', 'x$(y)', '${api.url}/v1'],
  ['${db.nope}', '${web.port}', '${nothing.url}'],
);

const service = fc.record(
  {
    image,
    build: rarely(fc.constant({ context: '.' })),
    port: maybe(fc.constantFrom(8080, 3000), 4),
    env: maybe(fc.dictionary(envName, envValue, { maxKeys: 3 })),
    secrets: maybe(often([['API_KEY']], [['LOG_LEVEL'], ['MY KEY']])),
    volumes: maybe(
      often([[{ name: 'data', path: '/data', size: '1Gi' }]], [[{ name: 'tmp', path: '/t', size: '1Gi' }]]),
    ),
    config: maybe(
      often(
        [[{ path: '/etc/app.conf', from: 'present.conf' }], [{ path: '/etc/app.conf', content: 'a=1' }]],
        [[{ path: '/etc/app.conf', from: 'missing.conf' }]],
      ),
    ),
    public: rarely(fc.constant({ host: 'shop.example.com' })),
    health: maybe(
      often<object>(
        [{ readiness: '/ready' }, { liveness: { tcp: true as const } }],
        [{ liveness: { http: '/x', successThreshold: 2 } }],
      ),
      3,
    ),
  },
  { requiredKeys: [] },
);

const spec = fc.record(
  {
    app: often(['shop'], ['a-very-long-application-name-that-makes-object-names-long-x']),
    registry: maybe(fc.constant('ghcr.io/acme'), 4),
    version: maybe(fc.constant('1.0.0'), 4),
    kubernetes: maybe(
      fc.record({
        version: fc.constantFrom('1.29', '1.32', '1.33'),
        ingress: fc.constantFrom('ingress', 'gateway'),
      }),
    ),
    services: fc.dictionary(serviceName, service, { minKeys: 1, maxKeys: 2 }),
    dependencies: maybe(fc.constant({ db: { type: 'postgres' }, cache: { type: 'redis' } }), 5),
    deploy: maybe(
      often<object>(
        [{ strategy: 'rolling' }, { strategy: 'canary', canary: { steps: [{ weight: 50 }] } }],
        [
          { strategy: 'canary', canary: { steps: [{ weight: 50 }], traffic: 'gateway' } },
          { strategy: 'canary', canary: { steps: [{ weight: 50 }], traffic: 'nginx' } },
        ],
      ),
    ),
    environments: maybe(
      fc.dictionary(
        fc.constantFrom('dev', 'production'),
        fc.record(
          {
            replicas: fc.constantFrom(1, 3),
            services: often<object>(
              [{}],
              [{ api: { image: 'ghcr.io/acme/api-prod' } }, { web: { port: 9090 } }],
            ),
          },
          { requiredKeys: [] },
        ),
        { minKeys: 1, maxKeys: 2 },
      ),
    ),
  },
  { requiredKeys: ['app', 'services'] },
);

interface Reported {
  message: string;
  file?: string;
  line?: number;
  column?: number;
  hint?: string;
}

async function cli(args: string[]) {
  const io = memoryIo({ cwd: dir });
  const code = await main(['node', 'slipway', ...args, '-o', 'json'], io.io);
  const out = io.stdout();
  let problems: Reported[] = [];
  if (code === 2) {
    const error = (JSON.parse(out) as { error: Reported & { problems?: Reported[] } }).error;
    problems = error.problems ?? [error];
  }
  return { code, out, problems };
}

const key = (p: Reported) => `${p.file}:${p.line}:${p.column} ${p.message} | ${p.hint ?? ''}`;

describe('validate agrees with render', () => {
  it(`${RUNS} seeded specs: all that validate render in every environment; validate reports what render refuses`, async () => {
    const tally = { generated: 0, valid: 0, gaps: 0, renderRefusals: 0 };
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        tally.generated++;
        writeFileSync(join(dir, 'slipway.yaml'), stringify(s));
        const validate = await cli(['validate']);
        expect([0, 2]).toContain(validate.code);
        const envs = Object.keys(s.environments ?? {});
        const reported = new Set(validate.problems.map(key));
        if (validate.code === 0) tally.valid++;
        for (const env of envs.length ? envs : ['default']) {
          const render = await cli(['render', '--env', env]);
          expect([0, 2]).toContain(render.code);
          if (validate.code === 0 && render.code !== 0) tally.gaps++;
          if (render.code === 2) tally.renderRefusals++;
          // Every refusal of render is one validate reported, at the same place, with the same hint.
          for (const p of render.problems) expect(reported, `${env}: ${key(p)}`).toContain(key(p));
        }
      }),
      { seed: 18, numRuns: RUNS, endOnFailure: true },
    );
    console.log(
      `validate-render: ${tally.generated} specs generated, ${tally.valid} validate, ${tally.renderRefusals} render refusals, ${tally.gaps} valid specs that do not render`,
    );
    expect(tally.gaps).toBe(0);
    // The generator reaches both sides: specs that validate, and refusals render reports.
    expect(tally.valid).toBeGreaterThan(RUNS / 10);
    expect(tally.renderRefusals).toBeGreaterThan(RUNS / 10);
  }, 120_000);
});
