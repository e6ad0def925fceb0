import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/**
 * Issue 14: Slipway installed alone (no helm, no kubectl) checking a chart or a kustomize directory
 * says what runs, that nothing else needs the tool, and how to get it; never a spawn error.
 */
const fixtures = resolve(import.meta.dirname, '..', 'fixtures', 'policy');

describe('check without helm or kubectl', () => {
  it.each([
    ['chart', 'SLIPWAY_HELM', /helm template/, /helm\.sh.*helm template NAME CHART \| slipway check -/],
    [
      'kustomize',
      'SLIPWAY_KUBECTL',
      /kubectl kustomize/,
      /kubernetes\.io.*kustomize build DIR \| slipway check -/,
    ],
  ])('%s: exit 2 with what to install', async (input, variable, what, hint) => {
    const io = memoryIo({ cwd: fixtures, env: { [variable]: '/nonexistent/tool' } });
    const code = await main(['node', 'slipway', 'check', input], io.io);
    expect(code).toBe(2);
    const err = io.stderr();
    expect(err).toMatch(what);
    expect(err).toContain('/nonexistent/tool does not exist');
    expect(err).toContain('needs only Node.js');
    expect(err).toMatch(hint);
    expect(err).not.toContain('ENOENT');
  });
});
