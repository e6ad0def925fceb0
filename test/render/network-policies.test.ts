import type { NamedObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../src/render/index.js';
import { clusterEndpoints } from '../../src/render/objects/cluster-endpoints.js';
import { resolved, shop } from './fixtures.js';
import { at, find } from './helpers.js';

const policies = () => renderApp(shop()).objects.filter((o) => o.kind === 'NetworkPolicy');

function namesIn(selector: unknown): string[] {
  return (at(selector, 'matchExpressions', 0, 'values') as string[]) ?? [];
}

describe('renderNetworkPolicies', () => {
  it('default deny for every pod of the app, both directions', () => {
    expect(find(policies(), 'NetworkPolicy', 'shop-default-deny').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'shop' } },
      policyTypes: ['Ingress', 'Egress'],
    });
  });

  it('DNS egress to kube-system on 53 UDP and TCP', () => {
    expect(at(find(policies(), 'NetworkPolicy', 'shop-allow-dns'), 'spec', 'egress', 0, 'ports')).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
  });

  it.each([
    ['db', ['api', 'api-migrate'], 5432],
    ['cache', ['api', 'api-migrate'], 6379],
    ['events', ['api', 'api-migrate'], 9092],
    ['api', ['worker'], 8080],
  ])('%s accepts only its consumers %j on %i', (target, consumers, port) => {
    const p = find(policies(), 'NetworkPolicy', `shop-${target}`);
    const first = at(p, 'spec', 'ingress', 0) as Record<string, unknown>;
    expect(namesIn(at(first, 'from', 0, 'podSelector'))).toEqual(consumers);
    expect(first.ports).toEqual([{ protocol: 'TCP', port }]);
  });

  it('dependencies have no egress rule beyond DNS', () => {
    for (const d of ['db', 'cache', 'events'])
      expect(at(find(policies(), 'NetworkPolicy', `shop-${d}`), 'spec', 'egress')).toBeUndefined();
  });

  it('consumers reach exactly what they reference, plus public internet', () => {
    const egress = at(find(policies(), 'NetworkPolicy', 'shop-api'), 'spec', 'egress') as NamedObject[];
    expect(egress.slice(0, -1).map((r) => namesIn(at(r, 'to', 0, 'podSelector')))).toEqual([
      ['cache'],
      ['db'],
      ['events'],
    ]);
    expect(at(egress.at(-1), 'to', 0, 'ipBlock', 'cidr')).toBe('0.0.0.0/0');
    expect(at(egress.at(-1), 'to', 0, 'ipBlock', 'except')).toContain('169.254.0.0/16');
  });

  it('public services accept the ingress controller namespace on the public port', () => {
    const ingress = at(find(policies(), 'NetworkPolicy', 'shop-api'), 'spec', 'ingress', 1);
    expect(ingress).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }],
    });
  });
});

describe('clusterEndpoints', () => {
  it.each<[string[], Array<{ namespace: string; port?: number }>]>([
    [['http://otel-collector.observability.svc:4317'], [{ namespace: 'observability', port: 4317 }]],
    [
      ['grpc://tempo.tracing.svc.cluster.local:4317', 'nats://nats.messaging.svc'],
      [
        { namespace: 'messaging', port: undefined },
        { namespace: 'tracing', port: 4317 },
      ],
    ],
    [['https://api.example.com', 'svc.example.com', 'info'], []],
  ])('%j', (values, endpoints) => {
    expect(clusterEndpoints(values)).toEqual(endpoints);
  });

  it('an env address in another namespace becomes an egress rule to that namespace and port', () => {
    const app = resolved({
      services: {
        api: {
          image: 'a:1',
          env: { OTEL: 'http://otel-collector.observability.svc:4317', SELF: 'http://x.shop.svc:1' },
        },
      },
    });
    const egress = at(
      find(renderApp(app).objects, 'NetworkPolicy', 'shop-api'),
      'spec',
      'egress',
    ) as unknown[];
    expect(egress[0]).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }],
      ports: [{ protocol: 'TCP', port: 4317 }],
    });
    expect(egress).toHaveLength(2); // the namespace rule and public internet; the app's own namespace is not opened
  });
});
