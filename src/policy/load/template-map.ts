/**
 * Maps lines of a document rendered by `helm template` back to lines of the template file it came from.
 *
 * Each template line gets a role: `literal` (no action: renders as itself), `inline` (actions that open
 * and close on the line, no whitespace trimming, no control keyword, nothing that emits newlines: renders
 * as exactly one line matching the literal parts), `control` (only if/else/end/range/with/define, comments
 * or variable assignments: renders nothing, or one blank line when not trimmed), `producer` (anything
 * else: toYaml, nindent, include on a line of its own, multi-line actions, lines joined by `-}}`: any
 * number of lines) or `separator` (a literal `---`, which helm splits documents on).
 *
 * A rendered document is aligned with the template by reachability over (rendered line, template line)
 * states: literal and inline lines consume one matching rendered line, producers any number, control
 * lines none (or one blank one); an if/with/range block may render nothing or one of its else branches,
 * and a range's `end` may loop back to its body. A document starts at the template's first line or after
 * a literal `---`, and ends at the next one (or the end of the file). A rendered line is **exact** when every complete alignment assigns it
 * to the same literal or inline template line; otherwise it is approximate (it came from a producer, or
 * the alignment is ambiguous) and is reported at the document's first line in the template.
 */

type Role = 'literal' | 'inline' | 'control' | 'producer' | 'separator' | 'blank';

interface TemplateLine {
  text: string;
  role: Role;
  /** For inline lines: the pattern the rendered line must match. */
  pattern?: RegExp;
  /**
   * Block structure, as template line indexes the alignment may jump to without rendering anything:
   * from an if/with/range opener to its else branches and its end (the block renders nothing), from an
   * else to the end (the branch before it was taken), from a range's end back to its body (another
   * iteration).
   */
  jumps: number[];
  /** An else line: reached by falling through a taken branch, it only jumps to its end. */
  onlyJumps?: boolean;
}

export interface TemplateMap {
  /** 1-based template line for rendered line `index` (0-based within the document), when exact. */
  exactLine(index: number): number | undefined;
  /** 1-based template line where the document starts (its section's first content line), else 1. */
  startLine: number;
  /** Column in the template for a rendered column on an exact line (same when the text before it is literal). */
  column(index: number, renderedColumn: number): number;
}

const ACTION = /\{\{[\s\S]*?\}\}/g;
const CONTROL_ACTION =
  /^\{\{-?\s*(?:if\b|else\b|end\b|range\b|with\b|define\b|block\b|\/\*[\s\S]*\*\/\s*-?\}\}$|\$[\w]*\s*:?=)/;
