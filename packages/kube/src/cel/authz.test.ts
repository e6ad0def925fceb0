import { describe, expect, it } from 'vitest';
import {
  authorizerValue,
  withAuthorizer,
  type AuthzAttributes,
  type AuthzPathAttributes,
  type AuthzUser,
} from './authz.js';
import { compileCel } from './environment.js';

const request = {
  group: 'apps',
  resource: 'deployments',
  subresource: 'scale',
  namespace: 'shop',
  name: 'web',
};

type Seen = Array<[AuthzUser | undefined, AuthzAttributes | AuthzPathAttributes]>;

function run(expression: string, seen: Seen = []) {
  const compiled = compileCel(expression, ['authorizer']);
  if ('problem' in compiled) return compiled.problem;
  return withAuthorizer(
    (user, a) => {
      seen.push([user, a]);
      return { allowed: a.verb === 'get', reason: 'by test' };
    },
    () => compiled.program.evaluate({ authorizer: authorizerValue(request) }),
  );
}

describe('the Kubernetes authorizer library', () => {
  it('asks with the attributes the builder set, as the request user or a ServiceAccount', () => {
    const seen: Seen = [];
    expect(
      run(
        "authorizer.group('').resource('pods').subresource('exec').namespace('a').name('p').check('create').allowed()",
        seen,
      ),
    ).toEqual({ ok: true, value: false });
    expect(run("authorizer.requestResource.check('get').reason()", seen)).toEqual({
      ok: true,
      value: 'by test',
    });
    expect(
      run(
        "authorizer.serviceAccount('ci', 'bot').group('').resource('secrets').check('get').errored()",
        seen,
      ),
    ).toEqual({ ok: true, value: false });
    expect(seen).toEqual([
      [
        undefined,
        { verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: 'a', name: 'p' },
      ],
      [undefined, { verb: 'get', ...request }],
      [
        {
          name: 'system:serviceaccount:ci:bot',
          groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'],
        },
        { verb: 'get', group: '', resource: 'secrets', subresource: '', namespace: '', name: '' },
      ],
    ]);
  });

  it('asks about a non-resource URL with path(), as the request user or a ServiceAccount', () => {
    const seen: Seen = [];
    expect(run("authorizer.path('/healthz').check('get').allowed()", seen)).toEqual({
      ok: true,
      value: true,
    });
    expect(
      run("authorizer.serviceAccount('ci', 'bot').path('/metrics').check('post').allowed()", seen),
    ).toEqual({ ok: true, value: false });
    expect(seen).toEqual([
      [undefined, { verb: 'get', path: '/healthz' }],
      [expect.objectContaining({ name: 'system:serviceaccount:ci:bot' }), { verb: 'post', path: '/metrics' }],
    ]);
  });

  it('refuses what Kubernetes refuses', () => {
    expect(run("authorizer.group('').resource(' ').check('get').allowed()")).toEqual({
      ok: false,
      error: 'resource must not be empty',
    });
    expect(
      run("authorizer.serviceAccount('Bad_NS', 'bot').group('').resource('pods').check('get').allowed()"),
    ).toEqual({ ok: false, error: 'Invalid service account namespace' });
    expect(run("authorizer.path('  ').check('get').allowed()")).toEqual({
      ok: false,
      error: 'path must not be empty',
    });
    expect(run("authorizer.group('').path('/healthz')")).toMatchObject({ ok: false });
    expect(run('authorizer.requestResource.allowed()')).toMatchObject({ ok: false });
  });

  it('errs in the decision when no authorizer answers', () => {
    const compiled = compileCel("authorizer.requestResource.check('get').error()", ['authorizer']);
    if ('problem' in compiled) throw new Error(compiled.problem.message);
    expect(compiled.program.evaluate({ authorizer: authorizerValue(request) })).toEqual({
      ok: true,
      value: 'no authorizer',
    });
  });
});
