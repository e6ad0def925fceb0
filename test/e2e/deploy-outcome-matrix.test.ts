/**
 * Issue 19's table: every kind a deploy changes × every strategy × the outcomes a new version can
 * have (healthy, crashing, never ready, image missing), each cell a real deploy through the CLI
 * (in-process) against the sandbox with real sample-service processes, with its exit code and the
 * version that serves afterwards. A StatefulSet on its own volume under canary or blue-green is
 * refused by validate unless the service says `strategy: rolling`; with it, it rolls in place.
 * The combinations run side by side, one app (namespace) each, and the table is printed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { SHORT_CRASH_LOOP_BACKOFF, startSandboxEnv, type SandboxEnv } from './sandbox-env.js';
import { SAMPLE_SPEC, servicePort, versionOf } from './deploy-helpers.js';

type Kind = 'Deployment' | 'StatefulSet';
type StrategyName = 'rolling' | 'blue-green' | 'canary';

interface Outcome {
  name: string;
  tag: string;
  set: string[];
  code: number;
  /** The version that must serve after the deploy. */
  serves: string;
}

const OUTCOMES: Outcome[] = [
  { name: 'healthy (first)', tag: '1.0.0', set: [], code: 0, serves: '1.0.0' },
  // Without minReady a pod that is ready before it dies 300 ms after starting could complete a
  // rollout (a race CI lost for the StatefulSet); with it no such pod ever counts as available,
  // for Deployments and StatefulSets alike. Only this cell waits for it: the healthy ones stay fast.
  {
    name: 'crash',
    tag: '2.0.0',
    set: ['services.web.env.CRASH_AFTER_MS=300', 'deploy.minReady=2s'],
    code: 1,
    serves: '1.0.0',
  },
  {
    name: 'never ready',
    tag: '3.0.0',
    set: ['services.web.env.FAIL_READINESS=1', 'deploy.progressDeadline=6s'],
    code: 1,
    serves: '1.0.0',
  },
  { name: 'image missing', tag: 'broken', set: [], code: 1, serves: '1.0.0' },
  { name: 'healthy', tag: '5.0.0', set: [], code: 0, serves: '5.0.0' },
];

interface Row {
  kind: Kind;
  strategy: StrategyName;
  cells: Array<{ outcome: string; code: number; serves: string; message: string }>;
}

describe('kind × strategy × outcome (sandbox)', () => {
  let env: SandboxEnv;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true, config: SHORT_CRASH_LOOP_BACKOFF });
  });
  afterAll(() => env?.stop());

  function writeSpec(kind: Kind, strategy: StrategyName, inPlace: boolean): { file: string; app: string } {
    const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as {
      app: string;
      deploy: Record<string, unknown>;
      services: { web: Record<string, unknown> };
    };
    const app = `mx-${kind === 'Deployment' ? 'dep' : 'sts'}-${strategy}${kind === 'StatefulSet' && !inPlace ? '-refused' : ''}`;
    doc.app = app;
    doc.deploy = {
      strategy,
      timeout: '2m',
      scaleDownDelay: '1s',
      ...(strategy === 'canary' ? { canary: { steps: [{ weight: 50 }] } } : {}),
    };
    if (kind === 'StatefulSet') {
      doc.services.web.volumes = [{ name: 'data', path: '/data', size: '1Gi' }];
      doc.services.web.replicas = 1;
      if (inPlace) doc.services.web.strategy = 'rolling';
    }
    const file = join(env.dir, `${app}.yaml`);
    writeFileSync(file, stringify(doc));
    return { file, app };
  }

  async function slipway(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const io = memoryIo({ env: { KUBECONFIG: env.kubeconfig } });
    const code = await main(['node', 'slipway', ...args], io.io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }

  async function row(kind: Kind, strategy: StrategyName): Promise<Row> {
    const { file, app } = writeSpec(kind, strategy, kind === 'StatefulSet');
    const cells: Row['cells'] = [];
    for (const o of OUTCOMES) {
      const r = await slipway([
        'deploy',
        '-f',
        file,
        '--env',
        'dev',
        '--skip-analysis',
        '--set-image',
        `web=sample-service:${o.tag}`,
        ...o.set.flatMap((s) => ['--set', s]),
      ]);
      const serves = await versionOf(servicePort(env, app, `${app}-web`)).catch((e: Error) => e.message);
      const last = r.stdout.trim().split('\n').pop() ?? '';
      cells.push({ outcome: o.name, code: r.code, serves, message: last || r.stderr.trim() });
      console.log(
        `${kind} ${strategy} ${o.name}: exit ${r.code}, ${serves} serves (${last || r.stderr.trim()})`,
      );
    }
    return { kind, strategy, cells };
  }

  it('every cell ends with the documented exit code and the right version serving', async () => {
    const combos: Array<[Kind, StrategyName]> = [
      ['Deployment', 'rolling'],
      ['Deployment', 'blue-green'],
      ['Deployment', 'canary'],
      ['StatefulSet', 'rolling'],
      ['StatefulSet', 'blue-green'],
      ['StatefulSet', 'canary'],
    ];
    const rows = await Promise.all(combos.map(([k, s]) => row(k, s)));
    const table = [
      `| kind | strategy | ${OUTCOMES.map((o) => o.name).join(' | ')} |`,
      `|---|---|${OUTCOMES.map(() => '---').join('|')}|`,
      ...rows.map(
        (r) =>
          `| ${r.kind}${r.kind === 'StatefulSet' && r.strategy !== 'rolling' ? ' (strategy: rolling, in place)' : ''} | ${r.strategy} | ${r.cells.map((c) => `exit ${c.code}, ${c.serves} serves`).join(' | ')} |`,
      ),
    ];
    console.log(`kind × strategy × outcome:\n${table.join('\n')}`);
    for (const r of rows)
      r.cells.forEach((c, i) => {
        const o = OUTCOMES[i]!;
        expect(
          { code: c.code, serves: c.serves },
          `${r.kind} ${r.strategy} ${c.outcome}: ${c.message}`,
        ).toEqual({ code: o.code, serves: o.serves });
      });
  }, 300_000);

  it('a StatefulSet on its own volume under canary or blue-green without strategy: rolling is refused by validate (exit 2), nothing applied', async () => {
    for (const strategy of ['blue-green', 'canary'] as const) {
      const { file, app } = writeSpec('StatefulSet', strategy, false);
      const r = await slipway(['deploy', '-f', file, '--env', 'dev', '--skip-analysis']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(`services\\.web\\.volumes\\[0\\]: service "web" owns volume "data".*a ${strategy} deploy`),
      );
      expect(r.stderr).toContain('hint: add strategy: rolling to services.web');
      const ns = await env.kubectlResult(['get', 'namespace', app]);
      expect(ns.code).not.toBe(0);
    }
  });
});
