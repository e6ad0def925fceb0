import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRuleDocs } from '../../src/policy/docs.js';
import { KUBE_SCORE_CHECKS, POLARIS_CHECKS } from '../../src/policy/peers.js';
import { RULES } from '../../src/policy/rules/index.js';

const dir = resolve(import.meta.dirname, '..', '..', 'docs', 'rules');

describe('docs/rules', () => {
  it('is generated from the catalog and current (npx tsx scripts/gen-policy-docs.ts)', () => {
    const files = renderRuleDocs(RULES);
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([...files.keys()].sort());
    for (const [name, text] of files) expect(readFileSync(join(dir, name), 'utf8'), name).toBe(text);
  });
});

describe('docs/rules/peers.md', () => {
  it('maps every kube-score and Polaris check to rules that exist, with a reason where none judges it', () => {
    const ids = new Set(RULES.map((r) => r.id));
    for (const c of [...KUBE_SCORE_CHECKS, ...POLARIS_CHECKS]) {
      expect(c.rules.length > 0 || (c.note ?? '').length > 10, c.id).toBe(true);
      for (const r of c.rules) expect(ids.has(r), `${c.id} -> ${r}`).toBe(true);
    }
  });
});
