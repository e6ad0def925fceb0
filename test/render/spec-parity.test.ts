import { describe, expect, it } from 'vitest';
import { resolveReference } from '../../src/render/references.js';
import { DEPENDENCY_OUTPUTS, SERVICE_OUTPUTS } from '../../src/spec/index.js';
import type { Dependency } from '../../src/spec/schema.js';
import { resolved } from './fixtures.js';

/** What the spec validates and what render resolves must be the same set of names. */
describe('render and spec agree on references', () => {
  const app = resolved({
    services: {
      web: { image: 'w:1', port: 80 },
      bot: { image: 'b:1', volumes: [{ name: 'data', path: '/d', size: '1Gi' }] },
    },
    dependencies: Object.fromEntries(
      Object.keys(DEPENDENCY_OUTPUTS).map((type): [string, Dependency] => [
        type,
        type === 'sqlite' ? { type, service: 'bot' } : { type: type as Dependency['type'] },
      ]),
    ),
  });

  it.each(Object.entries(DEPENDENCY_OUTPUTS))(
    '%s: every output the spec accepts resolves',
    (type, outputs) => {
      for (const output of outputs) {
        const r = resolveReference(app, { text: `\${${type}.${output}}`, target: type, output, start: 0 });
        expect('output' in r, `${type}.${output}`).toBe(true);
      }
    },
  );

  it('services: every output the spec accepts resolves', () => {
    for (const output of SERVICE_OUTPUTS)
      expect('output' in resolveReference(app, { text: '', target: 'web', output, start: 0 })).toBe(true);
  });
});
