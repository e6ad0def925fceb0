/**
 * One container of a pod across its restarts: pulls (or fails to: ErrImagePull/ImagePullBackOff),
 * runs an instance (a simulated one or a real process, see instance.ts), tracks readiness from its
 * probes and faults, kills it on liveness failure and restarts it per restartPolicy with a
 * CrashLoopBackOff-style doubling delay (kubelet's backoff, 10s→5min upstream; shorter here and
 * configurable).
 */
import { rfc3339 } from '@slipway/kube';
import type { Clock } from '../types.js';
import type { SandboxConfig } from './config.js';
import type { Faults } from './faults.js';
import { HostToolMissingError } from './host-tools.js';
import type { ContainerInstance } from './instance.js';
import { ContainerLog } from './logs.js';
import type { ContainerSpec } from './pod-env.js';
import type { ProbeSpec } from './probes.js';

export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: {
    exitCode: number;
    reason: string;
    signal?: number;
    startedAt?: string;
    finishedAt: string;
    message?: string;
  };
}

export interface ContainerHost {
  clock: Clock;
  config: SandboxConfig;
  faults: Faults;
  restartPolicy: string;
  /** terminationGracePeriodSeconds: how long a container killed for failing liveness gets. */
  graceSeconds: number;
  imageMissing: boolean;
  /** Starts one instance; throws ContainerConfigError when env/volumes cannot be built yet. */
  launch(c: ContainerSpec, log: ContainerLog): ContainerInstance;
  changed(): void;
  /** Records a kubelet Event about the pod (Pulled, Started, Unhealthy, BackOff, Killing...). */
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

type Timer = { cancel(): void };

export class Container {
  state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  lastState: ContainerState = {};
  ready = false;
  started = false;
  restartCount = 0;
  readonly log = new ContainerLog();
  /** True once the container exited for good (restartPolicy says no more runs). */
  finished = false;
  private instance: ContainerInstance | undefined;
  private timers: Timer[] = [];
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private readonly cut = new AbortController();
  private probeRun = 0;

  constructor(
    readonly spec: ContainerSpec,
    private readonly host: ContainerHost,
  ) {}

  start(): void {
    if (this.host.imageMissing) return this.pull(1);
    this.run();
  }

  /** A pull that fails, again and again with a doubling back-off, as the kubelet's image manager retries it. */
  private pull(attempt: number): void {
    if (this.stopping) return;
    const why = `failed to pull image "${this.spec.image}": not found in the sandbox (configured as missing)`;
    this.set({ waiting: { reason: 'ErrImagePull', message: why } });
    this.host.event(
      'Warning',
      'Failed',
      `Failed to pull image "${this.spec.image}": not found in the sandbox (configured as missing)`,
    );
    const { initialMs, maxMs } = this.host.config.crashLoopBackoff;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(20, attempt - 1));
    this.after(Math.min(delay, initialMs), () => {
      this.set({
        waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${this.spec.image}"` },
      });
      this.host.event('Normal', 'BackOff', `Back-off pulling image "${this.spec.image}"`);
      this.after(delay, () => this.pull(attempt + 1));
    });
  }

  /**
   * preStop, then SIGTERM, then SIGKILL at `deadline` (ms since epoch on the sandbox clock). A
   * second call with a deadline already past (the sandbox shutting down while a pod terminates
   * gracefully) cuts the first one short: the preStop sleep ends and the process is killed.
   */
  stop(deadline: number): Promise<void> {
    if (this.stopped) {
      if (deadline <= this.host.clock.now().getTime()) this.cut.abort();
      return this.stopped;
    }
    this.stopped = this.stopNow(deadline);
    return this.stopped;
  }

  private async stopNow(deadline: number): Promise<void> {
    this.stopping = true;
    this.cancelTimers();
    this.ready = false;
    const inst = this.instance;
    if (!inst) return;
    this.host.event('Normal', 'Killing', `Stopping container ${this.spec.name}`);
    await inst.preStop(this.spec.lifecycle?.preStop, deadline, this.cut.signal);
    inst.signal('SIGTERM');
    const left = Math.max(0, deadline - this.host.clock.now().getTime());
    const killTimer = this.host.clock.setTimeout(() => inst.signal('SIGKILL'), left);
    const kill = () => inst.signal('SIGKILL');
    this.cut.signal.addEventListener('abort', kill, { once: true });
    if (this.cut.signal.aborted) kill();
    await inst.exited;
    killTimer.cancel();
    this.cut.signal.removeEventListener('abort', kill);
  }

  private run(): void {
    if (this.stopping) return;
    let inst: ContainerInstance;
    try {
      inst = this.host.launch(this.spec, this.log);
    } catch (e) {
      // A missing host program is CreateContainerError; a missing ConfigMap/Secret key CreateContainerConfigError.
      const reason =
        e instanceof HostToolMissingError ? 'CreateContainerError' : 'CreateContainerConfigError';
      this.set({ waiting: { reason, message: (e as Error).message } });
      this.host.event('Warning', 'Failed', `Error: ${(e as Error).message}`);
      this.after(this.host.config.crashLoopBackoff.initialMs, () => this.run());
      return;
    }
    this.instance = inst;
    this.host.event('Normal', 'Pulled', `Container image "${this.spec.image}" already present on machine`);
    this.host.event('Normal', 'Created', `Created container: ${this.spec.name}`);
    const startedAt = this.host.clock.now();
    const run = ++this.probeRun;
    inst.exited.then((exit) => this.onExit(run, startedAt, exit));
    inst.running.then(() => {
      if (run !== this.probeRun || this.stopping) return;
      this.set({ running: { startedAt: rfc3339(startedAt) } });
      this.host.event('Normal', 'Started', `Started container ${this.spec.name}`);
      const probing = () => {
        this.started = true;
        this.host.changed();
        this.startReadiness(run);
        this.startLiveness(run, inst);
      };
      // A startupProbe holds readiness and liveness back until it passes; failing it kills the container (prober/worker.go).
      const startup = this.spec.startupProbe;
      if (!startup) probing();
      else
        this.probeLoop(
          run,
          startup,
          (ok) => {
            if (ok) probing();
            else this.kill(inst, 'startup');
            return true;
          },
          'Startup',
        );
      const crash = this.host.faults.crashAfterMs;
      if (crash !== undefined) this.after(crash, () => run === this.probeRun && inst.signal('SIGKILL'));
    });
  }

