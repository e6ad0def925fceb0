import { describe, expect, it } from 'vitest';
import { renderApp } from '../../src/render/index.js';
import { sharedPath } from '../helpers/shared.js';
import { FIXTURES } from './fixtures.js';
import { OpenApiValidator } from './openapi-schema.js';

const swagger = sharedPath('kubernetes-openapi', 'swagger-v1.36.json');

describe.skipIf(!swagger)('rendered objects against the Kubernetes OpenAPI document', () => {
  // Built only when the suite runs: describe bodies are collected even when skipped (a user's clone has no ../shared).
  const validator = swagger ? new OpenApiValidator(swagger) : (undefined as never as OpenApiValidator);

  it('the checker itself catches unknown fields, wrong types, missing required fields and duplicates', () => {
    expect(
      validator.validate({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'x', bogus: 1 },
        spec: { ports: [{ port: '80' }, { port: 81, name: 'a' }, { port: 81, name: 'b' }] },
      } as never),
    ).toEqual([
      '.metadata.bogus: unknown field',
      '.spec.ports[0].port: expected integer, got "80"',
      '.spec.ports: duplicate entry for port+protocol = [81,null]',
    ]);
    expect(
      validator.validate({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'x' },
        spec: {},
      } as never),
    ).toEqual(['.spec.selector: required', '.spec.template: required']);
  });

  it.each(Object.keys(FIXTURES))('every object of the %s fixture is valid', (name) => {
    for (const o of renderApp(FIXTURES[name]!()).objects) {
      // The Gateway API is a CRD, absent from the core document; its objects are checked in render-app tests.
      if (o.kind === 'HTTPRoute') continue;
      expect(validator.validate(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
    }
  });
});
