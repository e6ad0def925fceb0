import type { KubeObject } from '@slipway/kube';
import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../../src/engine/plan/index.js';
import type { Release } from '../../../src/engine/releases/release.js';
import { UserError } from '../../../src/errors.js';
import type { ResolvedApp } from '../../../src/spec/resolved.js';
import type { Deploy } from '../../../src/spec/schema.js';

function labels(name: string, component = 'server'): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': 'shop',
    'app.kubernetes.io/component': component,
  };
}
function obj(
  apiVersion: string,
  kind: string,
  name: string,
  owner: string,
  extra: Record<string, unknown> = {},
  component?: string,
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: 'shop', labels: labels(owner, component) },
    ...extra,
  };
}

/** What render produces for an api service with migrations and a postgres dependency (shuffled). */
const rendered: KubeObject[] = [
  obj('networking.k8s.io/v1', 'Ingress', 'shop-api', 'api'),
  obj('apps/v1', 'Deployment', 'shop-api', 'api'),
  obj('v1', 'Service', 'shop-api', 'api', {
    spec: { selector: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'shop' } },
  }),
  obj('batch/v1', 'Job', 'shop-api-migrate-3f2a', 'api-migrate', {}, 'migration'),
  obj('v1', 'ConfigMap', 'shop-api-config', 'api'),
  obj('apps/v1', 'StatefulSet', 'shop-db', 'db', {}, 'database'),
  obj('v1', 'Service', 'shop-db', 'db', { spec: { clusterIP: 'None' } }, 'database'),
  obj('v1', 'Secret', 'shop-db-credentials', 'db', {}, 'database'),
  obj('v1', 'ServiceAccount', 'shop-api', 'api'),
  obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'shop-api', 'api'),
  obj('networking.k8s.io/v1', 'NetworkPolicy', 'shop-default-deny', 'shop'),
];

function app(deploy: Deploy, autoscale?: { min: number; max: number }): ResolvedApp {
  return {
    app: 'shop',
    environment: 'production',
    namespace: 'shop',
    approval: 'none',
    services: {
      api: {
        image: 'ghcr.io/acme/api',
        port: 8080,
        replicas: 4,
        migrations: { command: ['migrate'] },
        ...(autoscale ? { autoscale } : {}),
      },
    },
    dependencies: { db: { type: 'postgres' } },
    deploy,
    backups: {},
    environments: ['production'],
  };
}

function previous(over: Partial<Release> = {}): Release {
  return {
    app: 'shop',
    environment: 'production',
    revision: 6,
    phase: 'deployed',
    strategy: 'blue-green',
    spec: app({}),
    overrides: [],
    images: {},
    createdAt: '',
    updatedAt: '',
    steps: [],
    inventory: [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'shop-api-config', namespace: 'shop' },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'shop-legacy-config', namespace: 'shop' },
    ],
    ...over,
  };
}

describe('planDeploy: apply order', () => {
  it('foundations, then dependencies, then the migration Job, then workloads, then traffic; Helm install order within each', () => {
    const plan = planDeploy({ app: app({}), revision: 1, objects: rendered });
    expect(plan.apply.map((g) => [g.phase, g.objects.map((o) => `${o.kind}/${o.name}`)])).toEqual([
      [
        'foundation',
        ['NetworkPolicy/shop-default-deny', 'ServiceAccount/shop-api', 'ConfigMap/shop-api-config'],
      ],
      ['dependencies', ['Secret/shop-db-credentials', 'Service/shop-db', 'StatefulSet/shop-db']],
      ['migration', ['Job/shop-api-migrate-3f2a']],
      ['workloads', ['Deployment/shop-api', 'HorizontalPodAutoscaler/shop-api']],
      ['traffic', ['Service/shop-api', 'Ingress/shop-api']],
    ]);
  });

  it('objects the previous release applied and this one does not render are pruned', () => {
    const plan = planDeploy({ app: app({}), revision: 7, previous: previous(), objects: rendered });
    expect(plan.prune).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'shop-legacy-config', namespace: 'shop' },
    ]);
  });
});

