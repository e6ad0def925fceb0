/**
 * Label selectors with the API server's semantics (k8s.io/apimachinery pkg/labels and metav1's
 * LabelSelectorAsSelector), the one implementation Slipway and its sandbox use:
 *
 * - the string form a `?labelSelector=` query or `kubectl -l` takes: `a=b`, `a==b`, `a!=b`,
 *   `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, joined by commas, every requirement must hold;
 * - metav1.LabelSelector objects (`matchLabels`, `matchExpressions`): a missing selector selects
 *   nothing, an empty one `{}` everything;
 * - plain label maps (a Service's selector): every pair must hold.
 *
 * Keys and values are validated as the API server validates them, and a selector prints back in
 * apimachinery's canonical form (requirements sorted by key, set values sorted), so two selectors
 * that mean the same compare equal as strings. packages/kube/test/selector.test.ts runs apimachinery's own
 * selector test cases (test/apimachinery-selector-cases.json) against it.
 *
 * Deliberately not as apimachinery: error messages are worded here (validity is the same); a
 * requirement's values are stored sorted and once each (Go keeps NewRequirement's order and sorts
 * only when printing; matching and the string are the same); requirements on one key keep their
 * order when sorted by key (Go's sort.Sort does not promise that, though it keeps it for short
 * selectors); and a requirement exists only through newRequirement, so the zero Requirement Go
 * tests put in a selector cannot be built here.
 */
import type { LabelSelector } from './object.js';

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted and without duplicates; empty for `exists` and `!`. */
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

export interface Selector {
  /** Sorted by key. */
  readonly requirements: readonly Requirement[];
  matches(labels: Labels | undefined): boolean;
  /** True for the selector that selects everything (no requirements). */
  empty(): boolean;
  /** The canonical string form; `parseSelector(s.toString())` means the same selector. */
  toString(): string;
}

/** A selector the API server would refuse: the message says which part and why. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

class RequirementsSelector implements Selector {
  constructor(readonly requirements: readonly Requirement[]) {}
  matches(labels: Labels | undefined): boolean {
    const l = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, l));
  }
  empty(): boolean {
    return this.requirements.length === 0;
  }
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

/** Selects every object. */
export const everything: Selector = new RequirementsSelector([]);

/** Selects no object: what a missing metav1.LabelSelector means. */
export const nothing: Selector = {
  requirements: [],
  matches: () => false,
  empty: () => false,
  toString: () => '',
};

// ---------------------------------------------------------------------------------------------
// Requirements

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const INTEGER = /^[+-]?[0-9]+$/;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Go's strconv.ParseInt(s, 10, 64): a sign, decimal digits, within int64; undefined otherwise. */
function parseInt64(text: string): bigint | undefined {
  if (!INTEGER.test(text)) return undefined;
  const n = BigInt(text);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** A label key's problems (apimachinery validation.IsQualifiedName), empty when it is valid. */
export function labelKeyProblems(key: string): string[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const problems: string[] = [];
  if (prefix !== undefined) {
    if (key.indexOf('/') !== slash) problems.push('a qualified name must consist of at most one "/"');
    else if (prefix.length === 0) problems.push('prefix part must be non-empty');
    else if (prefix.length > 253) problems.push('prefix part must be no more than 253 characters');
    else if (!DNS_SUBDOMAIN.test(prefix))
      problems.push('prefix part must be a lowercase RFC 1123 subdomain (e.g. example.com)');
  }
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push('name part must be no more than 63 characters');
  else if (!QUALIFIED_NAME.test(name))
    problems.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    );
  return problems;
}

/** A label value's problems (apimachinery validation.IsValidLabelValue), empty when it is valid. */
export function labelValueProblems(value: string): string[] {
  if (value.length > 63) return ['must be no more than 63 characters'];
  if (!LABEL_VALUE.test(value))
    return [
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    ];
  return [];
}

