/**
 * Edits a generated YAML text the way a hand might break it, for the fast reader's fast-check
 * comparisons (test/policy/fast-yaml.test.ts, test/spec/fast-source.test.ts): each change inserts a
 * whole line, or puts text into a line at a column, both picked from `line` (any number: it wraps).
 */
export interface TextEdit {
  line: number;
  what: string;
  insert: boolean;
}

export function edit(text: string, changes: readonly TextEdit[]): string {
  const lines = text.split('\n');
  for (const c of changes) {
    const at = c.line % lines.length;
    if (c.insert) lines.splice(at, 0, c.what);
    else {
      const l = lines[at]!;
      const col = c.line % (l.length + 1);
      lines[at] = l.slice(0, col) + c.what + l.slice(col);
    }
  }
  return lines.join('\n');
}
