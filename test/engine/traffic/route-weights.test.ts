/**
 * Route-weight canaries, the pure half: which router the plan picks from the rendered objects
 * (HTTPRoute → gateway, nginx-class Ingress → nginx, else replica ratio), how routed steps are
 * sized (with and without an HPA), and the objects the routers write (canary Service, weighted
 * HTTPRoute, canary Ingress, the pinned stable Service).
 */
import type { KubeObject } from '@slipway/kube';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Release } from '../../../src/engine/releases/release.js';
import { planDeploy } from '../../../src/engine/plan/index.js';
import { renderObjects } from '../../../src/engine/prepare.js';
import { describeResult } from '../../../src/cli/progress/result.js';
import {
  canaryIngressObject,
  canaryServiceObject,
  httpRouteCanaryWeight,
  ingressCanaryWeight,
  pinnedStableService,
  weightedHttpRoute,
} from '../../../src/engine/traffic/route-objects.js';
import { UserError } from '../../../src/errors.js';
import { parseSpec } from '../../../src/spec/parse.js';
import { resolveEnvironment } from '../../../src/spec/resolve.js';

const SPEC = 'examples/sample-service/slipway.yaml';

function appWith(change: (doc: Record<string, unknown>) => void) {
  const doc = parse(readFileSync(SPEC, 'utf8')) as Record<string, unknown>;
  change(doc);
  const app = resolveEnvironment(parseSpec(stringify(doc), SPEC), 'staging');
  return { app, objects: renderObjects(app).objects };
}

const web = (doc: Record<string, unknown>) => (doc.services as Record<string, Record<string, unknown>>).web!;
const gateway = (doc: Record<string, unknown>) => {
  doc.kubernetes = { ingress: 'gateway', gateway: { name: 'public', namespace: 'gateways' } };
  web(doc).public = { host: 'web.example.com' };
};
const nginx = (doc: Record<string, unknown>) => {
  doc.kubernetes = { ingressClass: 'nginx' };
  web(doc).public = { host: 'web.example.com' };
};
const canary = (steps: unknown[], traffic?: string) => (doc: Record<string, unknown>) => {
  doc.deploy = { strategy: 'canary', canary: { steps, ...(traffic ? { traffic } : {}) } };
};
const previous = { revision: 1 } as Release;

function plan(...changes: Array<(doc: Record<string, unknown>) => void>) {
  const { app, objects } = appWith((doc) => changes.forEach((c) => c(doc)));
  return { objects, plan: planDeploy({ app, revision: 2, previous, objects }) };
}

