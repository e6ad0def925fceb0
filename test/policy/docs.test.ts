import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRuleDocs } from '../../src/policy/docs.js';
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