/** A validated requirement (apimachinery labels.NewRequirement); throws SelectorError. */
export function newRequirement(key: string, operator: Operator, values: readonly string[]): Requirement {
  const keyProblems = labelKeyProblems(key);
  if (keyProblems.length) throw new SelectorError(`invalid label key "${key}": ${keyProblems.join('; ')}`);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        throw new SelectorError(`for 'in', 'notin' operators, values set can't be empty (key "${key}")`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1)
        throw new SelectorError(`exact-match compatibility requires one single value (key "${key}")`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        throw new SelectorError(`values set must be empty for exists and does not exist (key "${key}")`);
      break;
    case '>':
    case '<':
      if (values.length !== 1 || parseInt64(values[0]!) === undefined)
        throw new SelectorError(
          `for 'Gt', 'Lt' operators, exactly one value is required and it must be an integer (key "${key}")`,
        );
      break;
    default:
      throw new SelectorError(
        `"${String(operator)}" is not a supported operator (key "${key}"): use =, ==, !=, in, notin, exists, !, > or <`,
      );
  }
  for (const v of values) {
    const problems = labelValueProblems(v);
    if (problems.length) throw new SelectorError(`invalid label value: "${v}": ${problems.join('; ')}`);
  }
  return { key, operator, values: [...new Set(values)].sort() };
}

function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(labels[r.key]!);
    case '!=':
    case 'notin':
      // As in apimachinery: `a!=b` and `a notin (b)` also select objects without the label.
      return !has || !r.values.includes(labels[r.key]!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case '>':
    case '<': {
      // A label value that is not an int64 matches neither `>` nor `<`.
      const have = has ? parseInt64(labels[r.key]!) : undefined;
      const want = parseInt64(r.values[0]!);
      if (have === undefined || want === undefined) return false;
      return r.operator === '>' ? have > want : have < want;
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case '!':
      return `!${r.key}`;
    case 'exists':
      return r.key;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    default:
      return `${r.key}${r.operator}${r.values[0]}`;
  }
}

/**
 * A selector of requirements made with newRequirement (apimachinery's NewSelector().Add(...)),
 * sorted by key as Parse sorts them.
 */
export function selectorFromRequirements(requirements: readonly Requirement[]): Selector {
  return selectorOf(requirements);
}

function selectorOf(requirements: readonly Requirement[]): Selector {
  // Sorted by key, stable: two requirements on one key keep their order.
  return new RequirementsSelector(
    requirements
      .map((r, i) => [r, i] as const)
      .sort(([a, i], [b, j]) => (a.key < b.key ? -1 : a.key > b.key ? 1 : i - j))
      .map(([r]) => r),
  );
}

// ---------------------------------------------------------------------------------------------
// The string form

type Token = 'identifier' | '!' | '!=' | '=' | '==' | '>' | '<' | 'in' | 'notin' | '(' | ')' | ',' | 'end';

/** Whether a keyword (`in`, `notin`) is read as such or as a plain identifier (a key or value). */
type Context = 'operator' | 'values';