describe('the canary router is chosen from the rendered objects', () => {
  it('an HTTPRoute to the service: Gateway API weights, canary sized ceil(replicas × weight), stable untouched', () => {
    const { plan: p } = plan(gateway, canary([{ weight: 20 }, { pause: {} }, { weight: 50 }]));
    const c = p.canary!;
    expect(c.traffic).toBe('gateway');
    expect(c.trafficReason).toBe('HTTPRoute sample-web is rendered');
    expect(c.services[0]).toMatchObject({
      traffic: 'gateway',
      scalesStable: false,
      route: {
        kind: 'HTTPRoute',
        name: 'sample-web',
        stableService: 'sample-web',
        canaryService: 'sample-web-canary',
      },
    });
    expect(c.services[0]!.steps[0]).toEqual({
      kind: 'weight',
      weight: 20,
      canaryReplicas: 1,
      stableReplicas: 2,
      effectiveWeight: 20,
    });
    expect(c.services[0]!.steps[2]).toMatchObject({ weight: 50, canaryReplicas: 1, stableReplicas: 2 });
    const rollOut = p.steps.find((s) => s.name === 'roll-out')!.summary;
    expect(rollOut).toContain('Gateway API route weights (HTTPRoute sample-web is rendered)');
    expect(rollOut).toContain(
      'weight 20% via HTTPRoute sample-web, pause until promote, weight 50% via HTTPRoute sample-web',
    );
  });

  it('an Ingress of class nginx: a canary Ingress beside it', () => {
    const { plan: p } = plan(nginx, canary([{ weight: 30 }]));
    expect(p.canary!.traffic).toBe('nginx');
    expect(p.canary!.services[0]!.route).toEqual({
      kind: 'Ingress',
      name: 'sample-web',
      stableService: 'sample-web',
      canaryService: 'sample-web-canary',
      canaryIngress: 'sample-web-canary',
    });
  });

  it('an Ingress of another class, or no public route: replica ratio, as before', () => {
    const other = plan(
      (doc) => {
        doc.kubernetes = { ingressClass: 'traefik' };
        web(doc).public = { host: 'web.example.com' };
      },
      canary([{ weight: 50 }]),
    );
    expect(other.plan.canary!.traffic).toBe('replicas');
    expect(other.plan.canary!.services[0]).toMatchObject({
      traffic: 'replicas',
      scalesStable: true,
      steps: [{ canaryReplicas: 1, stableReplicas: 1 }],
    });
    expect(plan(canary([{ weight: 50 }])).plan.canary!.trafficReason).toBe(
      'no HTTPRoute or nginx Ingress in front of the service',
    );
  });

  it('deploy.canary.traffic: replicas overrides a rendered HTTPRoute; gateway without one is a spec error', () => {
    expect(plan(gateway, canary([{ weight: 20 }], 'replicas')).plan.canary!.services[0]!.traffic).toBe(
      'replicas',
    );
    let err: unknown;
    try {
      plan(nginx, canary([{ weight: 20 }], 'gateway'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'canary-traffic', path: 'deploy.canary.traffic' });
  });

  it('with an HPA: sized from its current replicas, and the stable replicas are never in the plan to write', () => {
    const { app, objects } = appWith((doc) => {
      gateway(doc);
      canary([{ weight: 25 }, { weight: 100 }])(doc);
      web(doc).autoscale = { min: 2, max: 10, cpu: 70 };
      delete web(doc).replicas;
    });
    const p = planDeploy({ app, revision: 2, previous, objects, live: { hpaReplicas: { web: 7 } } }).canary!
      .services[0]!;
    expect(p).toMatchObject({ baseReplicas: 7, scalesStable: false, autoscale: { min: 2, max: 10 } });
    expect(p.steps).toEqual([
      { kind: 'weight', weight: 25, canaryReplicas: 2, stableReplicas: 7, effectiveWeight: 25 },
      { kind: 'weight', weight: 100, canaryReplicas: 7, stableReplicas: 7, effectiveWeight: 100 },
    ]);
  });

  it('the dry run prints the router and each weight', () => {
    const { plan: p } = plan(gateway, canary([{ weight: 20 }, { weight: 50 }]));
    const out = describeResult({ outcome: 'dry-run', exitCode: 0, plan: p, analysis: [] });
    expect(out).toContain('weight 20% via HTTPRoute sample-web, weight 50% via HTTPRoute sample-web');
    expect(out).toContain('weight back to 0 once they are available');
  });
});

describe('the objects a routed canary writes', () => {
  const route = {
    kind: 'HTTPRoute' as const,
    name: 'sample-web',
    stableService: 'sample-web',
    canaryService: 'sample-web-canary',
  };
  const find = (objects: KubeObject[], kind: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === 'sample-web')!;

  it('HTTPRoute: the stable backendRef split into a weighted pair; weight 0 is the rendered route', () => {
    const { objects } = plan(gateway, canary([{ weight: 20 }]));
    const rendered = find(objects, 'HTTPRoute');
    const at20 = weightedHttpRoute(rendered, route, 20);
    expect((at20.spec as { rules: Array<{ backendRefs: unknown[] }> }).rules[0]!.backendRefs).toEqual([
      { name: 'sample-web', port: 8080, weight: 80 },
      { name: 'sample-web-canary', port: 8080, weight: 20 },
    ]);
    expect((at20.spec as { parentRefs: unknown }).parentRefs).toEqual(
      (rendered.spec as { parentRefs: unknown }).parentRefs,
    );
    expect(httpRouteCanaryWeight(at20, route)).toBe(20);
    expect(weightedHttpRoute(rendered, route, 0)).toBe(rendered);
    expect(httpRouteCanaryWeight(rendered, route)).toBe(0);
  });

  it('canary Service: the stable ports, selecting only canary pods; the stable pinned by pod-template-hash', () => {
    const { objects } = plan(gateway, canary([{ weight: 20 }]));
    const stable = find(objects, 'Service');
    const c = canaryServiceObject(stable, route) as KubeObject & {
      spec: { selector: Record<string, string>; ports: unknown };
    };
    expect(c.metadata.name).toBe('sample-web-canary');
    expect(c.spec.selector).toEqual({
      'app.kubernetes.io/name': 'web',
      'app.kubernetes.io/instance': 'sample',
      'slipway.dev/role': 'canary',
    });
    expect(c.spec.ports).toEqual((stable.spec as { ports: unknown }).ports);
    expect(c.metadata.labels?.['slipway.dev/role']).toBe('canary');
    expect(
      (pinnedStableService(stable, 'abc123').spec as { selector: Record<string, string> }).selector,
    ).toEqual({
      'app.kubernetes.io/name': 'web',
      'app.kubernetes.io/instance': 'sample',
      'pod-template-hash': 'abc123',
    });
  });

  it('nginx canary Ingress: class, host and path of the stable one, backend the canary Service, the canary annotations', () => {
    const { objects } = plan(
      nginx,
      (doc) => {
        web(doc).public = { host: 'web.example.com', tls: { issuer: 'letsencrypt' } };
      },
      canary([{ weight: 20 }]),
    );
    const stable = find(objects, 'Ingress');
    const ing = canaryIngressObject(
      stable,
      { ...route, kind: 'Ingress', canaryIngress: 'sample-web-canary' },
      20,
    ) as KubeObject & {
      spec: {
        ingressClassName: string;
        rules: Array<{
          host: string;
          http: { paths: Array<{ backend: { service: { name: string; port: unknown } } }> };
        }>;
        tls: unknown;
      };
    };
    expect(ing.metadata.name).toBe('sample-web-canary');
    expect(ing.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '20',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.rules[0]!.host).toBe('web.example.com');
    expect(ing.spec.rules[0]!.http.paths[0]!.backend.service).toEqual({
      name: 'sample-web-canary',
      port: { number: 8080 },
    });
    expect(ing.spec.tls).toEqual((stable.spec as { tls: unknown }).tls);
    expect(ingressCanaryWeight(ing)).toBe(20);
    expect(ingressCanaryWeight(undefined)).toBe(0);
  });
});
