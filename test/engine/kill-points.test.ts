/**
 * Issue 25, part 8: a deployer killed at every named point of every strategy, deterministically.
 * The in-memory cluster stands in for the API server; the test plays the Deployment and Endpoints
 * controllers. "Killed" means what SIGKILL leaves: from the checkpoint on, the dead deployer's
 * calls never reach the cluster or the release store again (no finally block, no lock release, no
 * record update), and its Lease names a pid that is gone. Then the next `deploy` (or `rollback`) of
 * another process must converge: exactly one release deployed, none pending, the wanted version
 * serving, the Service selecting it, and no colour or canary left that the release does not own.
 *
 * Canary (a canary Deployment at half the replicas, a pause, promotion) is killed with its canary
 * running, mid-analysis and mid-promotion: the next command leaves no canary Deployment behind.
 *
 * The points are those a real deploy passes (recorded first, so a new step is covered without
 * editing this list); test/e2e/deploy-kill.test.ts kills the real CLI at the dangerous ones.
 */
import type { KubeObject } from '@slipway/kube';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, it } from 'vitest';
import type { Cluster } from '../../src/cluster/cluster.js';
import { MemoryCluster } from '../../src/cluster/memory.js';
import { systemClock } from '../../src/engine/clock.js';
import type { EngineContext } from '../../src/engine/context.js';
import { deploy } from '../../src/engine/deploy.js';
import { applyOverrides } from '../../src/engine/overrides.js';
import { MemoryReleaseStore } from '../../src/engine/releases/memory.js';
import type { ReleaseStore } from '../../src/engine/releases/store.js';
import type { Strategy } from '../../src/engine/releases/release.js';
import { rollback } from '../../src/engine/rollback.js';
import { parseSpec } from '../../src/spec/parse.js';
import { resolveEnvironment } from '../../src/spec/resolve.js';
import type { ResolvedApp } from '../../src/spec/resolved.js';
import { killAtCheckpoint } from '../../src/cli/test-hooks.js';
import { deploymentController, endpointsController } from './helpers/controllers.js';

const SPEC = 'examples/sample-service/slipway.yaml';
const NS = 'sample';
const app = (tag: string, strategy: Strategy): ResolvedApp => {
  const a = resolveEnvironment(parseSpec(readFileSync(SPEC, 'utf8'), SPEC), 'dev');
  delete a.deploy.analysis;
  a.deploy.strategy = strategy;
  a.deploy.scaleDownDelay = '0s';
  // A canary at half the replicas, a pause that ends by itself, then promotion.
  if (strategy === 'canary') a.deploy.canary = { steps: [{ weight: 50 }, { pause: '0s' }] };
  return applyOverrides(a, [], [`web=sample-service:${tag}`]).app;
};

/** A pid that existed and exited: the killed deployer's. */
const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
const DEAD = `ci@${hostname()} (pid ${deadPid})`;

/** Wraps every method of `target`: once `dead()` is true, calls never settle (a killed process makes none). */
function frozenAfter<T extends object>(target: T, dead: () => boolean): T {
  const never = new Promise<never>(() => undefined);
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => (dead() ? never : (v as (...a: unknown[]) => unknown).apply(t, args));
    },
  });
}

function world() {
  const cluster = new MemoryCluster({ namespace: NS });
  const store = new MemoryReleaseStore();
  const stop = new AbortController();
  for (const name of ['sample-web', 'sample-web-blue', 'sample-web-green', 'sample-web-canary'])
    deploymentController(cluster, name, stop.signal);
  endpointsController(cluster, NS, stop.signal);
  const ctx = (holder: string, extra: Partial<EngineContext> = {}): EngineContext => ({
    cluster,
    store,
    clock: systemClock,
    holder,
    emit: () => undefined,
    ...extra,
  });
  /** A deployer whose process dies at `point`: resolves once it is dead (or finished without reaching it). */
  const killedAt = async (point: string, run: (c: EngineContext) => Promise<unknown>) => {
    let dead = false;
    const checkpoint = killAtCheckpoint({ SLIPWAY_TEST_KILL_AT: point }, () => (dead = true))!;
    const c: EngineContext = {
      cluster: frozenAfter<Cluster>(cluster, () => dead),
      store: frozenAfter<ReleaseStore>(store, () => dead),
      clock: systemClock,
      holder: DEAD,
      emit: () => undefined,
      checkpoint,
    };
    const finished = run(c).then(() => 'finished');
    const killed = new Promise<string>((resolve) => {
      const poll = setInterval(() => {
        if (dead) {
          clearInterval(poll);
          resolve('killed');
        }
      }, 2);
      void finished.finally(() => clearInterval(poll));
    });
    return Promise.race([finished, killed]);
  };
  return { cluster, store, stop, ctx, killedAt };
}

/** The points a deploy of `strategy` from a release of `from` passes, in order. */
async function pointsOf(strategy: Strategy, from: Strategy): Promise<string[]> {
  const w = world();
  await deploy(w.ctx('test@ci (pid 1)'), { app: app('1.0.0', from), overrides: [] });
  const points: string[] = [];
  await deploy(w.ctx('test@ci (pid 1)', { checkpoint: (p) => points.push(p) }), {
    app: app('2.0.0', strategy),
    overrides: [],
  });
  w.stop.abort();
  return points;
}

