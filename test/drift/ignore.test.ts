/** `drift.ignore`: the rule matching shared by drift and the engine, the schema, and apply keeping live values. */
import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { withLiveValues } from '../../src/engine/ignore.js';
import { isIgnored } from '../../src/spec/drift-ignore.js';
import { rareSections } from '../../src/spec/schema.js';

const rules = [
  { kind: 'Deployment', name: 'shop-*', path: '/spec/template/spec/containers/0/resources' },
  { kind: 'Service', path: '/metadata/annotations/team~1owner' },
];

describe('drift.ignore', () => {
  it('matches the kind, the name glob and the field or anything under it', () => {
    expect(
      isIgnored(rules, 'Deployment', 'shop-web', '/spec/template/spec/containers/0/resources/limits/memory'),
    ).toBe(true);
    expect(isIgnored(rules, 'Deployment', 'shop-web', '/spec/template/spec/containers/0/resources')).toBe(
      true,
    );
    expect(isIgnored(rules, 'Deployment', 'shop-web', '/spec/template/spec/containers/0/resourcesX')).toBe(
      false,
    );
    expect(isIgnored(rules, 'Deployment', 'shopweb', '/spec/template/spec/containers/0/resources')).toBe(
      false,
    );
    expect(isIgnored(rules, 'StatefulSet', 'shop-web', '/spec/template/spec/containers/0/resources')).toBe(
      false,
    );
    expect(isIgnored(rules, 'Service', 'any.name', '/metadata/annotations/team~1owner')).toBe(true);
  });

  it('refuses a path that is not a JSON pointer', () => {
    const r = rareSections().DriftSchema.safeParse({
      ignore: [{ kind: 'Deployment', path: 'spec.replicas' }],
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('expected a JSON pointer (RFC 6901)');
  });

  it('applies an ignored field with its live value, or leaves it out when live has none', () => {
    const rendered = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop-web' },
      spec: {
        template: {
          spec: { containers: [{ name: 'web', image: 'w:2', resources: { limits: { memory: '64Mi' } } }] },
        },
      },
    } as KubeObject;
    const live = structuredClone(rendered);
    (
      live.spec as { template: { spec: { containers: Array<{ resources: unknown; image: string }> } } }
    ).template.spec.containers[0] = {
      image: 'w:1',
      resources: { limits: { memory: '256Mi' } },
    };
    const applied = withLiveValues(rendered, live, [rules[0]!]);
    expect(applied.spec).toEqual({
      template: {
        spec: { containers: [{ name: 'web', image: 'w:2', resources: { limits: { memory: '256Mi' } } }] },
      },
    });
    const withoutLive = withLiveValues(
      rendered,
      { ...live, spec: { template: { spec: { containers: [{}] } } } },
      [rules[0]!],
    );
    expect(JSON.stringify(withoutLive)).not.toContain('resources');
    // A live-only annotation is carried over, parents created.
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } } as KubeObject;
    const liveSvc = {
      ...svc,
      metadata: { name: 's', annotations: { 'team/owner': 'payments' } },
    } as KubeObject;
    expect(withLiveValues(svc, liveSvc, [rules[1]!]).metadata.annotations).toEqual({
      'team/owner': 'payments',
    });
  });
});
