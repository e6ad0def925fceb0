/**
 * Canary by route weight against the sandbox, with real sample-service process pods. The sandbox
 * stores HTTPRoutes and Ingresses but routes nothing through them, so these tests assert what the
 * API server holds at each step (each route watched with the cluster client, its canary weight
 * recorded as it changes), what the canary and stable Services select (through their proxy ports,
 * which the sandbox does route), the promotion, the way back on failure, and the convergence after
 * a deploy killed mid-canary. One suite per exposure: Gateway API HTTPRoute, nginx Ingress.
 */
import type { KubeObject } from '@slipway/kube';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRouteCanaryWeight, ingressCanaryWeight } from '../../src/engine/traffic/route-objects.js';
import {
  getObject,
  recordValues,
  servicePortSoon,
  writeRouteSpec,
  type Exposure,
} from './deploy-canary-route-helpers.js';
import { servicePort, slipwayCli, startCli, startLoad, versionOf } from './deploy-helpers.js';
import { startSandboxEnv, writeManifest, type SandboxEnv } from './sandbox-env.js';

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: gateways }
spec:
  gatewayClassName: sandbox
  listeners: [{ name: http, port: 80, protocol: HTTP }]
`;

/** Sequential requests, each on a new connection: how many each version answered. */
async function versionsThrough(port: number, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const v = await versionOf(port);
    counts[v] = (counts[v] ?? 0) + 1;
  }
  return counts;
}

type Dep = KubeObject & {
  spec: { replicas?: number; template: { spec: { containers: Array<{ image: string }> } } };
  status?: { readyReplicas?: number };
};
type Svc = KubeObject & { spec: { selector: Record<string, string> } };
const NS = 'sample';
const dep = (name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name });
const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', namespace: NS, name });

const EXPOSURES: Array<{
  exposure: Exposure;
  ref: { apiVersion: string; kind: string; namespace: string; name: string };
  weight: (o: KubeObject | undefined) => number;
  via: string;
}> = [
  {
    exposure: 'gateway',
    ref: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace: NS, name: 'sample-web' },
    weight: (o) => httpRouteCanaryWeight(o, { canaryService: 'sample-web-canary' }),
    via: 'HTTPRoute sample-web',
  },
  {
    exposure: 'nginx',
    ref: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: NS, name: 'sample-web-canary' },
    weight: ingressCanaryWeight,
    via: 'Ingress sample-web',
  },
];

describe.each(EXPOSURES)(
  'slipway deploy canary by route weight ($exposure) in the sandbox',
  ({ exposure, ref, weight, via }) => {
    let env: SandboxEnv;
    let spec: string;
    let stablePort: number;
    let stableReplicas: number;
    let gatewayPort: number;
    beforeAll(async () => {
      env = await startSandboxEnv({ runtime: true });
      spec = join(env.dir, 'slipway.yaml');
    });
    afterAll(() => env?.stop());
    const deploy = (...args: string[]) => slipwayCli(env, ['deploy', '-f', spec, '--env', 'dev', ...args]);

    it('v1 goes out whole (no stable yet); the route sends everything to the stable Service', async () => {
      writeRouteSpec(spec, exposure, { canary: { steps: [{ weight: 20 }] } });
      const r = await deploy('--set-image', 'web=sample-service:1.0.0');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      stablePort = servicePort(env, NS, 'sample-web');
      stableReplicas = (await getObject<Dep>(env, dep('sample-web')))!.spec.replicas!;
      if (exposure === 'gateway') expect(weight(await getObject(env, ref))).toBe(0);
      else expect(await getObject(env, ref)).toBeUndefined();
      if (exposure === 'gateway') {
        // The Gateway the route attaches to: the sandbox gives its listener a local port and routes by the HTTPRoute's weights.
        await env.kubectl(['create', 'namespace', 'gateways']);
        await env.kubectl(['apply', '-f', writeManifest(env, 'gateway.yaml', GATEWAY)]);
        gatewayPort = await servicePortSoon(env, 'gateways', 'gateway/public');
        expect(await versionsThrough(gatewayPort, 10)).toEqual({ '1.0.0': 10 });
      }
    });

    it('v2: the dry run names the route; weights 0 → 20 → 50 → 0, canary Service selects only canary pods, stable pinned, promoted', async () => {
      writeRouteSpec(spec, exposure, {
        canary: { steps: [{ weight: 20 }, { pause: {} }, { weight: 50 }, { pause: '1s' }] },
      });
      const dry = await deploy('--set-image', 'web=sample-service:2.0.0', '--dry-run');
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain(
        `weight 20% via ${via}, pause until promote, weight 50% via ${via}, pause 1s`,
      );

      const weights = recordValues(env, ref, weight);
      const canarySelector = recordValues(
        env,
        svc('sample-web-canary'),
        (o) => (o as Svc | undefined)?.spec.selector ?? null,
      );
      const stableSelector = recordValues(
        env,
        svc('sample-web'),
        (o) => (o as Svc | undefined)?.spec.selector ?? null,
      );
      const load = await startLoad(stablePort);
      const run = startCli(
        env,
        ['deploy', '-f', spec, '--env', 'dev', '--set-image', 'web=sample-service:2.0.0', '--output', 'json'],
        (l) => l.includes('pause until slipway promote') && l.includes('"started"'),
      );
      await run.reached;
      // At the pause: the route holds 20%, the canary Service answers only v2, the stable only v1.
      expect(weight(await getObject(env, ref))).toBe(20);
      const canaryPort = await servicePortSoon(env, NS, 'sample-web-canary');
      const canaryAnswers = new Set(
        await Promise.all(Array.from({ length: 12 }, () => versionOf(canaryPort))),
      );
      const stableAnswers = new Set(
        await Promise.all(Array.from({ length: 12 }, () => versionOf(stablePort))),
      );
      expect([...canaryAnswers]).toEqual(['2.0.0']);
      expect([...stableAnswers]).toEqual(['1.0.0']);
      if (exposure === 'gateway') {
        // Through the Gateway's listener, one new connection per request: the route's 80/20 split, exactly.
        const share = await versionsThrough(gatewayPort, 100);
        console.log(
          `gateway canary at 20%: 100 requests through the Gateway listener answered ${JSON.stringify(share)}`,
        );
        expect(share).toEqual({ '1.0.0': 80, '2.0.0': 20 });
      }
      const canary = await getObject<Dep>(env, dep('sample-web-canary'));
      expect(canary?.spec.replicas).toBe(Math.max(1, Math.ceil((stableReplicas * 20) / 100)));
      expect((await getObject<Dep>(env, dep('sample-web')))?.spec.replicas).toBe(stableReplicas);
      const promoted = await slipwayCli(env, ['promote', '-f', spec, '--env', 'dev']);
      expect(promoted.code).toBe(0);
      const code = await run.done;
      const stats = await load.stop();
      await Promise.all([weights.stop(), canarySelector.stop(), stableSelector.stop()]);
      console.log(
        `${exposure} canary v1→v2: weights ${JSON.stringify(weights.values)}; load through the stable Service ${JSON.stringify({ sent: stats.sent, failed: stats.failed, perSecond: stats.perSecond, versions: Object.fromEntries(Object.entries(stats.versions).map(([v, s]) => [v, s.count])) })}`,
      );
      expect(code, run.output()).toBe(0);
      expect(weights.values).toEqual([0, 20, 50, 0]);
      expect(canarySelector.values).toEqual([
        null,
        {
          'app.kubernetes.io/name': 'web',
          'app.kubernetes.io/instance': 'sample',
          'slipway.dev/role': 'canary',
        },
        null,
      ]);
      expect(stableSelector.values[0]).toEqual({
        'app.kubernetes.io/name': 'web',
        'app.kubernetes.io/instance': 'sample',
      });
      expect(Object.keys(stableSelector.values[1] ?? {})).toContain('pod-template-hash');
      expect(stableSelector.values.at(-1)).toEqual({
        'app.kubernetes.io/name': 'web',
        'app.kubernetes.io/instance': 'sample',
      });
      const events = run
        .output()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(
        events.some(
          (e) =>
            e.type === 'step' &&
            e.status === 'ok' &&
            String(e.detail).includes(`step 1: weight 20% (web 20% via ${via}`),
        ),
      ).toBe(true);
      expect(stats.failed).toBe(0);
      expect(await getObject(env, dep('sample-web-canary'))).toBeUndefined();
      expect(await getObject(env, svc('sample-web-canary'))).toBeUndefined();
      if (exposure === 'nginx') expect(await getObject(env, ref)).toBeUndefined();
      const stable = await getObject<Dep>(env, dep('sample-web'));
      expect(stable?.spec.template.spec.containers[0]?.image).toBe('sample-service:2.0.0');
      expect(stable?.spec.replicas).toBe(stableReplicas);
      expect(await versionOf(stablePort)).toBe('2.0.0');
    });

    it('v3 fails its analysis at 20%: weight 0 first, then the canary Deployment, Service (and Ingress) removed; stable v2 untouched', async () => {
      writeRouteSpec(spec, exposure, {
        canary: { steps: [{ weight: 20 }, { analysis: ['smoke'] }, { weight: 60 }] },
        analysis: { smoke: { http: { url: `http://127.0.0.1:${stablePort}/not-there`, status: 200 } } },
      });
      const weights = recordValues(env, ref, weight);
      const canaryExists = recordValues(env, dep('sample-web-canary'), (o) => o !== undefined);
      const load = await startLoad(stablePort);
      const r = await deploy('--set-image', 'web=sample-service:3.0.0');
      const stats = await load.stop();
      await Promise.all([weights.stop(), canaryExists.stop()]);
      console.log(
        `${exposure} canary v3 failed: weights ${JSON.stringify(weights.values)}; ${JSON.stringify({ sent: stats.sent, failed: stats.failed })}`,
      );
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout).toMatch(/✗ analyse .*step 2 analysis smoke failed/);
      expect(r.stdout).toContain('rolled-back sample revision 3');
      expect(weights.values).toEqual([0, 20, 0]);
      expect(canaryExists.values).toEqual([false, true, false]);
      // Weight 0 reached the API server before the canary Deployment was deleted.
      expect(weights.seenAt[2]!).toBeLessThan(canaryExists.seenAt[2]!);
      expect(stats.failed).toBe(0);
      expect(await getObject(env, svc('sample-web-canary'))).toBeUndefined();
      expect((await getObject<Svc>(env, svc('sample-web')))?.spec.selector).toEqual({
        'app.kubernetes.io/name': 'web',
        'app.kubernetes.io/instance': 'sample',
      });
      const stable = await getObject<Dep>(env, dep('sample-web'));
      expect(stable?.spec.template.spec.containers[0]?.image).toBe('sample-service:2.0.0');
      expect(stable?.status?.readyReplicas).toBe(stableReplicas);
      expect(await versionOf(stablePort)).toBe('2.0.0');
    });

    it('a deploy SIGKILLed at its pause leaves weight 30% and a pinned stable; the next deploy converges', async () => {
      writeRouteSpec(spec, exposure, { canary: { steps: [{ weight: 30 }, { pause: {} }] } });
      const args = [
        'deploy',
        '-f',
        spec,
        '--env',
        'dev',
        '--lock-ttl',
        '1s',
        '--set-image',
        'web=sample-service:4.0.0',
        '--output',
        'json',
      ];
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/run-slipway.ts', ...args], {
        env: { ...process.env, KUBECONFIG: env.kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await new Promise<void>((resolve) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => {
          out += c;
          if (out.includes('pause until slipway promote')) resolve();
        });
      });
      child.kill('SIGKILL');
      await new Promise((res) => child.on('exit', res));
      expect(weight(await getObject(env, ref))).toBe(30);
      expect(Object.keys((await getObject<Svc>(env, svc('sample-web')))?.spec.selector ?? {})).toContain(
        'pod-template-hash',
      );

      // The next deploy (rolling this time, as a rollback would be) finds the pending record and cleans up first.
      const deadline = Date.now() + 15_000;
      let r = await deploy('--strategy', 'rolling', '--set-image', 'web=sample-service:4.0.0');
      while (r.code === 1 && r.stderr.includes('is being deployed by') && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 250));
        r = await deploy('--strategy', 'rolling', '--set-image', 'web=sample-service:4.0.0');
      }
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /\(interrupted\) left a canary behind; cleaned up: .*Deployment sample-web-canary deleted/,
      );
      expect(weight(await getObject(env, ref))).toBe(0);
      expect(await getObject(env, dep('sample-web-canary'))).toBeUndefined();
      expect(await getObject(env, svc('sample-web-canary'))).toBeUndefined();
      expect((await getObject<Svc>(env, svc('sample-web')))?.spec.selector).toEqual({
        'app.kubernetes.io/name': 'web',
        'app.kubernetes.io/instance': 'sample',
      });
      expect(await versionOf(stablePort)).toBe('4.0.0');
    });

    // Sizing from the HPA (src/engine/traffic/autoscale.ts) is the same for both exposures: run once.
    it.runIf(exposure === 'gateway')(
      'with an HPA: the canary is sized from the replicas the HPA chose, and the stable replicas are never written',
      async () => {
        writeRouteSpec(
          spec,
          exposure,
          { canary: { steps: [{ weight: 50 }, { pause: '1s' }] } },
          { autoscale: { min: 2, max: 6, cpu: 70 } },
        );
        const first = await deploy('--strategy', 'rolling', '--set-image', 'web=sample-service:5.0.0');
        expect(first.code, first.stdout + first.stderr).toBe(0);
        // The sandbox runs no HPA controller: scale the stable as the HPA would.
        await env.kubectl(['-n', NS, 'scale', 'deployment/sample-web', '--replicas=3']);
        const dry = await deploy('--set-image', 'web=sample-service:6.0.0', '--dry-run');
        expect(dry.stdout).toContain(`weight 50% via ${via}`);
        const stableCount = recordValues(
          env,
          dep('sample-web'),
          (o) => (o as Dep | undefined)?.spec.replicas,
        );
        const canaryCount = recordValues(
          env,
          dep('sample-web-canary'),
          (o) => (o as Dep | undefined)?.spec.replicas ?? null,
        );
        const r = await deploy('--set-image', 'web=sample-service:6.0.0', '--output', 'json');
        await Promise.all([stableCount.stop(), canaryCount.stop()]);
        console.log(
          `${exposure} canary with an HPA at 3: stable replicas ${JSON.stringify(stableCount.values)}, canary ${JSON.stringify(canaryCount.values)}`,
        );
        expect(r.code, r.stdout).toBe(0);
        expect(r.stdout).toContain(`web 50% via ${via} (2 canary pods, stable left to its HPA)`);
        expect(stableCount.values).toEqual([3]);
        expect(canaryCount.values).toEqual([null, 0, 2, 0, null]);
        expect(await versionOf(stablePort)).toBe('6.0.0');
      },
    );
  },
);
