/** The pure parts of the strategies: blue-green colouring, the canary Deployment, rollback targets, the step line. */
import type { KubeObject } from '@slipway/kube';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../../src/engine/plan/index.js';
import { groupByPhase } from '../../../src/engine/plan/order.js';
import { renderObjects } from '../../../src/engine/prepare.js';
import { textProgress } from '../../../src/cli/progress/text.js';
import type { Release } from '../../../src/engine/releases/release.js';
import { rollbackTarget } from '../../../src/engine/rollback.js';
import { canaryDeployment } from '../../../src/engine/strategies/canary.js';
import { colourObjects, servedObjects } from '../../../src/engine/strategies/colours.js';
import { parseSpec } from '../../../src/spec/parse.js';
import { resolveEnvironment } from '../../../src/spec/resolve.js';

const SPEC = 'examples/sample-service/slipway.yaml';
const app = resolveEnvironment(parseSpec(readFileSync(SPEC, 'utf8'), SPEC), 'staging');
const { objects } = renderObjects(app);
const groups = groupByPhase(objects, new Set());
type Dep = KubeObject & {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> } };
    replicas?: number;
  };
};
type Svc = KubeObject & { spec: { selector: Record<string, string>; clusterIP?: string } };

describe('blue-green colouring', () => {
  it.each([
    [undefined, 'blue'],
    ['blue', 'green'],
    ['green', 'blue'],
  ] as const)(
    'serving %s: the new colour is %s on the Deployment, its pods, the preview and the active selector',
    (active, next) => {
      const plan = planDeploy({
        app,
        revision: 2,
        objects,
        strategy: 'blue-green',
        live: { activeColours: active ? { web: active } : {} },
      }).blueGreen!;
      const c = colourObjects(groups.workloads, groups.traffic, plan);
      const d = c.colourWorkloads.find((o) => o.kind === 'Deployment') as Dep;
      expect(d.metadata.name).toBe(`sample-web-${next}`);
      expect(d.spec.selector.matchLabels['slipway.dev/colour']).toBe(next);
      expect(d.spec.template.metadata.labels['slipway.dev/colour']).toBe(next);
      const [preview] = c.preview as Svc[];
      const [activeSvc] = c.active as Svc[];
      expect(preview?.metadata.name).toBe('sample-web-preview');
      expect(preview?.spec.selector['slipway.dev/colour']).toBe(next);
      expect(activeSvc?.metadata.name).toBe('sample-web');
      expect(activeSvc?.spec.selector).toEqual({ ...d.spec.selector.matchLabels });
      expect(c.rest.map((o) => o.kind)).not.toContain('Deployment');
    },
  );

  it('a recorded blue-green release is restored with the colour it served', () => {
    const release = {
      spec: app,
      strategy: 'blue-green',
      activeColours: { web: 'green' },
    } as unknown as Release;
    const served = servedObjects(release);
    expect(served.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual([
      'sample-web-green',
    ]);
    expect(
      (served.find((o) => o.kind === 'Service' && o.metadata.name === 'sample-web') as Svc).spec.selector[
        'slipway.dev/colour'
      ],
    ).toBe('green');
    expect(servedObjects({ ...release, strategy: 'rolling' } as Release)).toEqual(objects);
  });
});

describe('canary Deployment', () => {
  it('has its own name and role label on selector and pods, and starts at zero replicas', () => {
    const d = groups.workloads.find((o) => o.kind === 'Deployment')!;
    const c = canaryDeployment(d, {
      service: 'web',
      stableDeployment: 'sample-web',
      canaryDeployment: 'sample-web-canary',
      traffic: 'replicas',
      scalesStable: true,
      baseReplicas: 2,
      steps: [],
    }) as Dep;
    expect(c.metadata.name).toBe('sample-web-canary');
    expect(c.spec.replicas).toBe(0);
    expect(c.spec.selector.matchLabels['slipway.dev/role']).toBe('canary');
    expect(c.spec.template.metadata.labels['slipway.dev/role']).toBe('canary');
    // The Service's selector (the base labels) still matches canary pods: that is the replica ratio.
    const svc = groups.traffic.find((o) => o.kind === 'Service') as Svc;
    for (const [k, v] of Object.entries(svc.spec.selector))
      expect(c.spec.template.metadata.labels[k]).toBe(v);
  });
});

describe('rollback target', () => {
  const r = (revision: number, phase: Release['phase'], strategy: Release['strategy'] = 'rolling') =>
    ({ revision, phase, strategy }) as Release;
  const history = [
    r(1, 'superseded'),
    r(2, 'superseded'),
    r(3, 'rolled-back'),
    r(4, 'deployed', 'blue-green'),
  ];
  it.each([
    [undefined, 2, 'blue-green'],
    [1, 1, 'blue-green'],
    [4, 4, 'blue-green'],
  ])('--to %s restores revision %s with %s', (to, revision, strategy) => {
    const t = rollbackTarget(history, { to, environment: 'dev' });
    expect(t.target.revision).toBe(revision);
    expect(t.strategy).toBe(strategy);
  });
  it.each([
    [3, 'revision 3 never served'],
    [9, 'revision 9 does not exist'],
  ])('--to %s is refused: %s', (to, message) => {
    expect(() => rollbackTarget(history, { to, environment: 'dev' })).toThrow(message);
  });
  it('a canary serving is rolled back rolling; no earlier release is refused', () => {
    expect(
      rollbackTarget([r(1, 'superseded'), r(2, 'deployed', 'canary')], { environment: 'dev' }).strategy,
    ).toBe('rolling');
    expect(() => rollbackTarget([r(1, 'deployed')], { environment: 'dev' })).toThrow('no earlier release');
  });
});

describe('text progress', () => {
  const at = '2026-01-01T00:00:00.000Z';
  it('on a terminal the started line is rewritten with the outcome; elsewhere only finished steps print', () => {
    const tty: string[] = [];
    const plain: string[] = [];
    for (const [out, isTty] of [
      [tty, true],
      [plain, false],
    ] as const) {
      const p = textProgress((t) => out.push(t), isTty);
      p({ type: 'step', step: 'roll-out', status: 'started', at });
      p({ type: 'step', step: 'roll-out', status: 'ok', at, durationMs: 1234, detail: 'web' });
    }
    expect(tty).toEqual(['▸ roll-out     …\n', '\x1b[1A\r\x1b[2K✓ roll-out     1.2s  web\n']);
    expect(plain).toEqual(['✓ roll-out     1.2s  web\n']);
  });
});
