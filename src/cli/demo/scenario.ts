/**
 * `slipway demo`, the scenario: a sandbox in this process, the sample service deployed through
 * the real engine (the same `deploy()` as `slipway deploy`), then a blue-green deploy under a
 * steady load from another process, then a broken version that fails its post-promotion check
 * and is switched back automatically. Each act is a method named for what the user sees;
 * `./summary.ts` judges and prints the result.
 */
import { fileURLToPath } from 'node:url';
import { KubeCluster } from '../../cluster/kube.js';
import { clusterContext, type DeployEvent, type EngineContext } from '../../engine/context.js';
import { deploy, type DeployResult } from '../../engine/deploy.js';
import { history, type HistoryEntry } from '../../engine/history.js';
import { applyOverrides } from '../../engine/overrides.js';
import { describeResult } from '../progress/result.js';
import { textProgress } from '../progress/text.js';
import { objectName } from '../../render/names.js';
import { loadInputs } from '../spec-render.js';
import type { ResolvedApp } from '../../spec/resolved.js';
import { startLoad, type LoadStats, type RunningLoad } from './load.js';
import { versionsAnswering } from './probe.js';
import { servicePort, startDemoCluster, type DemoCluster } from './sandbox.js';

/** The sample spec, found from this file (src/cli/demo or dist/cli/demo) so a checkout and an installed package both work. */
export const SAMPLE_SPEC = fileURLToPath(
  new URL('../../../examples/sample-service/slipway.yaml', import.meta.url),
);
export const DEMO_ENVIRONMENT = 'dev';
export const VERSIONS = { first: '1.0.0', second: '2.0.0', broken: '3.0.0' } as const;
/** The old colour stays warm this long after a switch (the default 30s would make the demo wait). */
const SCALE_DOWN_DELAY = '2s';
const LOAD_CONCURRENCY = 8;
/** Keep measuring this long after a deploy returns, so the load shows what serves afterwards. */
const LOAD_TAIL_MS = 500;
const PROBES_AFTER_ROLLBACK = 20;

export interface DemoOutput {
  /** Text for people: act headings and each deploy's live step list. */
  write(text: string): void;
  tty: boolean;
  /** JSON mode: print nothing while running. */
  quiet: boolean;
}

export interface ReleaseReport {
  version: string;
  revision?: number;
  outcome: DeployResult['outcome'];
  /** Wall time of the deploy call, clean-up delay included. */
  durationMs: number;
  message?: string;
  analysis: Array<{ name: string; phase: string; message: string }>;
}

export interface LoadReport {
  requests: number;
  perSecond: number;
  failed: number;
  errors: Record<string, number>;
  /** Answers by version, in the order the versions first answered. */
  versions: Record<string, number>;
}

export interface DemoRecord {
  sandboxUrl: string;
  sandboxStartMs: number;
  service?: { namespace: string; name: string; port: number };
  releases: ReleaseReport[];
  blueGreenLoad?: LoadReport;
  brokenLoad?: LoadReport;
  /** From the failed post-promotion analysis to the last answer of the broken version the load saw. */
  lastBrokenAnswerMs?: number;
  /** The `switch` step that put the previous colour back. */
  switchBackMs?: number;
  servingAfter?: Record<string, number>;
  history: HistoryEntry[];
}

export class DemoRun {
  readonly record: DemoRecord = { sandboxUrl: '', sandboxStartMs: 0, releases: [], history: [] };
  /** The act running now, for error messages. */
  act = 'starting the sandbox';
  private cluster?: DemoCluster;
  private engine?: EngineContext;
  private files: Record<string, string> = {};
  private readonly loads = new Set<RunningLoad>();
  private progress: (e: DeployEvent) => void = () => undefined;

  constructor(private readonly out: DemoOutput) {}

  get kubeconfig(): string | undefined {
    return this.cluster?.kubeconfig;
  }

