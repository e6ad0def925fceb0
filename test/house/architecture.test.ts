/** docs/architecture.md stays true: its layer picture is the code's, and every path it names exists. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerEdges, layerPicture, withPicture } from '../../scripts/architecture.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');

describe('docs/architecture.md', () => {
  it('draws the layers the code has (regenerate: npx tsx scripts/architecture.ts)', () => {
    expect(withPicture(doc, layerPicture(layerEdges()))).toBe(doc);
  }, 60_000);

  it('names only paths that exist', () => {
    const paths = [...doc.matchAll(/`((?:src|packages|test|scripts|docs)\/[^`\s]*)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((p) => !existsSync(join(ROOT, p.replace(/\/$/, ''))))).toEqual([]);
  });
});