describe('planDeploy: steps', () => {
  it.each<[string, Deploy, Array<[string, boolean]>]>([
    [
      'rolling, no analysis',
      {},
      [
        ['render', false],
        ['check', false],
        ['lock', false],
        ['record', false],
        ['apply-config', false],
        ['migrate', false],
        ['roll-out', false],
        ['analyse', true],
        ['switch', true],
        ['clean-up', true],
      ],
    ],
    [
      'blue-green with analysis',
      { strategy: 'blue-green', analysis: { errorRate: { prometheus: { query: 'q' }, max: 0.01 } } },
      [
        ['render', false],
        ['check', false],
        ['lock', false],
        ['record', false],
        ['apply-config', false],
        ['migrate', false],
        ['roll-out', false],
        ['analyse', false],
        ['switch', false],
        ['clean-up', true],
      ],
    ],
  ])('%s', (_name, deploy, expected) => {
    const plan = planDeploy({ app: app(deploy), revision: 1, objects: rendered });
    expect(plan.steps.map((s) => [s.name, s.skipped !== undefined])).toEqual(expected);
  });

  it('no migration Job rendered: migrate is skipped with the reason', () => {
    const plan = planDeploy({ app: app({}), revision: 1, objects: rendered.filter((o) => o.kind !== 'Job') });
    expect(plan.steps.find((s) => s.name === 'migrate')).toMatchObject({
      skipped: 'no service declares migrations',
    });
  });

  it('rolling: the Deployments, the progress deadline and the analysis to run after', () => {
    const plan = planDeploy({
      app: app({ progressDeadline: '2m', analysis: { smoke: { http: { url: 'http://x' } } } }),
      revision: 1,
      objects: rendered,
    });
    expect(plan.rolling).toEqual({
      services: [{ service: 'api', deployment: 'shop-api', replicas: 4 }],
      progressDeadlineSeconds: 120,
      analysis: ['smoke'],
      backgroundAnalysis: [],
    });
  });

  it('analysis runs where the spec says under every strategy, and the plan says when', () => {
    const analysis = {
      errors: { http: { url: 'http://x' }, phase: 'background' as const },
      smoke: { http: { url: 'http://x' } },
      preview: { http: { url: 'http://x' }, phase: 'pre-promotion' as const },
    };
    const rolling = planDeploy({ app: app({ analysis }), revision: 1, objects: rendered });
    expect(rolling.rolling).toMatchObject({ analysis: ['preview', 'smoke'], backgroundAnalysis: ['errors'] });
    expect(rolling.steps.find((s) => s.name === 'analyse')?.summary).toBe(
      'background (from the first new pod to the end; a failure undoes the rollout at once): errors; after the rollout: preview (declared pre-promotion), smoke',
    );
    const bg = planDeploy({ app: app({ strategy: 'blue-green', analysis }), revision: 1, objects: rendered });
    expect(bg.blueGreen).toMatchObject({
      backgroundAnalysis: ['errors'],
      prePromotionAnalysis: ['preview'],
      postPromotionAnalysis: ['smoke'],
    });
    expect(bg.steps.find((s) => s.name === 'analyse')?.summary).toBe(
      'background (on the preview before the switch, on the active Service after it): errors; before the switch: preview; after the switch: smoke',
    );
    const canary = planDeploy({
      app: app({
        strategy: 'canary',
        canary: { steps: [{ weight: 50 }, { analysis: ['smoke'] }] },
        analysis: { ...analysis, after: { http: { url: 'http://x' }, phase: 'post-promotion' as const } },
      }),
      revision: 2,
      previous: previous(),
      objects: rendered,
    });
    expect(canary.canary).toMatchObject({
      backgroundAnalysis: ['errors'],
      prePromotionAnalysis: ['preview'],
      postPromotionAnalysis: ['after'],
    });
    expect(canary.steps.find((s) => s.name === 'analyse')?.summary).toBe(
      'background (at every step): errors; at the steps: smoke; before promotion: preview; after promotion: after',
    );
  });
});

describe('planDeploy: services that roll in place', () => {
  const withStore = (deploy: Deploy): { app: ResolvedApp; objects: KubeObject[] } => {
    const a = app(deploy);
    a.services.store = {
      image: 'ghcr.io/acme/store',
      port: 9000,
      volumes: [{ name: 'data', path: '/data', size: '1Gi' }],
      strategy: 'rolling',
    };
    return {
      app: a,
      objects: [
        ...rendered,
        obj('apps/v1', 'StatefulSet', 'shop-store', 'store'),
        obj('v1', 'Service', 'shop-store', 'store', {
          spec: { selector: { 'app.kubernetes.io/name': 'store', 'app.kubernetes.io/instance': 'shop' } },
        }),
      ],
    };
  };

  it('a canary leaves the StatefulSet out and says it rolls in place at promotion', () => {
    const { app: a, objects } = withStore({ strategy: 'canary', canary: { steps: [{ weight: 50 }] } });
    const plan = planDeploy({ app: a, revision: 7, previous: previous({ strategy: 'canary' }), objects });
    expect(plan.inPlace).toEqual(['store']);
    expect(plan.canary?.services.map((s) => s.service)).toEqual(['api']);
    expect(plan.steps.find((s) => s.name === 'roll-out')?.summary).toMatch(
      /; store rolls in place at promotion/,
    );
  });

  it('a blue-green colours only the api; the StatefulSet rolls in place before the switch', () => {
    const { app: a, objects } = withStore({ strategy: 'blue-green' });
    const plan = planDeploy({ app: a, revision: 7, previous: previous(), objects });
    expect(plan.inPlace).toEqual(['store']);
    expect(plan.blueGreen?.services.map((s) => s.service)).toEqual(['api']);
    expect(plan.steps.find((s) => s.name === 'roll-out')?.summary).toMatch(
      /; store rolls in place before the switch/,
    );
  });

  it('a rolling deploy has nothing in place to single out', () => {
    const { app: a, objects } = withStore({});
    expect(planDeploy({ app: a, revision: 7, previous: previous(), objects }).inPlace).toBeUndefined();
  });
});

