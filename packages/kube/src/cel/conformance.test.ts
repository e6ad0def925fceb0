import { celUint, isCelList, isCelMap, isCelUint, type CelInput, type CelValue } from '@bufbuild/cel';
import type { Value } from '@bufbuild/cel-spec/cel/expr/value_pb.js';
import { getConformanceSuite, type IncrementalTestSuite } from '@bufbuild/cel-spec/testdata/tests.js';
import { describe, expect, it } from 'vitest';
import { compileCel } from './environment.js';

/**
 * The cel-spec conformance cases (v0.25.1, shipped in @bufbuild/cel-spec) for the features Slipway's
 * admission rules use, run through Slipway's CEL environment: literals and variables, comparisons
 * and `in`, logic, the macros (has, all, exists, exists_one, map, filter), lists, map fields, string
 * functions (startsWith, endsWith, contains, matches, size), the strings extension (lowerAscii, split,
 * join, substring, indexOf, replace, trim) and int/string/bool conversions. docs/policy-admission.md
 * names the sections.
 */
const USED_SECTIONS: Record<string, readonly string[] | 'all'> = {
  basic: ['self_eval_zeroish', 'self_eval_nonzeroish', 'variables', 'functions'],
  comparisons: [
    'eq_literal',
    'ne_literal',
    'lt_literal',
    'gt_literal',
    'lte_literal',
    'gte_literal',
    'in_list_literal',
    'in_map_literal',
  ],
  logic: 'all',
  macros: 'all',
  lists: 'all',
  fields: ['map_fields', 'map_has', 'quoted_map_fields', 'in'],
  string: ['size', 'starts_with', 'ends_with', 'matches', 'concatenation', 'contains'],
  string_ext: [
    'char_at',
    'index_of',
    'last_index_of',
    'ascii_casing',
    'replace',
    'split',
    'substring',
    'trim',
    'join',
  ],
  conversions: ['int', 'string', 'bool'],
};

/**
 * Cases on what no rule uses: bytes, uint, timestamps, durations, protobuf messages and enums. And
 * the backquoted field names of cel-spec 0.25 (`a.\`b-c\``), which @bufbuild/cel 0.6 does not parse:
 * Kubernetes 1.36 does not offer them either, so rules index such keys (`labels['app.kubernetes.io/name']`).
 */