  private onExit(run: number, startedAt: Date, exit: { code: number; signal?: string }): void {
    if (run !== this.probeRun) return;
    this.probeRun++;
    this.cancelTimers();
    this.instance = undefined;
    this.ready = false;
    this.started = false;
    const code = exit.signal === 'SIGKILL' ? 137 : exit.signal === 'SIGTERM' ? 143 : exit.code;
    const terminated = {
      exitCode: code,
      reason: code === 0 ? 'Completed' : 'Error',
      startedAt: rfc3339(startedAt),
      finishedAt: rfc3339(this.host.clock.now()),
    };
    const policy = this.host.restartPolicy;
    const restart = !this.stopping && (policy === 'Always' || (policy === 'OnFailure' && code !== 0));
    if (!restart) {
      this.finished = true;
      this.set({ terminated });
      return;
    }
    this.lastState = { terminated };
    this.restartCount++;
    this.log.rotate();
    const { initialMs, maxMs } = this.host.config.crashLoopBackoff;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(20, this.restartCount - 1));
    this.set({
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.spec.name}`,
      },
    });
    this.host.event('Warning', 'BackOff', `Back-off restarting failed container ${this.spec.name}`);
    this.after(delay, () => this.run());
  }

  /** Readiness: no probe means ready once running; faults override the probe (never-ready, flapping). */
  private startReadiness(run: number): void {
    const probe = this.spec.readinessProbe;
    const faults = this.host.faults;
    if (faults.neverReady) return this.setReady(false);
    const flap = (ready: boolean) => {
      if (faults.flapMs === undefined) return;
      this.after(faults.flapMs, () => {
        if (run !== this.probeRun) return;
        this.setReady(!ready);
        flap(!ready);
      });
    };
    if (!probe) {
      this.setReady(true);
      flap(true);
      return;
    }
    if (faults.flapMs !== undefined) {
      this.after((probe.initialDelaySeconds ?? 0) * 1000, () => {
        this.setReady(true);
        flap(true);
      });
      return;
    }
    this.probeLoop(run, probe, (ok) => this.setReady(ok), 'Readiness');
  }

  private startLiveness(run: number, inst: ContainerInstance): void {
    const probe = this.spec.livenessProbe;
    if (!probe) return;
    this.probeLoop(run, probe, (ok) => {
      if (ok) return;
      this.kill(inst, 'liveness');
    });
  }

  private kill(inst: ContainerInstance, probe: 'liveness' | 'startup'): void {
    this.log.write(`sandbox: ${probe} probe failed, restarting container ${this.spec.name}\n`);
    this.host.event(
      'Normal',
      'Killing',
      `Container ${this.spec.name} failed ${probe} probe, will be restarted`,
    );
    inst.signal('SIGTERM');
    this.after(this.host.graceSeconds * 1000, () => inst.signal('SIGKILL'));
  }

  /** prober/worker.go: first probe after initialDelaySeconds, then every periodSeconds; thresholds flip the result. */
  /** `report` returning true ends the loop (a startup probe stops once it has decided). */
  private probeLoop(
    run: number,
    probe: ProbeSpec,
    report: (ok: boolean) => boolean | void,
    kind = 'Liveness',
  ): void {
    const period = (probe.periodSeconds ?? 10) * 1000;
    const success = probe.successThreshold ?? 1;
    const failure = probe.failureThreshold ?? 3;
    let ok = 0;
    let bad = 0;
    const tick = () => {
      if (run !== this.probeRun || !this.instance) return;
      void this.instance.probe(probe).then((result) => {
        if (run !== this.probeRun) return;
        if (result.ok) {
          ok++;
          bad = 0;
          if (ok >= success && report(true)) return;
        } else {
          bad++;
          ok = 0;
          this.host.event(
            'Warning',
            'Unhealthy',
            `${kind} probe failed${result.output ? `: ${result.output}` : ''}`,
          );
          if (bad >= failure && report(false)) return;
        }
        this.after(period, tick);
      });
    };
    this.after((probe.initialDelaySeconds ?? 0) * 1000, tick);
  }

  private setReady(ready: boolean): void {
    if (this.ready === ready) return;
    this.ready = ready;
    this.host.changed();
  }

  private set(state: ContainerState): void {
    this.state = state;
    this.host.changed();
  }

  private after(ms: number, fn: () => void): void {
    const t = this.host.clock.setTimeout(() => {
      this.timers = this.timers.filter((x) => x !== t);
      fn();
    }, ms);
    this.timers.push(t);
  }

  private cancelTimers(): void {
    for (const t of this.timers.splice(0)) t.cancel();
  }
}
