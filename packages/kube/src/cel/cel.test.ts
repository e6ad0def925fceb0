import { describe, expect, it } from 'vitest';
import { compileCel } from './environment.js';
import {
  compilePolicy,
  matchesRequest,
  type AdmissionRequestInfo,
  type MatchResources,
} from './validating-policy.js';
import { toCel } from './values.js';

const run = (expr: string, object: unknown) => {
  const c = compileCel(expr, ['object']);
  if ('problem' in c) throw new Error(c.problem.message);
  return c.program.evaluate({ object: toCel(object) });
};

describe('Slipway CEL environment', () => {
  it('reads JSON whole numbers as int, as the API server does', () => {
    expect(run('string(object.n) + "/" + string(object.n / 2)', { n: 5 })).toEqual({
      ok: true,
      value: '5/2',
    });
    expect(run('type(object.f) == double', { f: 0.5 })).toEqual({ ok: true, value: true });
  });

  it('places syntax errors, unknown functions and undeclared variables', () => {
    expect(compileCel('object.a &&', ['object'])).toMatchObject({ problem: { line: 1, column: 10 } });
    expect(compileCel('object.a\n  && sum(object.b)', ['object'])).toEqual({
      problem: { message: "undeclared reference to function 'sum'", line: 2, column: 6 },
    });
    expect(compileCel('objekt.a', ['object'])).toEqual({
      problem: { message: "undeclared reference to 'objekt'", line: 1, column: 1 },
    });
    // Comprehension variables are in scope inside the macro only.
    expect('program' in compileCel('object.l.all(x, x > 0)', ['object'])).toBe(true);
    expect('problem' in compileCel('object.l.all(x, x > 0) && x', ['object'])).toBe(true);
  });

  it('offers the Kubernetes quantity and strings libraries', () => {
    expect(run("quantity(object.r).compareTo(quantity('1Gi'))", { r: '2048Mi' })).toEqual({
      ok: true,
      value: 1n,
    });
    expect(run("quantity('500m').isLessThan(quantity('1'))", {})).toEqual({ ok: true, value: true });
    expect(run("isQuantity('1.5x')", {})).toEqual({ ok: true, value: false });
    expect(run("'A,B'.lowerAscii().split(',')", {})).toMatchObject({ ok: true });
    expect(run("quantity('nope')", {})).toMatchObject({ ok: false });
  });
});

describe('ValidatingAdmissionPolicy evaluation', () => {
  const request: AdmissionRequestInfo = {
    operation: 'CREATE',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    name: 'p',
    namespace: 'default',
    dryRun: false,
  };
  const compiled = compilePolicy({
    matchConditions: [{ name: 'not-ignored', expression: "!('skip' in object.metadata.labels)" }],
    variables: [{ name: 'names', expression: 'object.spec.containers.map(c, c.name)' }],
    validations: [
      {
        expression: "!variables.names.exists(n, n == 'bad')",
        messageExpression: "'bad name in ' + object.metadata.name",
      },
      { expression: 'size(variables.names) < 3' },
      { expression: 'object.spec.missing == 1', reason: 'Forbidden' },
    ],
  });
  if (!('policy' in compiled)) throw new Error('compile');
  const pod = (names: string[], labels: Record<string, string> = {}) => ({
    metadata: { name: 'p', labels },
    spec: { containers: names.map((name) => ({ name })) },
  });

  it('gives each failed validation its message, messageExpression or expression, and errors fail closed', () => {
    expect(compiled.policy.evaluate({ object: pod(['bad', 'b', 'c']), oldObject: null, request })).toEqual([
      { message: 'bad name in p', reason: 'Invalid', expressionIndex: 0 },
      { message: 'failed expression: size(variables.names) < 3', reason: 'Invalid', expressionIndex: 1 },
      {
        message: "expression 'object.spec.missing == 1' resulted in error: field not found: missing",
        reason: 'Forbidden',
        expressionIndex: 2,
      },
    ]);
  });

  it('evaluates auditAnnotations: a string is kept, null and empty are left out, an error fails closed', () => {
    const audited = compilePolicy({
      auditAnnotations: [
        { key: 'name', valueExpression: "'pod ' + object.metadata.name" },
        { key: 'none', valueExpression: 'null' },
        { key: 'empty', valueExpression: "''" },
      ],
    });
    if (!('policy' in audited)) throw new Error('does not compile');
    expect(audited.policy.evaluateRequest({ object: pod(['a']), oldObject: null, request })).toEqual({
      failures: [],
      auditAnnotations: { name: 'pod p' },
    });
    expect(compilePolicy({ auditAnnotations: [{ key: 'k', valueExpression: 'object.(' }] })).toMatchObject({
      problems: [{ field: 'spec.auditAnnotations[0].valueExpression' }],
    });
  });

  it('skips the policy when a match condition is false', () => {
    expect(
      compiled.policy.evaluate({ object: pod(['bad'], { skip: 'y' }), oldObject: null, request }),
    ).toEqual([]);
  });

  it('reports expression problems by field', () => {
    expect(compilePolicy({ validations: [{ expression: 'object.(' }] })).toMatchObject({
      problems: [{ field: 'spec.validations[0].expression', line: 1, column: 7 }],
    });
  });

  it('matches requests by resource rule, operation and namespace selector', () => {
    const match: MatchResources = {
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
      namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
    };
    expect(matchesRequest(match, request, { namespace: { env: 'prod' } }, false)).toBe(true);
    expect(matchesRequest(match, request, { namespace: { env: 'dev' } }, false)).toBe(false);
    expect(
      matchesRequest(match, { ...request, operation: 'UPDATE' }, { namespace: { env: 'prod' } }, false),
    ).toBe(false);
    // A lone star is every resource but no subresource; a star-slash-status rule any resource's status.
    const rules = (resources: string[]): MatchResources => ({
      resourceRules: [{ resources, operations: ['*'] }],
    });
    const status = { ...request, subResource: 'status' };
    expect(matchesRequest(rules(['*']), request, {}, false)).toBe(true);
    expect(matchesRequest(rules(['*']), status, {}, false)).toBe(false);
    expect(matchesRequest(rules(['*/status']), status, {}, false)).toBe(true);
    expect(matchesRequest(rules(['pods']), status, {}, false)).toBe(false);
    expect(matchesRequest(rules(['pods/status']), status, {}, false)).toBe(true);
  });
});