describe('planDeploy: blue-green', () => {
  it('first release: blue, no selector before, nothing to scale down', () => {
    const plan = planDeploy({ app: app({ strategy: 'blue-green' }), revision: 1, objects: rendered });
    expect(plan.blueGreen?.services).toEqual([
      {
        service: 'api',
        activeColour: undefined,
        newColour: 'blue',
        newDeployment: 'shop-api-blue',
        oldDeployment: undefined,
        plainDeployment: 'shop-api',
        activeService: 'shop-api',
        previewService: 'shop-api-preview',
        selectorBefore: undefined,
        selectorAfter: {
          'app.kubernetes.io/name': 'api',
          'app.kubernetes.io/instance': 'shop',
          'slipway.dev/colour': 'blue',
        },
      },
    ]);
    expect(plan.blueGreen?.scaleDownDelaySeconds).toBe(30);
    expect(plan.steps.find((s) => s.name === 'clean-up')?.skipped).toBeDefined();
  });

  it('after a rolling release: the roll-out says the active Service is first narrowed to the serving pods', () => {
    const after = (prev?: Release) =>
      planDeploy({
        app: app({ strategy: 'blue-green' }),
        revision: 7,
        previous: prev,
        objects: rendered,
      }).steps.find((s) => s.name === 'roll-out')!.summary;
    expect(after(previous({ strategy: 'rolling' }))).toBe(
      "start shop-api-blue beside the serving version (shop-api first narrowed to the serving pods' pod-template-hash, so the new colour takes no request before the switch) and wait until ready",
    );
    expect(after(previous({ activeColours: { api: 'blue' } }))).toBe(
      'start shop-api-green beside the serving colour and wait until ready',
    );
    expect(after(undefined)).toBe('start shop-api-blue beside the serving colour and wait until ready');
  });

  it('next release: the other colour, the selector switch, the old colour kept warm for the delay', () => {
    const plan = planDeploy({
      app: app({ strategy: 'blue-green' }),
      revision: 7,
      previous: previous({ activeColours: { api: 'blue' } }),
      objects: rendered,
    });
    const svc = plan.blueGreen!.services[0]!;
    expect([svc.activeColour, svc.newColour, svc.oldDeployment, svc.newDeployment]).toEqual([
      'blue',
      'green',
      'shop-api-blue',
      'shop-api-green',
    ]);
    expect(svc.selectorBefore?.['slipway.dev/colour']).toBe('blue');
    expect(svc.selectorAfter['slipway.dev/colour']).toBe('green');
    expect(plan.steps.find((s) => s.name === 'clean-up')?.summary).toBe(
      'scale down shop-api-blue after 30s; delete 1 object(s) no longer rendered',
    );
  });

  it('the live Service selector wins over the release record (an interrupted deploy may have switched)', () => {
    const plan = planDeploy({
      app: app({ strategy: 'blue-green' }),
      revision: 7,
      previous: previous({ activeColours: { api: 'blue' } }),
      objects: rendered,
      live: { activeColours: { api: 'green' } },
    });
    expect(plan.blueGreen!.services[0]!.newColour).toBe('blue');
  });

  it.each<[string, Deploy, number, string[], string[]]>([
    [
      'analysis without a phase runs after promotion',
      { strategy: 'blue-green', analysis: { errorRate: { prometheus: { query: 'q' }, max: 0.01 } } },
      30,
      [],
      ['errorRate'],
    ],
    [
      'explicit pre-promotion',
      { strategy: 'blue-green', analysis: { smoke: { http: { url: 'http://x' }, phase: 'pre-promotion' } } },
      30,
      ['smoke'],
      [],
    ],
    [
      'a post-promotion window longer than the delay extends the delay',
      { strategy: 'blue-green', scaleDownDelay: '30s', postPromotionWindow: '2m' },
      120,
      [],
      [],
    ],
    ['a configured delay', { strategy: 'blue-green', scaleDownDelay: '5m' }, 300, [], []],
  ])('%s', (_name, deploy, delay, pre, post) => {
    const bg = planDeploy({
      app: app(deploy),
      revision: 2,
      previous: previous(),
      objects: rendered,
    }).blueGreen!;
    expect([bg.scaleDownDelaySeconds, bg.prePromotionAnalysis, bg.postPromotionAnalysis]).toEqual([
      delay,
      pre,
      post,
    ]);
  });
});

