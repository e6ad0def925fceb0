import { describe, expect, it } from 'vitest';
import { jsonPatch } from '../../src/render/kustomize/json-patch.js';
import { writeKustomize } from '../../src/render/kustomize/index.js';
import { fixtureInput } from './fixture.js';
import { judgeKustomize, withTempDir } from './judges.js';

describe('kustomize from hand-made objects', () => {
  it('kubectl kustomize overlays/<env> yields render’s objects for every environment', async () => {
    const input = fixtureInput();
    const { files } = writeKustomize(input);
    expect([...files.keys()]).toContain('overlays/production/ingress-shop-api.yaml');
    expect([...files.keys()]).not.toContain('base/ingress-shop-api.yaml');
    await withTempDir(async (dir) => {
      for (const judged of await judgeKustomize(input, dir, files)) {
        expect(judged.actual, judged.environment).toEqual(judged.expected);
      }
    });
  });
});

describe('json patch', () => {
  it('escapes pointer segments and replaces lists whose length changes', () => {
    expect(jsonPatch({ a: { 'x/y~z': 1 }, l: [1] }, { a: { 'x/y~z': 2 }, l: [1, 2], n: true })).toEqual([
      { op: 'replace', path: '/a/x~1y~0z', value: 2 },
      { op: 'replace', path: '/l', value: [1, 2] },
      { op: 'add', path: '/n', value: true },
    ]);
    expect(jsonPatch({ a: 1, b: 2 }, { a: 1 })).toEqual([{ op: 'remove', path: '/b' }]);
  });
});
