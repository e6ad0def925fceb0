/**
 * The CLI loads a format's writer by name (src/cli/format-loaders.ts) so that a render loads only
 * the writer it runs; the library API and `--format all` use formatWriters(). The two lists must
 * name the same writers in the same order (the order `--help` shows).
 */
import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES, loadFormat } from '../../src/cli/format-loaders.js';
import { formatWriters } from '../../src/cli/formats.js';

describe('format loaders', () => {
  it('name every writer of formatWriters(), in its order', () => {
    expect(FORMAT_NAMES).toEqual(formatWriters().map((w) => w.name));
  });

  it('load the very writer formatWriters() lists under each name', async () => {
    for (const writer of formatWriters()) expect(await loadFormat(writer.name)).toBe(writer);
  });

  it('answer an unknown name, also one of Object.prototype, with undefined', async () => {
    expect(await loadFormat('chart')).toBeUndefined();
    expect(await loadFormat('toString')).toBeUndefined();
  });
});
