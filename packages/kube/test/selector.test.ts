/**
 * apimachinery's own label-selector test tables, extracted as data by
 * scripts/gen-selector-cases.ts into apimachinery-selector-cases.json, run against @slipway/kube.
 * Error wording is ours; validity, matching and the canonical string must agree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CASES_FILE,
  DEFAULT_MIRROR,
  extractCases,
  renderCases,
  type Cases,
} from '../scripts/gen-selector-cases.js';
import {
  everything,
  newRequirement,
  nothing,
  parseSelector,
  selectorFromLabelSelector,
  selectorFromRequirements,
  selectorFromSet,
  SelectorError,
  type LabelSelector,
  type Operator,
  type Requirement,
} from '../src/index.js';

const cases = JSON.parse(readFileSync(CASES_FILE, 'utf8')) as Cases;

const counts = {
  'TestSelectorParse (good)': cases.parse.good.length,
  'TestSelectorParse (bad)': cases.parse.bad.length,
  'TestSelectorMatches (expectMatch/expectNoMatch)': cases.matches.length,
  TestSetSelectorParser: cases.setSelectorParser.length,
  TestSetMatches: cases.setMatches.length,
  TestSetSelectorString: cases.setString.length,
  TestRequirementConstructor: cases.requirementConstructor.length,
  TestToString: cases.toString.length,
  TestRequirementSelectorMatching: cases.requirementMatching.length,
  TestLabelSelectorAsSelector: cases.labelSelectorAsSelector.length,
};
console.log(
  `apimachinery ${cases.source.commit ?? '(unknown commit)'}: ${Object.values(counts).reduce((a, b) => a + b)} selector cases (${Object.entries(
    counts,
  )
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')})`,
);

const req = (r: { key: string; operator: string; values: string[] }): Requirement =>
  newRequirement(r.key, r.operator as Operator, r.values);

/**
 * The tables' zero Requirement (`var req Requirement`): an empty key and no operator. Go lets a
 * selector hold one because its fields are reachable inside the package; @slipway/kube only builds
 * requirements through newRequirement, which refuses it, so those rows check that refusal instead
 * of printing or matching an impossible selector.
 */
function expectZeroRequirementRefused() {
  expect(() => newRequirement('', '' as Operator, [])).toThrow(SelectorError);
}

describe('apimachinery TestSelectorParse', () => {
  it.each(cases.parse.good.map((s) => [JSON.stringify(s), s]))(
    '%s parses and prints back without spaces',
    (_, s) => {
      expect(parseSelector(s).toString()).toBe(s.replaceAll(' ', ''));
    },
  );
  it.each(cases.parse.bad.map((s) => [JSON.stringify(s), s]))('%s is refused', (_, s) => {
    expect(() => parseSelector(s)).toThrow(SelectorError);
  });
});

describe('apimachinery TestSelectorMatches', () => {
  it.each(cases.matches.map((c) => [c.selector, JSON.stringify(c.labels), c.match, c]))(
    '%s on %s: %s',
    (_s, _l, _m, c) => {
      expect(parseSelector(c.selector).matches(c.labels)).toBe(c.match);
    },
  );
});

describe('apimachinery TestSetSelectorParser', () => {
  it.each(cases.setSelectorParser.map((c) => [JSON.stringify(c.input), c.valid, c]))(
    '%s valid: %s',
    (_i, _v, c) => {
      if (!c.valid) {
        expect(() => parseSelector(c.input)).toThrow(SelectorError);
        return;
      }
      const selector = parseSelector(c.input);
      if (c.requirements) expect(selector.requirements).toEqual(c.requirements.map(req));
      // The canonical form means the same selector.
      expect(parseSelector(selector.toString()).requirements).toEqual(selector.requirements);
    },
  );
});

describe('apimachinery TestSetMatches and TestSetSelectorString', () => {
  it.each(cases.setMatches.map((c) => [JSON.stringify(c.set), JSON.stringify(c.labels), c]))(
    '%s selects %s',
    (_s, _l, c) => {
      expect(selectorFromSet(c.set).matches(c.labels)).toBe(true);
    },
  );
  it.each(cases.setString.map((c) => [JSON.stringify(c.set), c.out, c]))('%s prints %j', (_s, _o, c) => {
    expect(selectorFromSet(c.set).toString()).toBe(c.out);
  });
});