type Dep = KubeObject & {
  spec: { replicas?: number; template: { spec: { containers: Array<{ image: string }> } } };
};

/** What serves: the Service's selector, the Deployments that have replicas, the records' phases. */
async function converged(w: ReturnType<typeof world>) {
  const svc = await w.cluster.get<KubeObject & { spec: { selector: Record<string, string> } }>({
    apiVersion: 'v1',
    kind: 'Service',
    namespace: NS,
    name: 'sample-web',
  });
  const { items } = await w.cluster.list<Dep>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS });
  const running = items
    .filter((d) => (d.spec.replicas ?? 1) > 0)
    .map((d) => `${d.metadata.name}=${d.spec.template.spec.containers[0]?.image.split(':')[1]}`)
    .sort();
  const selected = items
    .filter((d) =>
      Object.entries(svc?.spec.selector ?? {}).every(
        ([k, v]) =>
          (d.spec as unknown as { template: { metadata: { labels: Record<string, string> } } }).template
            .metadata.labels[k] === v,
      ),
    )
    .map((d) => d.metadata.name)
    .sort();
  const phases = (await w.store.list('sample', 'dev')).map((r) => r.phase);
  return {
    running,
    selected,
    deployed: phases.filter((p) => p === 'deployed').length,
    pending: phases.filter((p) => p === 'pending').length,
  };
}

const ROLLING_POINTS = [
  'render:started',
  'lock:ok',
  'record:started',
  'record:ok',
  'apply-config:ok',
  'roll-out:started',
  'roll-out:applied',
  'roll-out:ok',
  'recorded:deployed',
  'recorded:superseded',
];
const BLUE_GREEN_POINTS = [...ROLLING_POINTS, 'switch:started', 'switch:ok'];
const CANARY_POINTS = [...ROLLING_POINTS, 'analyse:started', 'analyse:ok', 'switch:started', 'switch:ok'];

// The cases share nothing (each point gets a world of its own), and mostly wait: run them concurrently.
describe.concurrent('a deployer killed at every named point converges on the next command', () => {
  for (const [strategy, from, expected] of [
    ['rolling', 'rolling', ROLLING_POINTS],
    ['blue-green', 'blue-green', BLUE_GREEN_POINTS],
    ['blue-green', 'rolling', BLUE_GREEN_POINTS],
    ['rolling', 'blue-green', ROLLING_POINTS],
    ['canary', 'canary', CANARY_POINTS],
    ['canary', 'rolling', CANARY_POINTS],
    ['rolling', 'canary', ROLLING_POINTS],
  ] as const) {
    it(`${from} → ${strategy}: every point, then deploy again (v2) or roll back (v1)`, async ({ expect }) => {
      const points = await pointsOf(strategy, from);
      // Every point a deploy of this strategy passes is covered; the dangerous ones are among them.
      for (const p of expected) expect(points).toContain(p);
      const outcomes: string[] = [];
      for (const point of [...new Set(points)]) {
        // Before the lock nothing is written: a rollback then is an ordinary one (test/engine/interrupted.test.ts).
        const recorded = points.indexOf(point) >= points.indexOf('record:ok');
        for (const next of recorded ? (['deploy', 'rollback'] as const) : (['deploy'] as const)) {
          const w = world();
          await deploy(w.ctx('test@ci (pid 1)'), { app: app('1.0.0', from), overrides: [] });
          const how = await w.killedAt(point, (c) =>
            deploy(c, { app: app('2.0.0', strategy), overrides: [] }),
          );
          expect(how, `killed at ${point}`).toBe('killed');
          const after = w.ctx('test@ci (pid 2)');
          const result =
            next === 'deploy'
              ? await deploy(after, { app: app('2.0.0', strategy), overrides: [] })
              : await rollback(after, { app: 'sample', environment: 'dev' }).catch((e: Error) => e);
          const state = await converged(w);
          w.stop.abort();
          const label = `${from} → ${strategy} killed at ${point}, then ${next}`;
          if (result instanceof Error) throw new Error(`${label}: ${result.message}`);
          expect(result.outcome, label).toBe('deployed');
          // A rollback puts back what served before the killed deploy (pending, or recorded deployed:
          // then 1.0.0 is the release before it).
          const want = next === 'deploy' ? '2.0.0' : '1.0.0';
          expect(state.deployed, label).toBe(1);
          expect(state.pending, label).toBe(0);
          expect(state.running, label).toHaveLength(1);
          expect(state.running[0], label).toMatch(new RegExp(`=${want.replace(/\./g, '\\.')}$`));
          expect(state.selected, label).toEqual([state.running[0]!.split('=')[0]]);
          outcomes.push(`${point}/${next}`);
        }
      }
      console.log(
        `[kill points] ${from} → ${strategy}: ${outcomes.length} kills converged: ${outcomes.join(', ')}`,
      );
    }, 120_000);
  }
});