  async run(): Promise<DemoRecord> {
    const app = await this.startSandbox();
    this.act = `deploying ${VERSIONS.first}`;
    this.heading(
      `1/3  deploy sample-service ${VERSIONS.first} (blue-green, environment ${DEMO_ENVIRONMENT})`,
    );
    await this.deployVersion(app, VERSIONS.first, []);
    if (!this.deployed(VERSIONS.first)) return this.finish(app);
    const port = this.servicePort(app);
    this.say(
      `  ${this.record.service!.name} answers on http://127.0.0.1:${port}/ (the Service's local proxy port)\n`,
    );

    this.act = `blue-green to ${VERSIONS.second} under load`;
    this.heading(
      `2/3  blue-green to ${VERSIONS.second} under load (${LOAD_CONCURRENCY} requests in flight from another process, post-promotion smoke check)`,
    );
    const checked = smokeCheck(port);
    this.record.blueGreenLoad = await this.underLoad(port, () =>
      this.deployVersion(app, VERSIONS.second, checked),
    );
    this.say(`  load: ${loadLine(this.record.blueGreenLoad)}\n`);
    if (!this.deployed(VERSIONS.second)) return this.finish(app);

    this.act = `deploying the broken ${VERSIONS.broken}`;
    this.heading(
      `3/3  a broken ${VERSIONS.broken}: every request answers 500; the smoke check after the switch fails`,
    );
    let events: DeployEvent[] = [];
    this.record.brokenLoad = await this.underLoad(
      port,
      async () =>
        (events = await this.deployVersion(app, VERSIONS.broken, [
          ...checked,
          'services.web.env.ERROR_RATE=1',
        ])),
      (stats) => this.measureRollback(stats, events),
    );
    this.record.servingAfter = await versionsAnswering(port, PROBES_AFTER_ROLLBACK);
    this.say(`  load: ${loadLine(this.record.brokenLoad)}\n`);
    return this.finish(app);
  }

  private deployed(version: string): boolean {
    return this.record.releases.find((r) => r.version === version)?.outcome === 'deployed';
  }

  /** The next act needs this one's release serving; when it does not, the demo ends here with what it has. */
  private async finish(app: ResolvedApp): Promise<DemoRecord> {
    this.act = 'reading the history';
    this.record.history = await history(this.engine!, app.app, app.environment);
    return this.record;
  }

  /** Ends the load clients and the sandbox (its pods too); safe to call at any time, twice too. */
  async stop(): Promise<void> {
    for (const load of this.loads) load.kill();
    this.loads.clear();
    await this.cluster?.stop();
  }

  private async startSandbox(): Promise<ResolvedApp> {
    const t0 = performance.now();
    this.cluster = await startDemoCluster();
    this.record.sandboxUrl = this.cluster.sandbox.url;
    this.record.sandboxStartMs = Math.round(performance.now() - t0);
    // The same input pipeline as slipway deploy: load the spec, resolve the environment, read its files.
    const inputs = await loadInputs(SAMPLE_SPEC, () => [DEMO_ENVIRONMENT], 'demo');
    this.files = inputs.files;
    const app = demoApp(inputs.environments[0]!);
    const cluster = KubeCluster.fromKubeconfig({
      kubeconfig: this.cluster.kubeconfig,
      namespace: app.namespace,
    });
    this.engine = clusterContext(cluster, app.namespace, (e) => this.progress(e));
    this.say(
      `sandbox up at ${this.record.sandboxUrl} in ${this.record.sandboxStartMs} ms: API server, controllers, a kubelet running pods as local processes, a proxy per Service\n`,
    );
    return app;
  }

  /** One `slipway deploy` of the sample at `version`, with `--set` overrides; returns its events. */
  private async deployVersion(base: ResolvedApp, version: string, sets: string[]): Promise<DeployEvent[]> {
    const { app, overrides } = applyOverrides(
      base,
      [`deploy.scaleDownDelay=${SCALE_DOWN_DELAY}`, ...sets],
      [`web=sample-service:${version}`],
    );
    const events: DeployEvent[] = [];
    const print = this.out.quiet ? () => undefined : textProgress(this.out.write, this.out.tty);
    this.progress = (e) => {
      events.push(e);
      print(e);
    };
    const t0 = performance.now();
    const result = await deploy(this.engine!, { app, overrides, strategy: 'blue-green', files: this.files });
    this.progress = () => undefined;
    this.say(describeResult(result));
    this.record.releases.push({
      version,
      revision: result.release?.revision,
      outcome: result.outcome,
      durationMs: Math.round(performance.now() - t0),
      ...(result.message ? { message: result.message } : {}),
      analysis: result.analysis.map((a) => ({ name: a.name, phase: a.phase, message: a.message })),
    });
    return events;
  }

