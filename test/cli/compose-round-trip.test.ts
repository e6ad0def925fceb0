/**
 * Issue 18, the round trip: each realistic compose file in test/fixtures/compose (one per class
 * of what used to break, and one in the style of each of the five example teams) goes through
 * `slipway init --from-compose`, then `slipway validate`, `slipway check --fail-on warning` and
 * `slipway render --format compose`, whose docker-compose.yml the Compose Specification's own
 * JSON Schema must accept. All in-process through the CLI's entry point.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryIo, type Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { composeSchemaErrors } from '../render-writers/compose-schema.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test/fixtures/compose');
const dir = mkdtempSync(join(tmpdir(), 'slipway-compose-trip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], cwd: string, io?: Io) {
  const memory = memoryIo({ cwd });
  const code = await main(['node', 'slipway', ...args], io ?? memory.io);
  return { code, out: memory.stdout(), err: memory.stderr() };
}

/** The class fixtures and the teams' compose files; registry given where services are built. */
const CASES = [
  'build-only',
  'interpolation',
  'dotted-env',
  'full-service',
  'databases',
  'postgres-redis',
  'teams/discord-bot',
  'teams/agentic-rag',
  'teams/storefront',
  'teams/teams-planner',
  'teams/analytics-platform',
];

describe('init --from-compose, then validate, check and render --format compose', () => {
  it.each(CASES)('%s', async (name) => {
    const cwd = mkdtempSync(join(dir, 'case-'));
    const compose = join(FIXTURES, name, 'docker-compose.yml');
    const init = await run(
      ['init', '--from-compose', compose, '--registry', 'ghcr.io/acme', '-o', 'json'],
      cwd,
    );
    expect(init.err).toBe('');
    expect(init.code).toBe(0);
    expect((JSON.parse(init.out) as { valid: boolean }).valid).toBe(true);
    const validate = await run(['validate'], cwd);
    expect(validate.err).toBe('');
    expect(validate.code).toBe(0);
    const check = await run(['check', 'slipway.yaml', '--fail-on', 'warning'], cwd);
    expect(check.out).toMatch(/0 errors, 0 warnings/);
    expect(check.code).toBe(0);
    const rendered = await run(['render', '--format', 'compose', '--out', 'out'], cwd);
    // The compose writer warns about what runs differently locally (volume sizes, replicas).
    expect(rendered.err).not.toMatch(/^error/m);
    expect(rendered.code).toBe(0);
    const document = parse(readFileSync(join(cwd, 'out', 'docker-compose.yml'), 'utf8')) as unknown;
    expect(composeSchemaErrors(document)).toEqual([]);
  });
});

describe('where the registry of a build-only service comes from', () => {
  const buildOnly = join(FIXTURES, 'build-only', 'docker-compose.yml');

  it('no --registry, no git remote, no terminal: exit 2 naming the flag, nothing written', async () => {
    const cwd = mkdtempSync(join(dir, 'none-'));
    cpSync(buildOnly, join(cwd, 'docker-compose.yml'));
    const r = await run(['init', '--from-compose', 'docker-compose.yml'], cwd);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'error: --registry: api, web are built from source and Compose names no image: Slipway needs a registry to push them to',
    );
    expect(r.err).toContain('hint: pass --registry ghcr.io/<owner>');
    expect(existsSync(join(cwd, 'slipway.yaml'))).toBe(false);
  });

  it('the git remote origin on GitHub names ghcr.io/<owner>', async () => {
    const cwd = mkdtempSync(join(dir, 'git-'));
    cpSync(buildOnly, join(cwd, 'docker-compose.yml'));
    execFileSync('git', ['init', '-q', cwd]);
    execFileSync('git', ['-C', cwd, 'remote', 'add', 'origin', 'git@github.com:Acme-Labs/shop.git']);
    const r = await run(['init', '--from-compose', 'docker-compose.yml', '--name', 'shop'], cwd);
    expect(r.code).toBe(0);
    const spec = readFileSync(join(cwd, 'slipway.yaml'), 'utf8');
    expect(spec).toContain('registry: ghcr.io/acme-labs\n');
    expect(r.err).toContain(
      'its image is ghcr.io/acme-labs/shop-api (registry from the git remote origin git@github.com:Acme-Labs/shop.git)',
    );
    expect((await run(['render'], cwd)).out).toContain('image: ghcr.io/acme-labs/shop-web:0.1.0');
  });

  it('on a terminal the question is asked, and a wrong answer asked again', async () => {
    const cwd = mkdtempSync(join(dir, 'tty-'));
    cpSync(buildOnly, join(cwd, 'docker-compose.yml'));
    const memory = memoryIo({ cwd });
    const stdin = Object.assign(Readable.from(['Not A Registry\nregistry.example.com/team\n']), {
      isTTY: true,
    });
    const io: Io = { ...memory.io, isTTY: true, stdin };
    const code = await main(['node', 'slipway', 'init', '--from-compose', 'docker-compose.yml'], io);
    expect(memory.stderr()).not.toContain('error');
    expect(code).toBe(0);
    expect(memory.stdout()).toContain('"Not A Registry" is not a registry');
    expect(readFileSync(join(cwd, 'slipway.yaml'), 'utf8')).toContain(
      'registry: registry.example.com/team\n',
    );
  });
});

describe('the written spec records the build so the CI workflow builds it', () => {
  it('render --format workflows builds both images of the build-only compose file', async () => {
    const cwd = mkdtempSync(join(dir, 'ci-'));
    await run(
      [
        'init',
        '--from-compose',
        join(FIXTURES, 'build-only', 'docker-compose.yml'),
        '--registry',
        'ghcr.io/acme',
        '--name',
        'shop',
      ],
      cwd,
    );
    writeFileSync(join(cwd, 'marker'), '');
    const r = await run(['render', '--format', 'workflows', '--out', '.'], cwd);
    expect(r.code).toBe(0);
    const ci = readFileSync(join(cwd, '.github/workflows/ci.yml'), 'utf8');
    expect(ci).toContain('context: api');
    expect(ci).toContain('context: web');
    expect(ci).toContain('ghcr.io/acme/shop-api');
  });
});
