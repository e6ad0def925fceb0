import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { specJsonSchemaText } from '../../src/spec/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const EXAMPLES = [
  'discord-bot',
  'agentic-rag',
  'api-web-db-redis-kafka',
  'teams-planner',
  'analytics-platform',
  'sample-service',
];

async function run(args: string[], opts: { cwd?: string; stdin?: string } = {}) {
  const m = memoryIo({ cwd: opts.cwd ?? ROOT, stdin: opts.stdin });
  const code = await main(['node', 'slipway', ...args], m.io);
  return { code, out: m.stdout(), err: m.stderr() };
}

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'slipway-spec-cli-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('slipway validate', () => {
  it.each(EXAMPLES)('%s validates in every environment', async (name) => {
    const r = await run(['validate', '-f', `examples/${name}/slipway.yaml`]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^examples/${name}/slipway.yaml: valid \\(environments: .*production`));
  });

  it('prints every problem with file:line:col and exits 2', async () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      'app: shop\nservices:\n  api:\n    image: x\n    port: http\n    imagee: y\n',
    );
    const r = await run(['validate', '-f', 'bad.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.err).toContain('bad.yaml:5:11 services.api.port: expected a number from 1 to 65535, got "http"');
    expect(r.err).toContain(
      'bad.yaml:6:5 services.api.imagee: unknown field "imagee"\n  hint: did you mean "image"?',
    );
    const json = await run(['validate', '-f', 'bad.yaml', '--output', 'json'], { cwd: dir });
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.out) as {
      error: { problems: Array<{ line: number; column: number; path: string }> };
    };
    expect(parsed.error.problems.map((p) => `${p.line}:${p.column} ${p.path}`)).toEqual([
      '5:11 services.api.port',
      '6:5 services.api.imagee',
    ]);
  });

  it('--env production --print shows the effective spec, as YAML or JSON', async () => {
    const r = await run(['validate', '-f', 'examples/agentic-rag/slipway.yaml', '--env', 'dev', '--print']);
    expect(r.code).toBe(0);
    const effective = parse(r.out) as {
      environment: string;
      services: Record<string, { replicas?: number; public?: unknown }>;
    };
    expect(effective.environment).toBe('dev');
    expect(effective.services.ingest?.replicas).toBe(1);
    expect(effective.services.api?.public).toBeUndefined();
    const json = await run([
      'validate',
      '-f',
      'examples/agentic-rag/slipway.yaml',
      '--env',
      'production',
      '--print',
      '--output',
      'json',
    ]);
    expect((JSON.parse(json.out) as { approval: string }).approval).toBe('required');
  });

  it('refuses --print without --env when there are several environments, and unknown environments', async () => {
    expect((await run(['validate', '-f', 'examples/discord-bot/slipway.yaml', '--print'])).code).toBe(2);
    const r = await run(['validate', '-f', 'examples/discord-bot/slipway.yaml', '--env', 'prod']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown environment "prod"; the spec declares: dev, staging, production');
  });

  it('a missing file is a clear error', async () => {
    const r = await run(['validate', '-f', 'nope.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'error: nope.yaml: no such file\n  hint: run slipway init to write one, or pass -f <file>\n',
    );
  });

  it('-f - reads the spec from stdin and names it <stdin> in problems', async () => {
    const spec = readFileSync(join(ROOT, 'examples/discord-bot/slipway.yaml'), 'utf8');
    const ok = await run(['validate', '-f', '-'], { cwd: join(ROOT, 'examples/discord-bot'), stdin: spec });
    expect(ok.err).toBe('');
    expect(ok.out).toBe('<stdin>: valid (environments: dev, staging, production)\n');
    const bad = await run(['validate', '-f', '-'], {
      stdin: 'app: shop\nservices:\n  api:\n    image: x\n    port: http\n',
    });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      '<stdin>:5:11 services.api.port: expected a number from 1 to 65535, got "http"',
    );
  });

  it('a command that needs the spec on disk says so for -f -', async () => {
    const r = await run(['secrets', 'list', '-f', '-', '--env', 'dev'], { stdin: 'app: x\n' });
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'error: --file: this command reads slipway.yaml from a file, not from stdin (-f -)\n' +
        '  hint: pass -f path/to/slipway.yaml; validate and render read - as stdin\n',
    );
  });
});

describe('slipway schema', () => {
  it('prints the committed JSON Schema', async () => {
    const r = await run(['schema']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(specJsonSchemaText());
    expect(r.out).toBe(readFileSync(join(ROOT, 'schema', 'slipway.schema.json'), 'utf8'));
  });
});

describe('slipway init', () => {
  it('writes a commented spec from flags that validates, and refuses to overwrite', async () => {
    const cwd = mkdtempSync(join(dir, 'init-'));
    const r = await run(['init', '--name', 'shop', '--image', 'ghcr.io/acme/shop', '--port', '3000'], {
      cwd,
    });
    expect(r.code).toBe(0);
    const text = readFileSync(join(cwd, 'slipway.yaml'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=/);
    expect(text).toContain('image: ghcr.io/acme/shop\n    port: 3000');
    expect((await run(['validate', '--env', 'production'], { cwd })).code).toBe(0);
    const again = await run(['init', '--yes'], { cwd });
    expect(again.code).toBe(2);
    expect(again.err).toContain('slipway.yaml already exists');
    expect((await run(['init', '--yes', '--force', '--port', 'none'], { cwd })).code).toBe(0);
    expect(readFileSync(join(cwd, 'slipway.yaml'), 'utf8')).toContain('# No port: a worker.');
  });

  it('asks on a terminal; Enter keeps the defaults', async () => {
    const cwd = mkdtempSync(join(dir, 'tty-'));
    const m = memoryIo({ cwd, stdin: 'billing\n\n9090\n' });
    const io = { ...m.io, isTTY: true };
    expect(await main(['node', 'slipway', 'init'], io)).toBe(0);
    expect(m.stdout()).toContain('App name [tty-');
    const text = readFileSync(join(cwd, 'slipway.yaml'), 'utf8');
    expect(text).toContain('app: billing');
    expect(text).toContain('image: ghcr.io/billing/billing');
    expect(text).toContain('port: 9090');
  });

  it('asks again on a terminal when the port answer is not a port', async () => {
    const cwd = mkdtempSync(join(dir, 'tty-port-'));
    const m = memoryIo({ cwd, stdin: 'billing\n\nhttp\n70000\n9090\n' });
    expect(await main(['node', 'slipway', 'init'], { ...m.io, isTTY: true })).toBe(0);
    expect(m.stdout()).toContain('expected a number from 1 to 65535 or "none", got "http"');
    expect(m.stdout()).toContain('got "70000"');
    expect(readFileSync(join(cwd, 'slipway.yaml'), 'utf8')).toContain('port: 9090');
  });

  it('an --image that is not an image reference is refused before writing; on a terminal it is asked again', async () => {
    const cwd = mkdtempSync(join(dir, 'init-image-'));
    const r = await run(['init', '--yes', '--image', 'Not An Image'], { cwd });
    expect(r.code).toBe(2);
    expect(r.err).toContain('--image: "Not An Image" is not an image reference');
    expect(existsSync(join(cwd, 'slipway.yaml'))).toBe(false);
    const m = memoryIo({ cwd, stdin: 'billing\nMy Image\nghcr.io/acme/billing\n\n' });
    expect(await main(['node', 'slipway', 'init'], { ...m.io, isTTY: true })).toBe(0);
    expect(m.stdout()).toContain('"My Image" is not an image reference');
    expect(readFileSync(join(cwd, 'slipway.yaml'), 'utf8')).toContain('image: ghcr.io/acme/billing');
  });

  it('-f into a directory that does not exist is a user error, nothing written', async () => {
    const cwd = mkdtempSync(join(dir, 'init-nodir-'));
    for (const extra of [
      [],
      ['--from-compose', join(ROOT, 'examples', 'discord-bot', 'docker-compose.yml')],
    ]) {
      const r = await run(['init', '--yes', '-f', 'deploy/slipway.yaml', ...extra], { cwd });
      expect(r.code).toBe(2);
      expect(r.err).toContain('--file: deploy/slipway.yaml: the directory deploy does not exist');
      expect(r.err).not.toContain('internal error');
      expect(existsSync(join(cwd, 'deploy'))).toBe(false);
    }
  });

  it('--from-compose imports the discord-bot compose file and lists what it could not map', async () => {
    const cwd = mkdtempSync(join(dir, 'compose-'));
    copyFileSync(join(ROOT, 'examples/discord-bot/docker-compose.yml'), join(cwd, 'docker-compose.yml'));
    copyFileSync(join(ROOT, 'examples/discord-bot/.env'), join(cwd, '.env'));
    const r = await run(['init', '--from-compose', 'docker-compose.yml', '--name', 'bmad-bot'], { cwd });
    expect(r.code).toBe(0);
    expect(r.out).toBe('wrote slipway.yaml: 1 service (bot)\n');
    expect(r.err).toContain('not mapped:\n  docker-compose.yml:9:5 services.bot.container_name');
    expect(r.err).toContain('docker-compose.yml:10:5 services.bot.restart');
    expect((await run(['validate'], { cwd })).code).toBe(0);
  });

  it('--from-compose with postgres and redis', async () => {
    const cwd = mkdtempSync(join(dir, 'pg-'));
    const r = await run(
      [
        'init',
        '--from-compose',
        join(ROOT, 'test/fixtures/compose/postgres-redis/docker-compose.yml'),
        '--registry',
        'ghcr.io/acme',
        '--output',
        'json',
      ],
      { cwd },
    );
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as { services: string[]; dependencies: string[]; valid: boolean };
    expect(result).toMatchObject({ services: ['web', 'worker'], dependencies: ['db', 'cache'], valid: true });
    expect(existsSync(join(cwd, 'slipway.yaml'))).toBe(true);
  });
});

describe('through ./bin/slipway (after npm run build)', () => {
  const bin = join(ROOT, 'bin', 'slipway');
  const built = existsSync(join(ROOT, 'dist', 'cli', 'commands', 'validate.js'));

  it.skipIf(!built)('validates an example and fails with exit 2 and positions on a bad spec', () => {
    expect(
      execFileSync(bin, ['validate', '-f', 'examples/discord-bot/slipway.yaml', '--env', 'production'], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    ).toBe('examples/discord-bot/slipway.yaml: valid (environment: production)\n');
    writeFileSync(join(dir, 'bad-bin.yaml'), 'app: shop\nservices:\n  api: { image: x, port: 0 }\n');
    const r = spawnSync(bin, ['validate', '-f', join(dir, 'bad-bin.yaml')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'bad-bin.yaml:3:26 services.api.port: expected a number from 1 to 65535, got 0',
    );
    expect(r.stderr).not.toContain('    at ');
  });

  it.skipIf(!built)(
    'render -f - renders the spec piped in, reading its config files from the working directory',
    () => {
      const cwd = mkdtempSync(join(dir, 'stdin-'));
      const spec =
        'app: shop\nservices:\n  api:\n    image: nginx:1.27\n    port: 8080\n' +
        '    config:\n      - path: /etc/api/app.conf\n        from: app.conf\n';
      writeFileSync(join(cwd, 'slipway.yaml'), spec);
      writeFileSync(join(cwd, 'app.conf'), 'workers = 4\n');
      const args = ['--format', 'manifests'];
      const fromFile = execFileSync(bin, ['render', '-f', 'slipway.yaml', ...args], {
        cwd,
        encoding: 'utf8',
      });
      const piped = execFileSync(bin, ['render', '-f', '-', ...args], { cwd, encoding: 'utf8', input: spec });
      expect(piped).toBe(fromFile);
      expect(piped).toContain('workers = 4');
    },
  );
});
