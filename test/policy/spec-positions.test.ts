import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/**
 * Issue 14: `slipway check slipway.yaml` reports findings at the lines of slipway.yaml that produced
 * the rendered field (the service's block, or the environment overlay that set the value), never at a
 * line of the render output that code scanning would annotate in a file too short to have it.
 */
interface Finding {
  rule: string;
  line: number;
  column: number;
  file: string;
  environment?: string;
  object: { kind: string; name: string };
}

async function check(dir: string, env?: string): Promise<Finding[]> {
  const io = memoryIo({ cwd: dir });
  const args = ['node', 'slipway', 'check', 'slipway.yaml', '-o', 'json', '--fail-on', 'none'];
  await main(env ? [...args, '--env', env] : args, io.io);
  expect(io.stderr()).toBe('');
  return (JSON.parse(io.stdout()) as { findings: Finding[] }).findings;
}

/** The key a finding points at: the text at line:column must begin a `key:` of the file. */
function keyAt(lines: string[], f: Finding): string | undefined {
  const text = lines[f.line - 1]?.slice(f.column - 1) ?? '';
  return /^["']?([\w.-]+)["']?\s*:/.exec(text)?.[1];
}

const SPEC = `app: shop
version: "1.0.0"
services:
  api:
    image: ghcr.io/acme/api:1.0.0
    port: 8080
    health:
      readiness: /readyz
    resources: { cpu: 100m, memory: 128Mi }
  worker:
    image: ghcr.io/acme/worker:1.0.0
    command: [node, worker.js]
    security:
      runAsUser: 1000
dependencies:
  cache: { type: redis }
environments:
  dev:
    replicas: 1
  production:
    replicas: 3
    services:
      api:
        resources:
          cpu: 500m
          memory: 1Gi
`;

describe('check slipway.yaml: findings at the spec field that produced them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-spec-positions-'));
  writeFileSync(join(dir, 'slipway.yaml'), SPEC);
  const lines = SPEC.split('\n');

  it.each([
    // [environment, rule, object, line, column, key]
    ['dev', 'res-ephemeral-storage', 'shop-api', 9, 5, 'resources'],
    ['production', 'res-ephemeral-storage', 'shop-api', 24, 9, 'resources'], // the overlay sets it there
    ['dev', 'probe-liveness', 'shop-worker', 10, 3, 'worker'], // no health block: the service
    ['dev', 'sec-low-uid', 'shop-worker', 14, 7, 'runAsUser'],
    ['production', 'sec-low-uid', 'shop-cache', 16, 3, 'cache'], // a dependency's block
  ] as const)('[%s] %s on %s -> %i:%i (%s)', async (env, rule, object, line, column, key) => {
    const findings = await check(dir, env);
    const found = findings.filter((f) => f.rule === rule && f.object.name === object);
    expect(found.map((f) => [f.file, f.line, f.column])).toEqual([['slipway.yaml', line, column]]);
    expect(keyAt(lines, found[0]!)).toBe(key);
  });
});

const examples = resolve(import.meta.dirname, '..', '..', 'examples');
const names = readdirSync(examples).filter((e) => existsSync(join(examples, e, 'slipway.yaml')));

describe('every finding on every example points at a key of its slipway.yaml', () => {
  it.each(names)('%s', async (example) => {
    const text = readFileSync(join(examples, example, 'slipway.yaml'), 'utf8');
    const lines = text.split('\n');
    const findings = await check(join(examples, example));
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      const where = `${example} ${f.environment} ${f.rule} ${f.object.kind}/${f.object.name} at ${f.line}:${f.column}`;
      expect(f.file, where).toBe('slipway.yaml');
      expect(f.line, where).toBeLessThanOrEqual(lines.length);
      expect(keyAt(lines, f), where).toBeDefined();
    }
  });
});