const SPECIAL = new Set(['!', '=', '>', '<', '(', ')', ',']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

function lex(text: string): { token: Token; literal: string }[] {
  const out: { token: Token; literal: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    // apimachinery's lexer reads a NUL byte as the end of the string where a token would start.
    if (ch === '\0') break;
    if (WHITESPACE.has(ch)) {
      i++;
      continue;
    }
    if (SPECIAL.has(ch)) {
      const two = text.slice(i, i + 2);
      if (two === '!=' || two === '==') {
        out.push({ token: two, literal: two });
        i += 2;
      } else {
        out.push({ token: ch as Token, literal: ch });
        i++;
      }
      // As after a word, a NUL right after an operator is consumed with it.
      if (text[i] === '\0') i++;
      continue;
    }
    let j = i;
    while (j < text.length && !SPECIAL.has(text[j]!) && !WHITESPACE.has(text[j]!) && text[j] !== '\0') j++;
    const word = text.slice(i, j);
    out.push({ token: word === 'in' || word === 'notin' ? word : 'identifier', literal: word });
    // A NUL ends a word and is itself skipped (the lexer consumes it without ending the input).
    i = text[j] === '\0' ? j + 1 : j;
  }
  out.push({ token: 'end', literal: '' });
  return out;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: { token: Token; literal: string }[]) {}

  private read(context: Context, advance: boolean): { token: Token; literal: string } {
    const t = this.tokens[Math.min(this.position, this.tokens.length - 1)]!;
    if (advance) this.position++;
    // In a key or value position `in` and `notin` are plain words (`notin=in` is a valid selector).
    if (context === 'values' && (t.token === 'in' || t.token === 'notin'))
      return { token: 'identifier', literal: t.literal };
    return t;
  }
  private peek(context: Context) {
    return this.read(context, false);
  }
  private next(context: Context) {
    return this.read(context, true);
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { token, literal } = this.peek('values');
      if (token === 'end') return requirements;
      if (token !== 'identifier' && token !== '!')
        throw new SelectorError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      requirements.push(this.requirement());
      const after = this.next('values');
      if (after.token === 'end') return requirements;
      if (after.token !== ',')
        throw new SelectorError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.peek('values');
      if (following.token !== 'identifier' && following.token !== '!')
        throw new SelectorError(`found '${following.literal}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let { token, literal } = this.next('values');
    let operator: Operator | undefined;
    if (token === '!') {
      operator = '!';
      ({ token, literal } = this.next('values'));
    }
    if (token !== 'identifier') throw new SelectorError(`found '${literal}', expected: identifier`);
    const key = literal;
    const ahead = this.peek('values').token;
    if (ahead === 'end' || ahead === ',') return newRequirement(key, operator ?? 'exists', []);
    if (operator === '!')
      throw new SelectorError(`found '${this.peek('values').literal}', expected: ',' or 'end of string'`);
    const op = this.next('operator');
    switch (op.token) {
      case 'in':
      case 'notin':
        return newRequirement(key, op.token, this.valueSet());
      case '=':
      case '==':
      case '!=':
      case '>':
      case '<':
        return newRequirement(key, op.token, [this.exactValue()]);
      default:
        throw new SelectorError(
          `found '${op.literal}', expected: ${['!=', '=', '==', 'in', 'notin', '>', '<'].join(', ')}`,
        );
    }
  }

  private valueSet(): string[] {
    const open = this.next('values');
    if (open.token !== '(') throw new SelectorError(`found '${open.literal}', expected: '('`);
    const first = this.peek('values');
    if (first.token === ')') {
      this.next('values');
      return [''];
    }
    if (first.token !== 'identifier' && first.token !== ',')
      throw new SelectorError(`found '${first.literal}', expected: ',', ')' or identifier`);
    const values = new Set<string>();
    for (;;) {
      const t = this.next('values');
      if (t.token === 'identifier') {
        values.add(t.literal);
        const after = this.peek('values');
        if (after.token === ',') continue;
        if (after.token === ')') break;
        throw new SelectorError(`found '${after.literal}', expected: ',' or ')'`);
      } else if (t.token === ',') {
        // `(,a)`, `(a,,b)` and `(a,)` hold the empty value too.
        if (values.size === 0) values.add('');
        const after = this.peek('values');
        if (after.token === ')') {
          values.add('');
          break;
        }
        // `,,`: the empty value, and the second comma is read on the next turn.
        if (after.token === ',') values.add('');
      } else throw new SelectorError(`found '${t.literal}', expected: ',', or identifier`);
    }
    const close = this.next('values');
    if (close.token !== ')') throw new SelectorError(`found '${close.literal}', expected: ')'`);
    return [...values];
  }

  private exactValue(): string {
    const ahead = this.peek('values');
    if (ahead.token === 'end' || ahead.token === ',') return '';
    const t = this.next('values');
    if (t.token === 'identifier') return t.literal;
    throw new SelectorError(`found '${t.literal}', expected: identifier`);
  }
}

/** The string form (`app=web,tier in (a,b),!legacy`); an empty string selects everything. Throws SelectorError. */
export function parseSelector(text: string): Selector {
  try {
    return selectorOf(new Parser(lex(text)).parse());
  } catch (e) {
    if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
    throw e;
  }
}

/** A plain label map (a Service's selector, `matchLabels` alone): every pair must hold; `{}` selects everything. */
export function selectorFromSet(set: Labels | undefined): Selector {
  return selectorOf(Object.entries(set ?? {}).map(([k, v]) => ({ key: k, operator: '=', values: [v] })));
}

const OPERATORS: Record<string, Operator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * metav1.LabelSelectorAsSelector: undefined or null selects nothing, `{}` everything; throws
 * SelectorError for an unknown operator, a bad key or value, or `In` without values.
 */
export function selectorFromLabelSelector(selector: LabelSelector | null | undefined): Selector {
  if (selector === null || selector === undefined) return nothing;
  const labels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  if (labels.length === 0 && expressions.length === 0) return everything;
  const requirements = labels.map(([k, v]) => newRequirement(k, '=', [v]));
  for (const e of expressions) {
    const operator = OPERATORS[e.operator as string];
    if (!operator) throw new SelectorError(`"${String(e.operator)}" is not a valid label selector operator`);
    requirements.push(newRequirement(e.key, operator, e.values ?? []));
  }
  return selectorOf(requirements);
}
