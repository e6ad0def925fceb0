/**
 * Extracts the label-selector test tables of k8s.io/apimachinery (pkg/labels/selector_test.go and
 * the LabelSelectorAsSelector table of pkg/apis/meta/v1/helpers_test.go) as data, for
 * packages/kube/test/selector.test.ts to run against @slipway/kube.
 *
 *   npx tsx packages/kube/scripts/gen-selector-cases.ts [path/to/apimachinery]         # rewrites the JSON
 *   npx tsx packages/kube/scripts/gen-selector-cases.ts [path/to/apimachinery] --check # exit 1 when stale
 *
 * The argument is a checkout or a bare git directory of kubernetes/apimachinery (default: the
 * mirror at /work/.mirror/kubernetes+apimachinery/repo). Only the table literals are read: a small
 * tokenizer and a parser for Go composite literals (`T{...}`, `&T{...}`, `[]T{...}`, `map[K]V{...}`,
 * calls such as `sets.NewString("a")`) turn them into values, and one function per table maps those
 * values to cases. Anything of an unexpected shape stops the script with the table's name.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_MIRROR = '/work/.mirror/kubernetes+apimachinery/repo';
export const CASES_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'test',
  'apimachinery-selector-cases.json',
);
const SELECTOR_TEST = 'pkg/labels/selector_test.go';
const HELPERS_TEST = 'pkg/apis/meta/v1/helpers_test.go';

// ---------------------------------------------------------------------------------------------
// Reading the sources: a bare git directory (HEAD) or a work tree.

interface Source {
  commit: string | undefined;
  read(path: string): string;
}

function openSource(root: string): Source {
  const bare = existsSync(join(root, 'HEAD')) && existsSync(join(root, 'objects'));
  if (bare) {
    const git = (...args: string[]) =>
      execFileSync('git', ['--git-dir', root, ...args], { encoding: 'utf8' });
    return { commit: git('rev-parse', 'HEAD').trim(), read: (p) => git('show', `HEAD:${p}`) };
  }
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    commit = undefined;
  }
  return { commit, read: (p) => readFileSync(join(root, p), 'utf8') };
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Tok = { kind: 'str' | 'num' | 'ident' | 'punct'; text: string };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) i++;
    else if (src.startsWith('//', i)) i = src.indexOf('\n', i) < 0 ? src.length : src.indexOf('\n', i);
    else if (src.startsWith('/*', i)) i = src.indexOf('*/', i) + 2;
    else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      out.push({ kind: 'str', text: src.slice(i + 1, end) });
      i = end + 1;
    } else if (c === '"') {
      let s = '';
      i++;
      while (src[i] !== '"') {
        if (src[i] === '\\') {
          const e = src[i + 1]!;
          const simple: Record<string, string> = {
            n: '\n',
            r: '\r',
            t: '\t',
            '\\': '\\',
            '"': '"',
            "'": "'",
          };
          if (!(e in simple)) throw new Error(`unsupported Go string escape \\${e}`);
          s += simple[e];
          i += 2;
        } else s += src[i++];
      }
      out.push({ kind: 'str', text: s });
      i++;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9_.xXa-fA-F]*/.exec(src.slice(i))!;
      out.push({ kind: 'num', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      out.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      const p = [':=', '==', '!=', '&&', '||', '<=', '>=', '++', '--'].includes(two) ? two : c;
      out.push({ kind: 'punct', text: p });
      i += p.length;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values: the subset of Go expressions the tables use

export type GoValue =
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'name'; v: string } // nil, true, selection.In, labelset, req, ...
  | { k: 'call'; fn: string; args: GoValue[] }
  | { k: 'lit'; type: string; elems: { key?: string; value: GoValue }[] }
  | { k: 'addr'; v: GoValue };

class LiteralParser {
  constructor(
    private readonly toks: Tok[],
    public pos: number,
  ) {}
  private peek(o = 0): Tok | undefined {
    return this.toks[this.pos + o];
  }
  private take(text?: string): Tok {
    const t = this.toks[this.pos];
    if (!t || (text !== undefined && t.text !== text))
      throw new Error(`expected ${text ?? 'a token'}, found ${t?.text ?? 'end of file'}`);
    this.pos++;
    return t;
  }
  /** A type, returned as its source text (struct bodies abbreviated). */
  type(): string {
    const t = this.peek();
    if (t?.text === '*') return this.take().text + this.type();
    if (t?.text === '[') {
      this.take('[');
      this.take(']');
      return '[]' + this.type();
    }
    if (t?.text === 'map') {
      this.take('map');
      this.take('[');
      const k = this.type();
      this.take(']');
      return `map[${k}]${this.type()}`;
    }
    if (t?.text === 'struct') {
      this.take('struct');
      this.take('{');
      for (let depth = 1; depth > 0;) {
        const x = this.take().text;
        if (x === '{') depth++;
        if (x === '}') depth--;
      }
      return 'struct';
    }
    return this.qualifiedName();
  }
  private qualifiedName(): string {
    let name = this.take().text;
    while (this.peek()?.text === '.' && this.peek(1)?.kind === 'ident') {
      this.take('.');
      name += '.' + this.take().text;
    }
    return name;
  }
  value(): GoValue {
    const t = this.peek();
    if (!t) throw new Error('unexpected end of file');
    if (t.kind === 'str') return { k: 'str', v: this.take().text };
    if (t.kind === 'num') return { k: 'num', v: Number(this.take().text.replaceAll('_', '')) };
    if (t.text === '&') {
      this.take('&');
      return { k: 'addr', v: this.value() };
    }
    if (t.text === '{') return this.elements('');
    if (t.text === '[' || t.text === 'map') {
      const type = this.type();
      return this.elements(type);
    }
    if (t.kind === 'ident') {
      const name = this.qualifiedName();
      const next = this.peek()?.text;
      if (next === '(') {
        this.take('(');
        const args: GoValue[] = [];
        while (this.peek()?.text !== ')') {
          args.push(this.value());
          if (this.peek()?.text === ',') this.take(',');
        }
        this.take(')');
        return { k: 'call', fn: name, args };
      }
      if (next === '{' && !['nil', 'true', 'false', 'range'].includes(name)) return this.elements(name);
      return { k: 'name', v: name };
    }
    throw new Error(`unexpected ${t.text}`);
  }
  private elements(type: string): GoValue {
    this.take('{');
    const elems: { key?: string; value: GoValue }[] = [];
    while (this.peek()?.text !== '}') {
      let key: string | undefined;
      if (this.peek(1)?.text === ':' && (this.peek()?.kind === 'ident' || this.peek()?.kind === 'str')) {
        key = this.take().text;
        this.take(':');
      }
      elems.push({ key, value: this.value() });
      if (this.peek()?.text === ',') this.take(',');
      else if (this.peek()?.text !== '}') throw new Error(`expected , or } in ${type || 'literal'}`);
    }
    this.take('}');
    return { k: 'lit', type, elems };
  }
}

/** The tokens of `func name(...) {...}`. */
function functionBody(toks: Tok[], name: string): Tok[] {
  const start = toks.findIndex((t, i) => t.text === 'func' && toks[i + 1]?.text === name);
  if (start < 0) throw new Error(`func ${name} not found`);
  let i = toks.findIndex((t, j) => j > start && t.text === '{' && toks[j - 1]?.text !== 'struct');
  const from = i;
  for (let depth = 0; ; i++) {
    if (toks[i]!.text === '{') depth++;
    if (toks[i]!.text === '}' && --depth === 0) return toks.slice(from + 1, i);
  }
}

/** `name := <literal>` and `name = <literal>` inside a body; statements of other shapes are skipped. */
function assignments(body: Tok[]): Map<string, GoValue> {
  const env = new Map<string, GoValue>();
  for (let i = 0; i + 1 < body.length; i++) {
    if (body[i]!.kind !== 'ident' || body[i + 1]!.text !== ':=') continue;
    const next = body[i + 2];
    if (next?.text === 'func' || next?.text === 'range' || env.has(body[i]!.text)) continue;
    try {
      const p = new LiteralParser(body, i + 2);
      env.set(body[i]!.text, p.value());
    } catch {
      // Not a literal (a call's results, a loop variable): not table data.
    }
  }
  return env;
}

/** Each `fn(args...)` call statement in a body. */
function calls(body: Tok[], fn: string): GoValue[][] {
  const out: GoValue[][] = [];
  body.forEach((t, i) => {
    if (t.text !== fn || body[i + 1]?.text !== '(' || body[i - 1]?.text === 'func') return;
    const v = new LiteralParser(body, i).value();
    if (v.k === 'call') out.push(v.args);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Interpreting values

function fail(where: string, v: unknown): never {
  throw new Error(`${where}: unexpected shape ${JSON.stringify(v)}`);
}

function str(v: GoValue | undefined, where: string): string {
  if (v?.k === 'str') return v.v;
  if (v?.k === 'call' && v.fn === 'strings.Repeat')
    return str(v.args[0], where).repeat(num(v.args[1], where));
  return fail(where, v);
}

function num(v: GoValue | undefined, where: string): number {
  return v?.k === 'num' ? v.v : fail(where, v);
}

function bool(v: GoValue | undefined, where: string): boolean {
  if (v?.k === 'name' && (v.v === 'true' || v.v === 'false')) return v.v === 'true';
  return fail(where, v);
}

function strings(v: GoValue | undefined, where: string): string[] {
  if (v === undefined || (v.k === 'name' && v.v === 'nil')) return [];
  if (v.k === 'lit' && v.type === '[]string') return v.elems.map((e) => str(e.value, where));
  // sets.String lists its members sorted and once each.
  if (v.k === 'call' && v.fn === 'sets.NewString')
    return [...new Set(v.args.map((a) => str(a, where)))].sort();
  return fail(where, v);
}

function labelSet(v: GoValue | undefined, env: Map<string, GoValue>, where: string): Record<string, string> {
  if (v?.k === 'name' && env.has(v.v)) return labelSet(env.get(v.v), env, where);
  if (v?.k === 'lit' && (v.type === 'Set' || v.type === 'map[string]string'))
    return Object.fromEntries(v.elems.map((e) => [e.key ?? fail(where, e), str(e.value, where)]));
  return fail(where, v);
}

function field(v: GoValue, key: string): GoValue | undefined {
  return v.k === 'lit' ? v.elems.find((e) => e.key === key)?.value : undefined;
}

/** apimachinery's selection.Operator constants, in @slipway/kube's notation. */
const OPERATORS: Record<string, string> = {
  'selection.In': 'in',
  'selection.NotIn': 'notin',
  'selection.Equals': '=',
  'selection.DoubleEquals': '==',
  'selection.NotEquals': '!=',
  'selection.Exists': 'exists',
  'selection.DoesNotExist': '!',
  'selection.GreaterThan': '>',
  'selection.LessThan': '<',
};

function operator(v: GoValue | undefined, where: string): string {
  if (v?.k === 'name' && OPERATORS[v.v]) return OPERATORS[v.v]!;
  if (v?.k === 'str') return v.v; // an operator apimachinery does not know, kept as written
  return fail(where, v);
}

export interface RequirementCase {
  key: string;
  operator: string;
  values: string[];
}

/**
 * `getRequirement(key, op, vals, t)`, or the zero Requirement (a variable declared `var req
 * Requirement`), which the tables use for a selector holding an empty requirement: null.
 */
function requirement(v: GoValue, where: string): RequirementCase | null {
  if (v.k === 'name' && v.v === 'req') return null;
  if (v.k === 'call' && v.fn === 'getRequirement')
    return {
      key: str(v.args[0], where),
      operator: operator(v.args[1], where),
      values: strings(v.args[2], where),
    };
  return fail(where, v);
}

function requirements(v: GoValue | undefined, where: string): (RequirementCase | null)[] | null {
  if (v?.k === 'addr') return requirements(v.v, where);
  if (v?.k === 'name' && v.v === 'nil') return null;
  if (v?.k === 'call' && v.fn === 'NewSelector') return [];
  if (v?.k === 'lit' && v.type === 'internalSelector') return v.elems.map((e) => requirement(e.value, where));
  return fail(where, v);
}

function rows(v: GoValue | undefined, where: string): GoValue[][] {
  if (v?.k !== 'lit') return fail(where, v);
  return v.elems.map((e) => (e.value.k === 'lit' ? e.value.elems.map((x) => x.value) : fail(where, e)));
}

// ---------------------------------------------------------------------------------------------
// The tables

export interface Cases {
  source: { repository: string; commit: string | null; files: string[] };
  parse: { good: string[]; bad: string[] };
  matches: { selector: string; labels: Record<string, string>; match: boolean }[];
  setSelectorParser: {
    input: string;
    valid: boolean;
    /** The requirements Parse must yield, in order; absent where the table does not compare them. */
    requirements?: RequirementCase[];
  }[];
  /** SelectorFromSet(selector).Matches(labels) must hold (TestSetMatches). */
  setMatches: { set: Record<string, string>; labels: Record<string, string> }[];
  /** A label set's selector and its string (TestSetSelectorString). */
  setString: { set: Record<string, string>; out: string }[];
  requirementConstructor: { key: string; operator: string; values: string[]; valid: boolean }[];
  toString: { requirements: (RequirementCase | null)[]; out: string; valid: boolean }[];
  requirementMatching: {
    labels: Record<string, string>;
    requirements: (RequirementCase | null)[];
    match: boolean;
  }[];
  labelSelectorAsSelector: {
    in: null | { matchLabels?: Record<string, string>; matchExpressions?: RequirementCase[] };
    /** 'nothing', 'everything', or the string apimachinery parses the expected selector from. */
    out: { nothing: true } | { everything: true } | { parse: string } | null;
    error: boolean;
  }[];
}

function selectorTests(src: string): Omit<Cases, 'source' | 'labelSelectorAsSelector'> {
  const toks = tokenize(src);
  const parseEnv = assignments(functionBody(toks, 'TestSelectorParse'));
  const matchBody = functionBody(toks, 'TestSelectorMatches');
  const matchEnv = assignments(matchBody);
  const matches = (['expectMatch', 'expectNoMatch'] as const).flatMap((fn) =>
    calls(matchBody, fn).map((args) => ({
      selector: str(args[1], fn),
      labels: labelSet(args[2], matchEnv, fn),
      match: fn === 'expectMatch',
    })),
  );

  const setBody = functionBody(toks, 'TestSetMatches');
  const setEnv = assignments(setBody);
  const setMatches = calls(setBody, 'expectMatchDirect').map((args) => ({
    set: labelSet(args[1], setEnv, 'TestSetMatches'),
    labels: labelSet(args[2], setEnv, 'TestSetMatches'),
  }));
  const sss = 'TestSetSelectorString';
  const setString = rows(assignments(functionBody(toks, sss)).get('cases'), sss).map(([set, out]) => ({
    set: labelSet(set, new Map(), sss),
    out: str(out, sss),
  }));

  const ssp = 'TestSetSelectorParser';
  const setSelectorParser = rows(assignments(functionBody(toks, ssp)).get('setSelectorParserTests'), ssp).map(
    ([input, out, match, valid]) => {
      const reqs = requirements(out, ssp);
      const compared = bool(match, ssp) && reqs !== null;
      if (compared && reqs.includes(null)) fail(ssp, out);
      return {
        input: str(input, ssp),
        valid: bool(valid, ssp),
        ...(compared ? { requirements: reqs as RequirementCase[] } : {}),
      };
    },
  );

  const rct = 'TestRequirementConstructor';
  const ctorTable = assignments(functionBody(toks, rct)).get('requirementConstructorTests');
  if (ctorTable?.k !== 'lit') fail(rct, ctorTable);
  const requirementConstructor = ctorTable.elems.map(({ value: row }) => ({
    key: str(field(row, 'Key'), rct),
    operator: operator(field(row, 'Op'), rct),
    values: strings(field(row, 'Vals'), rct),
    valid: field(row, 'WantErr') === undefined,
  }));

  const tst = 'TestToString';
  const toString = rows(assignments(functionBody(toks, tst)).get('toStringTests'), tst).map(
    ([sel, out, valid]) => ({
      requirements: requirements(sel, tst) ?? fail(tst, sel),
      out: str(out, tst),
      valid: bool(valid, tst),
    }),
  );

  const rsm = 'TestRequirementSelectorMatching';
  const matchTable = assignments(functionBody(toks, rsm)).get('labelSelectorMatchingTests');
  const requirementMatching = rows(matchTable, rsm).map(([set, sel, match]) => ({
    labels: labelSet(set, new Map(), rsm),
    requirements: requirements(sel, rsm) ?? fail(rsm, sel),
    match: bool(match, rsm),
  }));

  return {
    parse: {
      good: strings(parseEnv.get('testGoodStrings'), 'good'),
      bad: strings(parseEnv.get('testBadStrings'), 'bad'),
    },
    matches,
    setSelectorParser,
    setMatches,
    setString,
    requirementConstructor,
    toString,
    requirementMatching,
  };
}

const LABEL_SELECTOR_OPERATORS: Record<string, string> = {
  LabelSelectorOpIn: 'In',
  LabelSelectorOpNotIn: 'NotIn',
  LabelSelectorOpExists: 'Exists',
  LabelSelectorOpDoesNotExist: 'DoesNotExist',
};

function helpersTests(src: string): Cases['labelSelectorAsSelector'] {
  const where = 'TestLabelSelectorAsSelector';
  const env = assignments(functionBody(tokenize(src), where));
  const resolveName = (v: GoValue | undefined) => (v?.k === 'name' && env.has(v.v) ? env.get(v.v) : v);
  const expressions = (v: GoValue | undefined): RequirementCase[] => {
    const list = resolveName(v);
    if (list?.k !== 'lit') return fail(where, v);
    return list.elems.map(({ value: e }) => {
      const op = field(e, 'Operator');
      return {
        key: str(field(e, 'Key'), where),
        operator: op?.k === 'name' ? (LABEL_SELECTOR_OPERATORS[op.v] ?? fail(where, op)) : fail(where, op),
        values: strings(field(e, 'Values'), where),
      };
    });
  };
  const table = env.get('tc');
  if (table?.k !== 'lit') fail(where, table);
  return table.elems.map(({ value: row }) => {
    const input = field(row, 'in');
    const out = field(row, 'out');
    let parsedIn: Cases['labelSelectorAsSelector'][number]['in'] = null;
    if (input?.k === 'addr' && input.v.k === 'lit' && input.v.type === 'LabelSelector') {
      const ml = field(input.v, 'MatchLabels');
      const me = field(input.v, 'MatchExpressions');
      parsedIn = {
        ...(ml ? { matchLabels: labelSet(resolveName(ml), env, where) } : {}),
        ...(me ? { matchExpressions: expressions(me) } : {}),
      };
    } else if (!(input?.k === 'name' && input.v === 'nil')) fail(where, input);
    let parsedOut: Cases['labelSelectorAsSelector'][number]['out'] = null;
    if (out?.k === 'call' && out.fn === 'labels.Nothing') parsedOut = { nothing: true };
    else if (out?.k === 'call' && out.fn === 'labels.Everything') parsedOut = { everything: true };
    else if (out?.k === 'call' && out.fn === 'mustParse') parsedOut = { parse: str(out.args[0], where) };
    else if (out !== undefined) fail(where, out);
    const err = field(row, 'expectErr');
    return { in: parsedIn, out: parsedOut, error: err ? bool(err, where) : false };
  });
}

/** The cases, from a checkout or bare git directory of apimachinery. */
export function extractCases(root: string): Cases {
  const source = openSource(root);
  return {
    source: {
      repository: 'https://github.com/kubernetes/apimachinery',
      commit: source.commit ?? null,
      files: [SELECTOR_TEST, HELPERS_TEST],
    },
    ...selectorTests(source.read(SELECTOR_TEST)),
    labelSelectorAsSelector: helpersTests(source.read(HELPERS_TEST)),
  };
}

/** The JSON as committed: formatted by the repository's prettier settings, so `prettier --check` passes. */
export async function renderCases(cases: Cases): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(CASES_FILE)) ?? {};
  return prettier.format(JSON.stringify(cases), { ...options, filepath: CASES_FILE });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const root = args.find((a) => !a.startsWith('--')) ?? DEFAULT_MIRROR;
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    process.stderr.write(
      `${root}: no apimachinery checkout or git directory here; pass its path as the argument\n`,
    );
    process.exit(2);
  }
  const text = await renderCases(extractCases(root));
  if (check) {
    if (!existsSync(CASES_FILE) || readFileSync(CASES_FILE, 'utf8') !== text) {
      process.stderr.write(
        `${CASES_FILE} is stale: run npx tsx packages/kube/scripts/gen-selector-cases.ts ${root}\n`,
      );
      process.exit(1);
    }
  } else writeFileSync(CASES_FILE, text);
}