const OUT_OF_SCOPE = /bytes|timestamp|duration|google\.protobuf|uint|double_|enum|`/i;

interface Case {
  section: string;
  name: string;
  expr: string;
  bindings: Record<string, CelInput>;
  expected: { value: unknown } | { error: true };
}

function plain(v: Value): { ok: true; value: unknown } | { ok: false } {
  const k = v.kind;
  switch (k.case) {
    case 'nullValue':
      return { ok: true, value: null };
    case 'boolValue':
    case 'stringValue':
      return { ok: true, value: k.value };
    case 'int64Value':
      return { ok: true, value: BigInt(k.value) };
    case 'doubleValue':
      return { ok: true, value: k.value };
    case 'uint64Value':
      return { ok: true, value: celUint(BigInt(k.value)) };
    case 'listValue': {
      const items = k.value.values.map(plain);
      return items.every((i) => i.ok)
        ? { ok: true, value: items.map((i) => (i as { value: unknown }).value) }
        : { ok: false };
    }
    case 'mapValue': {
      const entries = k.value.entries.map(
        (e) => [e.key ? plain(e.key) : { ok: false }, e.value ? plain(e.value) : { ok: false }] as const,
      );
      if (!entries.every(([a, b]) => a.ok && b.ok)) return { ok: false };
      return {
        ok: true,
        value: new Map(
          entries.map(([a, b]) => [(a as { value: unknown }).value, (b as { value: unknown }).value]),
        ),
      };
    }
    default:
      return { ok: false };
  }
}

function comparable(v: unknown): unknown {
  if (typeof v === 'bigint') return `int:${v}`;
  if (isCelUint(v)) return `uint:${v.value}`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : `double:${v}`;
  if (isCelList(v) || Array.isArray(v)) return [...(v as Iterable<unknown>)].map(comparable);
  if (isCelMap(v) || v instanceof Map)
    return Object.fromEntries(
      [...(v as Map<unknown, unknown>)].map(([a, b]) => [JSON.stringify(comparable(a)), comparable(b)]),
    );
  return v;
}

function collect(): { cases: Case[]; skipped: string[] } {
  const suite = getConformanceSuite();
  const cases: Case[] = [];
  const skipped: string[] = [];
  for (const [sectionName, wanted] of Object.entries(USED_SECTIONS)) {
    const section = suite.suites.find((s) => s.name === sectionName) as IncrementalTestSuite;
    for (const sub of section.suites) {
      if (wanted !== 'all' && !wanted.includes(sub.name)) continue;
      for (const t of sub.tests) {
        const o = t.original;
        const id = `${sectionName}/${sub.name}/${t.name}`;
        const matcher = o.resultMatcher;
        const bindings: Record<string, CelInput> = {};
        // disableCheck cases expect the unchecked runtime; Slipway checks names as Kubernetes' compiler does.
        let usable =
          !o.disableCheck &&
          !o.container &&
          !o.disableMacros &&
          !o.checkOnly &&
          !OUT_OF_SCOPE.test(o.expr) &&
          !OUT_OF_SCOPE.test(t.name);
        for (const [name, b] of Object.entries(o.bindings)) {
          const p = b.kind.case === 'value' ? plain(b.kind.value) : { ok: false as const };
          if (p.ok) bindings[name] = p.value as CelInput;
          else usable = false;
        }
        let expected: Case['expected'] | undefined;
        if (matcher.case === 'value') {
          const p = plain(matcher.value);
          if (p.ok) expected = { value: p.value };
        } else if (matcher.case === 'evalError') expected = { error: true };
        // No result matcher: the case expects `true` (cel.expr.conformance.test.SimpleTest).
        else if (matcher.case === undefined) expected = { value: true };
        if (!usable || !expected) {
          skipped.push(id);
          continue;
        }
        cases.push({ section: `${sectionName}/${sub.name}`, name: t.name, expr: o.expr, bindings, expected });
      }
    }
  }
  return { cases, skipped };
}

const { cases, skipped } = collect();

describe('cel-spec conformance for the features the rules use', () => {
  it('covers every used section with cases', () => {
    console.log(`cel-spec conformance: ${cases.length} cases run, ${skipped.length} out of scope`);
    expect(cases.length).toBeGreaterThan(350);
    for (const section of Object.keys(USED_SECTIONS))
      expect(cases.filter((c) => c.section.startsWith(`${section}/`)).length, section).toBeGreaterThan(5);
  });

  it.each(Object.keys(USED_SECTIONS))('%s: every case gives the expected value or error', (section) => {
    const failures: string[] = [];
    for (const c of cases.filter((x) => x.section.startsWith(`${section}/`))) {
      const compiled = compileCel(c.expr, Object.keys(c.bindings));
      if ('problem' in compiled) {
        if (!('error' in c.expected)) failures.push(`${c.section}/${c.name}: ${compiled.problem.message}`);
        continue;
      }
      const out = compiled.program.evaluate(c.bindings);
      if ('error' in c.expected) {
        if (out.ok) failures.push(`${c.section}/${c.name}: expected an error, got ${String(out.value)}`);
      } else if (!out.ok) failures.push(`${c.section}/${c.name}: ${out.error}`);
      else if (
        JSON.stringify(comparable(out.value as CelValue)) !== JSON.stringify(comparable(c.expected.value))
      )
        failures.push(`${c.section}/${c.name}: got ${JSON.stringify(comparable(out.value))}`);
    }
    expect(failures).toEqual([]);
  });
});