describe('planDeploy: canary', () => {
  const steps: NonNullable<Deploy['canary']>['steps'] = [
    { weight: 25 },
    { pause: '5m' },
    { analysis: ['errorRate'] },
    { weight: 50 },
    { pause: {} },
  ];
  const deploy: Deploy = {
    strategy: 'canary',
    canary: { steps },
    analysis: { errorRate: { prometheus: { query: 'q' }, max: 0.01 } },
  };

  it('the first release has no stable version: it rolls out in full and says why', () => {
    const plan = planDeploy({ app: app(deploy), revision: 1, objects: rendered });
    expect(plan.strategy).toBe('rolling');
    expect(plan.strategyNote).toMatch(/no stable version/);
  });

  it('weights become replica counts, pauses seconds or wait-for-promote, analysis steps stay named', () => {
    const plan = planDeploy({ app: app(deploy), revision: 7, previous: previous(), objects: rendered });
    expect(plan.canary).toEqual({
      traffic: 'replicas',
      trafficReason: 'no HTTPRoute or nginx Ingress in front of the service',
      backgroundAnalysis: [],
      prePromotionAnalysis: [],
      postPromotionAnalysis: [],
      services: [
        {
          service: 'api',
          stableDeployment: 'shop-api',
          canaryDeployment: 'shop-api-canary',
          traffic: 'replicas',
          scalesStable: true,
          baseReplicas: 4,
          autoscale: undefined,
          steps: [
            { kind: 'weight', weight: 25, canaryReplicas: 1, stableReplicas: 3, effectiveWeight: 25 },
            { kind: 'pause', seconds: 300, untilPromote: false },
            { kind: 'analysis', analysis: ['errorRate'] },
            { kind: 'weight', weight: 50, canaryReplicas: 2, stableReplicas: 2, effectiveWeight: 50 },
            { kind: 'pause', untilPromote: true },
          ],
        },
      ],
    });
  });

  it('an HPA sets the base from its current count and keeps the stable at its min', () => {
    const plan = planDeploy({
      app: app(deploy, { min: 3, max: 6 }),
      revision: 7,
      previous: previous(),
      objects: rendered,
      live: { hpaReplicas: { api: 6 } },
    });
    const svc = plan.canary!.services[0]!;
    expect(svc.baseReplicas).toBe(6);
    expect(svc.steps[3]).toEqual({
      kind: 'weight',
      weight: 50,
      canaryReplicas: 3,
      stableReplicas: 3,
      effectiveWeight: 50,
    });
    const low = planDeploy({
      app: app(deploy, { min: 3, max: 4 }),
      revision: 7,
      previous: previous(),
      objects: rendered,
      live: { hpaReplicas: { api: 4 } },
    });
    expect(low.canary!.services[0]!.steps[3]).toEqual({
      kind: 'weight',
      weight: 50,
      canaryReplicas: 2,
      stableReplicas: 3,
      effectiveWeight: 40,
    });
  });

  it('route weights asked for without a rendered route are a spec error (sizing with a route: test/engine/traffic)', () => {
    expect(() =>
      planDeploy({
        app: app({ ...deploy, canary: { steps, traffic: 'gateway' } }),
        revision: 7,
        previous: previous(),
        objects: rendered,
      }),
    ).toThrow(/deploy.canary.traffic is gateway, but no canaried service is exposed through an HTTPRoute/);
  });

  it('a step naming an undefined analysis is a UserError at the step', () => {
    const bad: Deploy = {
      strategy: 'canary',
      canary: { steps: [{ weight: 10 }, { analysis: ['latency'] }] },
    };
    const err = (() => {
      try {
        planDeploy({ app: app(bad), revision: 2, previous: previous(), objects: rendered });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).path).toBe('deploy.canary.steps[1].analysis');
  });

  it('--strategy overrides the spec', () => {
    expect(
      planDeploy({
        app: app(deploy),
        revision: 7,
        previous: previous(),
        objects: rendered,
        strategy: 'rolling',
      }).strategy,
    ).toBe('rolling');
  });
});
