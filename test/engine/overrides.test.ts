import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../src/engine/overrides.js';
import { UserError } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';

const SPEC = 'examples/sample-service/slipway.yaml';
const app = () => resolveEnvironment(parseSpec(readFileSync(SPEC, 'utf8'), SPEC), 'dev');

function failure(sets: string[], images: string[] = []): UserError {
  try {
    applyOverrides(app(), sets, images);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('deploy --set / --set-image', () => {
  it('applies a value read as a YAML scalar, creating optional maps', () => {
    const { app: next, overrides } = applyOverrides(
      app(),
      ['services.web.replicas=3', 'services.web.public.host=web.example.com'],
      [],
    );
    expect(next.services.web?.replicas).toBe(3);
    expect(overrides.map((o) => o.path)).toEqual(['services.web.replicas', 'services.web.public.host']);
  });

  it('refuses a service or dependency the spec does not have, instead of inventing one', () => {
    const e = failure(['services.wbe.replicas=2']);
    expect(e.format()).toBe(
      '--set: services.wbe.replicas: sample has no service "wbe"\n  hint: did you mean "web"?',
    );
  });

  it('refuses a top-level field the spec does not have (it would be recorded and do nothing)', () => {
    expect(failure(['deplyo.timeout=5m']).format()).toBe(
      '--set: deplyo.timeout: the spec has no field "deplyo"\n  hint: did you mean "deploy"?',
    );
  });

  it('names an unknown field with its full path and a did-you-mean', () => {
    expect(failure(['services.web.replicaz=3']).format()).toBe(
      'services.web.replicaz: --set: unknown field "replicaz"\n  hint: did you mean "replicas"?',
    );
  });

  it('gives each flag its own example when KEY=VALUE is missing', () => {
    expect(failure([], ['web']).format()).toBe(
      '--set-image: expected SERVICE=IMAGE, got "web"\n  hint: --set-image web=ghcr.io/acme/web:1.2.3',
    );
    expect(failure(['nope']).format()).toBe(
      '--set: expected PATH=VALUE, got "nope"\n  hint: --set services.web.env.LOG_LEVEL=debug',
    );
  });
});