describe('apimachinery TestRequirementConstructor', () => {
  it.each(
    cases.requirementConstructor.map((c) => [
      c.key.slice(0, 20),
      c.operator,
      JSON.stringify(c.values),
      c.valid,
      c,
    ]),
  )('%s %s %s valid: %s', (_k, _o, _v, _ok, c) => {
    if (c.valid) expect(req(c)).toEqual({ key: c.key, operator: c.operator, values: c.values });
    else expect(() => req(c)).toThrow(SelectorError);
  });
});

describe('apimachinery TestToString', () => {
  it.each(cases.toString.map((c) => [c.out, c]))('%s', (_o, c) => {
    if (c.requirements.includes(null)) return expectZeroRequirementRefused();
    const selector = selectorFromRequirements(c.requirements.map((r) => req(r!)));
    expect(selector.toString()).toBe(c.out);
    expect(c.valid).toBe(true);
    expect(parseSelector(c.out).requirements).toEqual(selector.requirements);
  });
});

describe('apimachinery TestRequirementSelectorMatching', () => {
  it.each(cases.requirementMatching.map((c, i) => [i, JSON.stringify(c.labels), c.match, c]))(
    '#%i on %s: %s',
    (_i, _l, _m, c) => {
      if (c.requirements.includes(null)) return expectZeroRequirementRefused();
      expect(selectorFromRequirements(c.requirements.map((r) => req(r!))).matches(c.labels)).toBe(c.match);
    },
  );
});

describe('apimachinery TestLabelSelectorAsSelector', () => {
  it.each(cases.labelSelectorAsSelector.map((c) => [JSON.stringify(c.in), c]))('%s', (_i, c) => {
    const input = c.in as LabelSelector | null;
    if (c.error) {
      expect(() => selectorFromLabelSelector(input)).toThrow(SelectorError);
      return;
    }
    const selector = selectorFromLabelSelector(input);
    const out = c.out!;
    if ('nothing' in out) {
      expect(selector).toBe(nothing);
      expect(selector.matches({})).toBe(false);
    } else if ('everything' in out) {
      expect(selector.empty()).toBe(true);
      expect(selector.matches({ any: 'thing' })).toBe(true);
      expect(selector.toString()).toBe(everything.toString());
    } else {
      const expected = parseSelector(out.parse);
      expect(selector.toString()).toBe(expected.toString());
      expect(selector.requirements).toEqual(expected.requirements);
    }
  });
});

describe('beyond the tables', () => {
  it('sorts requirements by key, so two spellings of one selector print the same (TestDeterministicParse)', () => {
    expect(parseSelector('x=a,a=x').toString()).toBe(parseSelector('a=x,x=a').toString());
  });
  it('reads > and < values as int64, as strconv.ParseInt does', () => {
    expect(() => parseSelector('x>9223372036854775807')).not.toThrow();
    expect(() => parseSelector('x>9223372036854775808')).toThrow(SelectorError);
    expect(parseSelector('x>1').matches({ x: '99999999999999999999' })).toBe(false);
    expect(parseSelector('x<1').matches({ x: '-9223372036854775808' })).toBe(true);
    expect(parseSelector('x>0').matches({ x: '+1' })).toBe(true);
    // `-1` is no label value, so it cannot be a bound either.
    expect(() => parseSelector('x>-1')).toThrow(SelectorError);
  });
  it('ends the input at a NUL where a token would start, as the Go lexer does', () => {
    expect(parseSelector('x=a \0garbage').toString()).toBe('x=a');
    expect(() => parseSelector('x\0y')).toThrow(SelectorError);
  });
  it('does not validate a plain label map, as SelectorFromSet does not', () => {
    expect(selectorFromSet({ foo: 'bar' }).matches({ foo: 'bar', baz: 'blah' })).toBe(true);
    expect(selectorFromSet({}).empty()).toBe(true);
  });
});

describe('the committed cases', () => {
  it('are what the generator extracts from the apimachinery mirror', async () => {
    if (!existsSync(DEFAULT_MIRROR)) {
      console.warn(
        `[skip] ${DEFAULT_MIRROR} is absent: the committed ${CASES_FILE} is not re-extracted (run scripts/gen-selector-cases.ts with an apimachinery checkout to check it)`,
      );
      return;
    }
    expect(await renderCases(extractCases(DEFAULT_MIRROR))).toBe(readFileSync(CASES_FILE, 'utf8'));
  });
});
