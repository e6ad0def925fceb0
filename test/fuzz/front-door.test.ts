/**
 * Fuzzing the front door (issue 25): the example specs, mutated (wrong types, unknown keys, huge
 * numbers, deep nesting, alias bombs, duplicate keys, odd unicode, truncation), go through
 * `slipway validate`, `slipway render` and `slipway check` as the CLI runs them. No case may crash
 * (exit 70), hang (the watchdog in runner.ts), or report an error without file:line:col. Seeded:
 * a failure prints its seed and case, and the same seed replays it. `npm run bench:fuzz` runs 10,000.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { caseArbitrary, caseText, EXAMPLES } from './mutations.js';
import { FuzzRunner } from './runner.js';

/** Catches hangs, not slowness: a case normally answers in well under a second. */
const WATCHDOG_MS = 60_000;
const CASES = 200;

let runner: FuzzRunner;
let dir: string;
beforeAll(() => {
  runner = new FuzzRunner(WATCHDOG_MS);
  dir = mkdtempSync(join(tmpdir(), 'slipway-hostile-'));
});
afterAll(async () => {
  await runner.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the front door under mutated specs', () => {
  it(
    `${CASES} seeded cases: no crash, no hang, every error with file:line:col`,
    async () => {
      await fc.assert(
        fc.asyncProperty(caseArbitrary, async (c) => {
          const outcome = await runner.run(caseText(c));
          expect(outcome.failures, outcome.codes).toEqual([]);
        }),
        { seed: 25, numRuns: CASES, endOnFailure: true },
      );
    },
    30 * 60_000,
  );
});

