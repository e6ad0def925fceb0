/**
 * Issue 14: the rendered workflows install exactly the Slipway that wrote them. A fresh runner is
 * simulated: a clean temporary HOME, npm cache and global prefix, and an npm registry on loopback
 * serving this checkout packed with `npm pack` plus its production dependencies (packed from
 * node_modules). The "Install Slipway" step of the rendered cd.yml runs as written (bash, its env)
 * and installs; the installed copy then finds the same integrity in npm's hidden lockfile, which is
 * what its own `render` would pin. The same step against a registry serving other bytes under the
 * same name and version (a squatted or hijacked package) fails before installing anything.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeWorkflows } from '../../src/render/workflows/index.js';
import { filesOf } from '../../src/render/workflows/languages.js';
import { slipwayPackage } from '../../src/package.js';
import { inputOfFile } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Packed {
  name: string;
  version: string;
  manifest: Record<string, unknown>;
  file: string;
}

const integrityOf = (file: string) =>
  `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

/** Where Node would find `name` from `dir`: the nearest node_modules up the tree. */
function resolveDir(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(d) === d) return undefined;
  }
}

/** Tarballs of every production dependency installed here (the tree a user's npm would resolve). */
function packDependencies(out: string): Packed[] {
  const seen = new Set<string>();
  const packed: Packed[] = [];
  const visit = (dir: string) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    const deps = {
      ...(manifest.dependencies as Record<string, string> | undefined),
      ...(manifest.optionalDependencies as Record<string, string> | undefined),
    };
    for (const name of Object.keys(deps)) {
      const found = resolveDir(dir, name);
      if (!found) continue; // an optional dependency for another platform
      const m = JSON.parse(readFileSync(join(found, 'package.json'), 'utf8')) as Record<string, unknown>;
      const key = `${String(m.name)}@${String(m.version)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const file = join(out, `${key.replace(/[@/]/g, '_')}.tgz`);
      execFileSync('tar', [
        '-czf',
        file,
        '-C',
        found,
        '--exclude=./node_modules',
        '--transform',
        's,^\\.,package,',
        '.',
      ]);
      packed.push({ name: String(m.name), version: String(m.version), manifest: m, file });
      visit(found);
    }
  };
  visit(ROOT);
  return packed;
}

/** A registry of just these packages (packuments and tarballs), on 127.0.0.1. */
async function serveRegistry(packages: () => Packed[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const tarball = /^-\/(.+)$/.exec(path)?.[1];
    if (tarball) {
      const p = packages().find((x) => x.file.endsWith(`/${tarball}`));
      if (!p) return res.writeHead(404).end();
      return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(p.file));
    }
    const versions = packages().filter((p) => p.name === path);
    if (!versions.length) return res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    const body = {
      name: path,
      'dist-tags': { latest: versions[versions.length - 1]!.version },
      versions: Object.fromEntries(
        versions.map((p) => [
          p.version,
          {
            ...p.manifest,
            dist: { tarball: `${url}/-/${p.file.split('/').pop()}`, integrity: integrityOf(p.file) },
          },
        ]),
      ),
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn('bash', ['-e', '-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', (code) => done({ code: code ?? 1, out }));
  });
}

describe('the rendered "Install Slipway" step on a fresh runner (loopback registry)', () => {
  let dir: string;
  let registry: { url: string; server: Server };
  let served: Packed[];
  let slipway: Packed;
  let step: { env: Record<string, string>; run: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-install-step-'));
    mkdirSync(join(dir, 'tarballs'));
    const version = slipwayPackage(ROOT).version;
    execFileSync('npm', ['pack', '--pack-destination', join(dir, 'tarballs'), '--silent'], {
      cwd: ROOT,
      env: { ...process.env, npm_config_cache: join(dir, 'pack-cache') },
    });
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    slipway = { name: 'slipway', version, manifest, file: join(dir, 'tarballs', `slipway-${version}.tgz`) };
    served = [slipway, ...packDependencies(join(dir, 'tarballs'))];
    registry = await serveRegistry(() => served);
    const cd = writeWorkflows(inputOfFile(join(ROOT, 'examples/sample-service/slipway.yaml')), {
      slipwayVersion: version,
      slipwayIntegrity: integrityOf(slipway.file),
      files: filesOf([]),
    }).files.get('.github/workflows/cd.yml')!;
    const steps = (parse(cd) as { jobs: Record<string, { steps: (typeof step)[] & { name?: string }[] }> })
      .jobs['deploy-staging']!.steps as Array<{ name?: string; env: Record<string, string>; run: string }>;
    step = steps.find((s) => s.name?.startsWith('Install Slipway'))!;
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => registry?.server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A runner as fresh as GitHub's: nothing in HOME, an empty npm cache, its own global prefix. */
  function runner(name: string): NodeJS.ProcessEnv {
    const home = join(dir, name);
    for (const d of ['home', 'temp', 'prefix']) mkdirSync(join(home, d), { recursive: true });
    writeFileSync(join(home, 'github_path'), '');
    return {
      PATH: `${join(home, 'prefix', 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: join(home, 'home'),
      RUNNER_TEMP: join(home, 'temp'),
      GITHUB_PATH: join(home, 'github_path'),
      npm_config_registry: registry.url,
      npm_config_prefix: join(home, 'prefix'),
      npm_config_cache: join(home, 'home', '.npm'),
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      ...step.env,
    };
  }

  it('installs exactly the tarball whose integrity was pinned, and that copy knows its integrity', async () => {
    const env = runner('good');
    const r = await bash(step.run, env);
    expect(r.code, r.out).toBe(0);
    const bin = readFileSync(env.GITHUB_PATH!, 'utf8').trim();
    const installed = join(dirname(bin), 'slipway');
    // What the installed copy's own `render --format workflows` pins: the same integrity.
    expect(slipwayPackage(installed)).toEqual({
      version: slipway.version,
      integrity: step.env.SLIPWAY_INTEGRITY,
    });
    const version = execFileSync(join(bin, 'slipway'), ['--version'], {
      env,
      encoding: 'utf8',
    });
    expect(version.trim()).toContain(slipway.version);
  }, 120_000);

  it('refuses other bytes under the same name and version, before installing anything', async () => {
    const squatted = join(dir, 'tarballs', 'squatted', `slipway-${slipway.version}.tgz`);
    mkdirSync(dirname(squatted), { recursive: true });
    const pkg = join(dir, 'squat', 'package');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'slipway', version: slipway.version, bin: { slipway: 'bin/x.js' } }),
    );
    writeFileSync(join(pkg, 'bin', 'x.js'), '#!/usr/bin/env node\nconsole.log("squatted")\n');
    execFileSync('tar', ['-czf', squatted, '-C', join(dir, 'squat'), 'package']);
    const original = served;
    served = [{ ...slipway, file: squatted }, ...original.slice(1)];
    try {
      const env = runner('squatted');
      const r = await bash(step.run, env);
      expect(r.code).toBe(1);
      expect(r.out).toContain('is not the package these workflows were rendered with');
      expect(existsSync(join(env.RUNNER_TEMP!, 'slipway-cli'))).toBe(false);
      expect(readFileSync(env.GITHUB_PATH!, 'utf8')).toBe('');
    } finally {
      served = original;
    }
  }, 60_000);
});
