/**
 * Label selectors as the API server reads them (apimachinery `labels.Parse`): `a=b`, `a==b`,
 * `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, joined by commas. The in-memory cluster filters
 * with it and `kube.ts` turns selector maps into the same string form, so both agree.
 */
export type Requirement =
  | { key: string; op: 'in'; values: string[] }
  | { key: string; op: 'notin'; values: string[] }
  | { key: string; op: 'exists' }
  | { key: string; op: '!exists' };

export function selectorString(selector: string | Record<string, string> | undefined): string | undefined {
  if (selector === undefined) return undefined;
  if (typeof selector === 'string') return selector.trim() || undefined;
  const parts = Object.entries(selector).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : undefined;
}

/** Splits on commas that are not inside a `( ... )` value list. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

export function parseSelector(selector: string): Requirement[] {
  return splitTerms(selector).map((term) => {
    const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (set) {
      const values = set[3]!
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      return { key: set[1]!, op: set[2] as 'in' | 'notin', values };
    }
    const ne = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(term);
    if (ne) return { key: ne[1]!, op: 'notin', values: [ne[2]!] };
    const eq = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(term);
    if (eq) return { key: eq[1]!, op: 'in', values: [eq[2]!] };
    const notExists = /^!\s*([^\s!=]+)$/.exec(term);
    if (notExists) return { key: notExists[1]!, op: '!exists' };
    if (/^[^\s!=(),]+$/.test(term)) return { key: term, op: 'exists' };
    throw new Error(`unable to parse label selector term "${term}"`);
  });
}

export function matchesSelector(
  labels: Record<string, string> | undefined,
  selector: string | Record<string, string> | undefined,
): boolean {
  const text = selectorString(selector);
  if (!text) return true;
  const l = labels ?? {};
  return parseSelector(text).every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        // As in apimachinery: `a!=b` and `a notin (b)` also match objects without the label.
        return !has || !r.values.includes(l[r.key]!);
      case 'exists':
        return has;
      case '!exists':
        return !has;
    }
  });
}
