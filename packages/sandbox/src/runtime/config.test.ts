import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandboxError } from '../errors.js';
import { defaultSandboxConfig, isMissingImage, loadSandboxConfig, parseImage, ruleFor } from './config.js';
import { parseFaults } from './faults.js';

describe('sandbox config', () => {
  it.each([
    ['sample-service:v2', { repository: 'sample-service', name: 'sample-service', tag: 'v2' }],
    ['ghcr.io/acme/api', { repository: 'ghcr.io/acme/api', name: 'api', tag: 'latest' }],
    ['localhost:5000/api:1.2', { repository: 'localhost:5000/api', name: 'api', tag: '1.2' }],
    ['api@sha256:abc', { repository: 'api', name: 'api', tag: 'sha256:abc' }],
  ])('parses %s', (image, expected) => expect(parseImage(image)).toEqual(expected));

  it('maps sample-service by default and treats tag broken as missing', () => {
    const c = defaultSandboxConfig();
    expect(ruleFor(c, 'ghcr.io/acme/sample-service:v1')?.command?.at(-1)).toMatch(
      /images\/sample-service\.mjs$/,
    );
    expect(ruleFor(c, 'nginx:1')).toBeUndefined();
    expect(isMissingImage(c, 'sample-service:broken')).toBe(true);
    expect(isMissingImage(c, 'ghcr.io/x/y:broken')).toBe(true);
    expect(isMissingImage(c, 'sample-service:v1')).toBe(false);
  });

  it('loads a YAML file whose rules come before the built-in ones', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-cfg-')), 'sandbox.yaml');
    writeFileSync(
      file,
      'images:\n  - match: ghcr.io/acme/*\n    command: [./server]\n    faults: error-rate=0.1\nmissingImages: ["ghcr.io/acme/gone:*"]\nsimulated: { startupMs: 10 }\n',
    );
    const c = loadSandboxConfig(file);
    expect(ruleFor(c, 'ghcr.io/acme/api:3')).toMatchObject({
      command: ['./server'],
      faults: 'error-rate=0.1',
    });
    expect(ruleFor(c, 'sample-service:1')).toBeDefined();
    expect(isMissingImage(c, 'ghcr.io/acme/gone:1')).toBe(true);
    expect(c.simulated.startupMs).toBe(10);
    expect(c.crashLoopBackoff.initialMs).toBe(1000);
  });

  it('maps the database and tool images to host programs; a user rule for one comes first', () => {
    const c = defaultSandboxConfig();
    expect(ruleFor(c, 'postgres:16')).toMatchObject({
      hostCommand: true,
      hostVersion: { product: 'PostgreSQL' },
    });
    expect(ruleFor(c, 'docker.io/library/redis:7.4')?.command?.at(-1)).toMatch(/images\/redis\.mjs$/);
    expect(ruleFor(c, 'mysql:8.4')?.hostVersion).toMatchObject({ product: 'MariaDB', sameProduct: false });
    expect(ruleFor(c, 'mariadb:11')?.hostVersion).toMatchObject({ product: 'MariaDB', sameProduct: true });
    expect(ruleFor(c, 'keinos/sqlite3:latest')).toMatchObject({ command: ['sqlite3'], hostCommand: true });
    expect(ruleFor(c, 'rclone/rclone:1.68')?.requires).toEqual([{ binary: 'rclone', package: 'rclone' }]);
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-cfg-')), 'sandbox.yaml');
    writeFileSync(
      file,
      'images:\n  - match: postgres\n  - match: ghcr.io/acme/tool\n    command: [tool]\n    hostCommand: true\n    requires: [{ binary: tool, package: acme-tool }]\n    hostVersion: { command: [tool, -V], pattern: "v(\\\\d+)", product: Tool }\n',
    );
    const user = loadSandboxConfig(file);
    expect(ruleFor(user, 'postgres:16')?.command).toBeUndefined();
    expect(ruleFor(user, 'ghcr.io/acme/tool:2')?.hostVersion).toEqual({
      command: ['tool', '-V'],
      pattern: 'v(\\d+)',
      product: 'Tool',
      sameProduct: true,
    });
  });

  it('reports a wrong field with the file and path', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-cfg-')), 'sandbox.yaml');
    writeFileSync(file, 'images:\n  - match: x\n    comand: [a]\n');
    expect(() => loadSandboxConfig(file)).toThrow(SandboxError);
    expect(() => loadSandboxConfig(file)).toThrow(/sandbox\.yaml: images\.0/);
    writeFileSync(file, 'images: [\n');
    expect(() => loadSandboxConfig(file)).toThrow(/sandbox\.yaml:\d+:\d+/);
  });

  it('reads api.faults: one share for all verbs or one per verb, durations with units', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-cfg-')), 'sandbox.yaml');
    writeFileSync(
      file,
      'api:\n  faults: { seed: 7, status500: 0.05, status429: { create: 0.1, get: 0.2 }, retryAfter: 2s, dropWatchesEvery: 10s, latency: 20ms }\n',
    );
    expect(loadSandboxConfig(file).api.faults).toEqual({
      seed: 7,
      status500: 0.05,
      status429: { create: 0.1, get: 0.2 },
      retryAfter: 2000,
      dropWatchesEvery: 10000,
      goneOnResume: 0,
      latency: 20,
    });
    writeFileSync(file, 'api:\n  faults: { latency: { watch: 1s, get: 5 } }\n');
    expect(loadSandboxConfig(file).api.faults?.latency).toEqual({ watch: 1000, get: 5 });
    writeFileSync(file, 'images: []\n');
    expect(loadSandboxConfig(file).api.faults).toBeUndefined();
  });

  it.each([
    ['api:\n  faults: { status500: 1.5 }\n', /api\.faults\.status500/],
    ['api:\n  faults: { status429: { crate: 0.1 } }\n', /api\.faults\.status429/],
    [
      'api:\n  faults: { latency: soon }\n',
      /api\.faults\.latency: expected a duration like 20ms or 1s, or a map from verbs/,
    ],
  ])('rejects a bad api.faults entry naming its path: %s', (text, message) => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-cfg-')), 'sandbox.yaml');
    writeFileSync(file, text);
    expect(() => loadSandboxConfig(file)).toThrow(message);
  });
});

describe('faults', () => {
  it('parses every fault and reports unknown ones', () => {
    expect(parseFaults('never-ready, crash-after=5s', 'flapping-readiness,error-rate=0.05')).toEqual({
      faults: { neverReady: true, crashAfterMs: 5000, flapMs: 2000, errorRate: 0.05 },
      problems: [],
    });
    expect(parseFaults('flapping-readiness=500ms').faults.flapMs).toBe(500);
    expect(parseFaults('crash-after=soon,nope').problems).toHaveLength(2);
  });
});