const OPENS_BLOCK = /^\{\{-?\s*(if|range|with|define|block)\b/;
const CLOSES_BLOCK = /^\{\{-?\s*end\b/;
const ELSE = /^\{\{-?\s*else\b/;
/** Alignment states (rendered lines x template lines) above which positions are left approximate. */
const MAX_STATES = 4_000_000;
const EMITS_NEWLINES = /\b(?:nindent|indent|toYaml|tpl|toToml)\b/;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Classifies the lines of a template file. */
export function classifyTemplate(template: string): TemplateLine[] {
  const raw = template.replace(/\r\n/g, '\n').split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const lines: TemplateLine[] = [];
  let inAction = false; // inside an action that spans lines
  let joinNext = false; // the previous line ended with `-}}`: this line's text joins the previous output line
  const stack: Array<{ kind: string; line: number; elses: number[] }> = [];
  raw.forEach((text, index) => {
    const startsInAction = inAction;
    let rest = text;
    if (inAction) {
      const close = rest.indexOf('}}');
      if (close < 0) {
        lines.push({ text, role: 'producer', jumps: [] });
        joinNext = false;
        return;
      }
      rest = rest.slice(close + 2);
      inAction = false;
    }
    const complete = rest.replace(ACTION, '');
    if (complete.includes('{{')) inAction = true;
    const actions = rest.match(ACTION) ?? [];
    let role: Role;
    if (startsInAction || inAction || joinNext) role = 'producer';
    else if (!text.includes('{{'))
      role = /^---\s*$/.test(text) ? 'separator' : text.trim() === '' ? 'blank' : 'literal';
    else if (complete.trim() === '' && actions.every((a) => CONTROL_ACTION.test(a))) role = 'control';
    else if (
      actions.some(
        (a) => a.startsWith('{{-') || a.endsWith('-}}') || CONTROL_ACTION.test(a) || EMITS_NEWLINES.test(a),
      )
    )
      role = 'producer';
    else if (complete.trim() === '')
      role = 'producer'; // a value on a line of its own can be any YAML
    else role = 'inline';
    const line: TemplateLine = { text, role, jumps: [] };
    if (role === 'inline') line.pattern = new RegExp(`^${text.split(ACTION).map(escape).join('.*')}$`);
    lines.push(line);
    joinNext = /-\}\}\s*$/.test(text);
    // Block structure (only for blocks whose opener, else and end are on lines of their own).
    for (const a of actions) {
      const open = OPENS_BLOCK.exec(a);
      if (open?.[1]) stack.push({ kind: open[1], line: index, elses: [] });
      else if (ELSE.test(a)) stack[stack.length - 1]?.elses.push(index);
      else if (CLOSES_BLOCK.test(a)) {
        const opened = stack.pop();
        if (!opened || opened.line === index) continue;
        const opener = lines[opened.line];
        if (opener) opener.jumps.push(...opened.elses.map((e) => e + 1), index);
        for (const e of opened.elses) {
          const el = lines[e];
          if (el && el.role === 'control') {
            el.jumps.push(index);
            el.onlyJumps = true;
          }
        }
        if (opened.kind === 'range') line.jumps.push(opened.line + 1);
      }
    }
  });
  return lines;
}

/** Aligns one rendered document (its lines, as helm printed them after `# Source:`) with its template. */
export function mapDocument(template: TemplateLine[], rendered: readonly string[]): TemplateMap {
  const n = rendered.length;
  const m = template.length;
  const W = m + 1;
  const id = (i: number, j: number) => i * W + j;
  // Sections: template lines between literal `---` separators. A document starts at a section start.
  const starts: number[] = [0];
  template.forEach((t, j) => {
    if (t.role === 'separator') starts.push(j + 1);
  });
  // States are (i rendered lines consumed, next template line j). Moves that consume nothing depend on
  // the template alone; moves that consume rendered line i go from layer i to layer i + 1.
  const succ: number[][] = template.map(() => []);
  const pred: number[][] = Array.from({ length: W }, () => []);
  const link = (j: number, to: number) => {
    succ[j]?.push(to);
    pred[to]?.push(j);
  };
  template.forEach((t, j) => {
    if (t.role === 'blank' || t.role === 'producer' || (t.role === 'control' && !t.onlyJumps)) link(j, j + 1);
    for (const to of t.jumps) link(j, to);
  });
  /** Where template line j can go by consuming rendered line i, and whether that places it exactly. */
  const consume = (i: number, j: number): Array<[number, boolean]> => {
    const t = template[j] as TemplateLine;
    const r = rendered[i] as string;
    switch (t.role) {
      case 'literal':
        return r === t.text ? [[j + 1, true]] : [];
      case 'inline':
        return t.pattern?.test(r) ? [[j + 1, true]] : [];
      case 'blank':
        return r.trim() === '' ? [[j + 1, false]] : [];
      case 'control': // an action that is not trimmed leaves a blank line
        return !t.onlyJumps && r.trim() === '' ? [[j + 1, false]] : [];
      case 'producer':
        return [[j, false]];
      default:
        return []; // a document never crosses a literal `---`
    }
  };
  // Too large to align (a generated CRD, a big ConfigMap): every position is approximate.
  if (n * W > MAX_STATES) return { exactLine: () => undefined, startLine: 1, column: () => 1 };
  const fwd = new Uint8Array((n + 1) * W);
  const bwd = new Uint8Array((n + 1) * W);
  const close = (reach: Uint8Array, i: number, seeds: number[], edges: number[][]) => {
    const queue = seeds.filter((j) => !reach[id(i, j)]);
    for (const j of queue) reach[id(i, j)] = 1;
    while (queue.length) {
      const j = queue.pop() as number;
      for (const to of edges[j] ?? []) {
        if (!reach[id(i, to)]) {
          reach[id(i, to)] = 1;
          queue.push(to);
        }
      }
    }
  };
  close(fwd, 0, starts, succ);
  for (let i = 0; i < n; i++) {
    const seeds: number[] = [];
    for (let j = 0; j < m; j++) if (fwd[id(i, j)]) for (const [to] of consume(i, j)) seeds.push(to);
    close(fwd, i + 1, seeds, succ);
  }
  // The document ends where its section ends (the template lines in between rendered nothing).
  const ends: number[] = [];
  for (let j = 0; j <= m; j++) if (j === m || template[j]?.role === 'separator') ends.push(j);
  close(bwd, n, ends, pred);
  for (let i = n - 1; i >= 0; i--) {
    const seeds: number[] = [];
    // Only states an alignment can reach matter (no predecessor of an unreachable state is reachable).
    for (let j = 0; j < m; j++)
      if (fwd[id(i, j)] && consume(i, j).some(([to]) => bwd[id(i + 1, to)])) seeds.push(j);
    close(bwd, i, seeds, pred);
  }
  // Roles of each rendered line over every complete alignment.
  const exact = new Array<number | undefined>(n).fill(undefined);
  const ambiguous = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (!fwd[id(i, j)]) continue;
      for (const [to, isExact] of consume(i, j)) {
        if (!bwd[id(i + 1, to)]) continue;
        if (!isExact) ambiguous[i] = true;
        else if (exact[i] === undefined) exact[i] = j;
        else if (exact[i] !== j) ambiguous[i] = true;
      }
    }
  }
  const complete = starts.filter((s) => fwd[id(0, s)] && bwd[id(0, s)]);
  let startLine = 1;
  const firstContent = (s: number) => {
    let j = s;
    while (
      j < m &&
      template[j]?.role !== 'literal' &&
      template[j]?.role !== 'inline' &&
      template[j]?.role !== 'producer'
    )
      j++;
    return j < m ? j + 1 : s + 1;
  };
  if (complete.length === 1) startLine = firstContent(complete[0] as number);
  else {
    // Several sections could hold the document: the one holding its first exact line, if any.
    const known = exact.findIndex((j, i) => j !== undefined && !ambiguous[i]);
    const j = known >= 0 ? (exact[known] as number) : undefined;
    if (j !== undefined) startLine = firstContent(Math.max(...starts.filter((st) => st <= j)));
  }
  const exactLine = (index: number) =>
    ambiguous[index] || exact[index] === undefined ? undefined : (exact[index] as number) + 1;
  return {
    exactLine,
    startLine: Math.min(startLine, Math.max(m, 1)),
    column(index, renderedColumn) {
      const j = exactLine(index);
      if (j === undefined) return 1;
      const t = template[j - 1] as TemplateLine;
      const r = rendered[index] ?? '';
      if (t.role === 'literal') return renderedColumn;
      const action = t.text.indexOf('{{');
      // The text before the column is literal template text: the column is the same in the template.
      if (
        renderedColumn - 1 <= action &&
        r.slice(0, renderedColumn - 1) === t.text.slice(0, renderedColumn - 1)
      )
        return renderedColumn;
      return action + 1;
    },
  };
}