async function cli(args: string[], stdin?: string) {
  const io = memoryIo({ cwd: dir, stdin });
  const code = await main(['node', 'slipway', ...args], io.io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const SERVICE = 'app: shop\nservices:\n  api: { image: ghcr.io/acme/api, port: 8080 }\n';

function bomb(levels: number, fanOut: number): string {
  const lines = ['x-l0: &l0 [lol, lol]'];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `x-l${i}: &l${i} [${Array(fanOut)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return lines.join('\n') + '\n';
}

describe('hostile YAML is bad input with a position, not a crash or a hang', () => {
  it('an alias bomb in slipway.yaml: validate and check stop at the first alias', async () => {
    writeFileSync(join(dir, 'slipway.yaml'), SERVICE + bomb(9, 9));
    const validate = await cli(['validate']);
    expect(validate.code).toBe(2);
    expect(validate.err).toContain(
      'slipway.yaml:5:12: the *alias references in this document expand to more than 100 copies',
    );
    const check = await cli(['check', 'slipway.yaml']);
    expect(check.code).toBe(2);
    expect(check.err).toContain('slipway.yaml:5:12: the *alias references');
  });

  it('an alias bomb in a manifest: check stops at 1000 copies', async () => {
    writeFileSync(
      join(dir, 'bomb.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n' + bomb(9, 9).replaceAll('x-l', 'l'),
    );
    const check = await cli(['check', 'bomb.yaml']);
    expect(check.code).toBe(2);
    expect(check.err).toContain(
      'bomb.yaml:5:10: the *alias references in this document expand to more than 1000 copies',
    );
  });

  it('a 50 MB file is refused before it is read, for validate, render and check', async () => {
    // A sparse file: 50 MB on paper, nothing on disk; the size alone decides.
    const fd = openSync(join(dir, 'huge.yaml'), 'w');
    ftruncateSync(fd, 50 * 1024 * 1024);
    closeSync(fd);
    for (const args of [
      ['validate', '-f', 'huge.yaml'],
      ['render', '-f', 'huge.yaml'],
      ['check', 'huge.yaml'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/huge\.yaml:1:1: the input is 50\.0 MiB, above the 32\.0 MiB Slipway reads/);
    }
  });

  it('standard input above 32 MiB is refused once that much has been read', async () => {
    const r = await cli(['check', '-'], 'a'.repeat(33 * 1024 * 1024));
    expect(r.code).toBe(2);
    expect(r.err).toContain('<stdin>:1:1: the input is more than 32.0 MiB');
  });

  it('nesting 10,000 levels deep is reported at the first level past 256', async () => {
    const deep = 'x-deep: ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n';
    writeFileSync(join(dir, 'slipway.yaml'), SERVICE + deep);
    const validate = await cli(['validate']);
    expect(validate.code).toBe(2);
    expect(validate.err).toContain('slipway.yaml:4:265: nesting deeper than 256 levels');
    writeFileSync(join(dir, 'deep.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n' + deep);
    const check = await cli(['check', 'deep.yaml']);
    expect(check.code).toBe(2);
    expect(check.err).toContain('deep.yaml:4:265: nesting deeper than 256 levels');
  });

  it('a list as a key is named at the key (JSON and Kubernetes have no such keys), without a warning', async () => {
    writeFileSync(join(dir, 'slipway.yaml'), SERVICE + '? [a, b]\n: 1\n');
    const validate = await cli(['validate']);
    expect(validate.code).toBe(2);
    expect(validate.err).toBe(
      'error: slipway.yaml:4:3: a list or mapping cannot be a key: slipway.yaml keys are names\n  hint: write the key as a plain name; a `?` at the start of a line begins a complex key\n',
    );
    writeFileSync(
      join(dir, 'key.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata:\n  ? { u: 1 }\n  : x\n',
    );
    const check = await cli(['check', 'key.yaml']);
    expect(check.code).toBe(2);
    expect(check.err).toContain('key.yaml:5:5: invalid YAML: a list or mapping cannot be a mapping key');
  });

  it('a << merge of a list is named at its value, for validate and check', async () => {
    writeFileSync(
      join(dir, 'slipway.yaml'),
      'app: shop\nx-a: &a [1, 2]\nservices:\n  api:\n    <<: *a\n    image: ghcr.io/acme/api\n',
    );
    const validate = await cli(['validate']);
    expect(validate.code).toBe(2);
    expect(validate.err).toContain(
      'slipway.yaml:5:9: a `<<` merge key takes a mapping, an *alias of one, or a list of those',
    );
    writeFileSync(
      join(dir, 'merge.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  <<: [{ a: 1 }, x]\n',
    );
    const check = await cli(['check', 'merge.yaml']);
    expect(check.code).toBe(2);
    expect(check.err).toContain('merge.yaml:5:7: a `<<` merge key takes a mapping');
  });

  it("render's own problems point into slipway.yaml: the overlay line when the environment sets the field", async () => {
    const spec =
      'app: shop\nservices:\n  api: { image: ghcr.io/acme/api, port: 8080 }\nenvironments:\n  dev: {}\n  production:\n    services:\n      api: { image: ghcr.io/acme/api-prod }\n';
    writeFileSync(join(dir, 'slipway.yaml'), spec);
    const dev = await cli(['render', '--env', 'dev']);
    expect(dev.code).toBe(2);
    expect(dev.err).toContain('slipway.yaml:3:17 services.api.image: no tag for ghcr.io/acme/api');
    const production = await cli(['render', '--env', 'production']);
    expect(production.err).toContain(
      'slipway.yaml:8:21 services.api.image: no tag for ghcr.io/acme/api-prod',
    );
    const check = await cli(['check', 'slipway.yaml', '--env', 'production']);
    expect(check.code).toBe(2);
    expect(check.err).toContain('slipway.yaml:8:21 services.api.image: no tag');
  });

  it('a second document in slipway.yaml is named', async () => {
    writeFileSync(join(dir, 'slipway.yaml'), SERVICE + '---\n' + SERVICE);
    const validate = await cli(['validate']);
    expect(validate.code).toBe(2);
    expect(validate.err).toContain(
      'slipway.yaml:4:1: a second YAML document (after ---): slipway.yaml holds one',
    );
  });

  it('the examples themselves pass unmutated', async () => {
    for (const { text } of EXAMPLES) expect((await runner.run(text)).failures).toEqual([]);
  });
});