  /** Runs `work` while the load client hits the Service; the load ends LOAD_TAIL_MS after it. */
  private async underLoad(
    port: number,
    work: () => Promise<unknown>,
    measure?: (stats: LoadStats) => void,
  ): Promise<LoadReport> {
    const load = await startLoad(port, { concurrency: LOAD_CONCURRENCY });
    this.loads.add(load);
    try {
      await work();
      await new Promise((resolve) => setTimeout(resolve, LOAD_TAIL_MS));
    } finally {
      this.loads.delete(load);
    }
    const stats = await load.stop();
    measure?.(stats);
    return loadReport(stats);
  }

  private measureRollback(stats: LoadStats, events: DeployEvent[]): void {
    const steps = events.filter((e): e is Extract<DeployEvent, { type: 'step' }> => e.type === 'step');
    const failed = steps.find((e) => e.step === 'analyse' && e.status === 'failed');
    const back = steps.find(
      (e) => e.step === 'switch' && e.status === 'ok' && e.detail?.startsWith('roll back'),
    );
    const broken = stats.versions[VERSIONS.broken];
    if (failed && broken)
      this.record.lastBrokenAnswerMs = stats.startEpochMs + broken.lastMs - Date.parse(failed.at);
    if (back?.durationMs !== undefined) this.record.switchBackMs = back.durationMs;
  }

  private servicePort(app: ResolvedApp): number {
    const name = objectName(app.app, 'web');
    const port = servicePort(this.cluster!.sandbox, app.namespace, name);
    if (port === undefined)
      throw new Error(`the sandbox has no proxy port for Service ${app.namespace}/${name}`);
    this.record.service = { namespace: app.namespace, name, port };
    return port;
  }

  private heading(text: string): void {
    this.say(`\n${text}\n`);
  }

  private say(text: string): void {
    if (!this.out.quiet) this.out.write(text);
  }
}

/**
 * The sample's environment with its Prometheus error-rate check left out: the demo runs no
 * Prometheus. The demo's own check (an HTTP smoke test through the Service) comes as overrides.
 */
export function demoApp(app: ResolvedApp): ResolvedApp {
  const analysis = Object.fromEntries(
    Object.entries(app.deploy.analysis ?? {}).filter(([, spec]) => spec.prometheus === undefined),
  );
  return { ...app, deploy: { ...app.deploy, analysis } };
}

/** `--set` overrides for a post-promotion HTTP check through the Service's local port: 3 requests 1s apart, any failure fails it. */
export function smokeCheck(port: number): string[] {
  const at = 'deploy.analysis.smoke';
  return [
    `${at}.http.url=http://127.0.0.1:${port}/`,
    `${at}.http.status=200`,
    `${at}.phase=post-promotion`,
    `${at}.count=3`,
    `${at}.interval=1s`,
  ];
}

export function loadReport(stats: LoadStats): LoadReport {
  const byFirstAnswer = Object.entries(stats.versions).sort(([, a], [, b]) => a.firstMs - b.firstMs);
  return {
    requests: stats.sent,
    perSecond: stats.perSecond,
    failed: stats.failed,
    errors: stats.errors,
    versions: Object.fromEntries(byFirstAnswer.map(([v, s]) => [v, s.count])),
  };
}

export function loadLine(load: LoadReport): string {
  const versions = Object.entries(load.versions)
    .map(([v, n]) => `${v} ×${n.toLocaleString('en-US')}`)
    .join(', ');
  const errors = Object.entries(load.errors)
    .map(([reason, n]) => `${reason} ×${n.toLocaleString('en-US')}`)
    .join(', ');
  return `${load.requests.toLocaleString('en-US')} requests at ${load.perSecond.toLocaleString('en-US')}/s, ${load.failed.toLocaleString('en-US')} failed${errors ? ` (${errors})` : ''}; answered by ${versions || 'nobody'}`;
}
