/**
 * One run of a container: simulated (a timer standing in for a process) or a real local process.
 * Both answer probes, take signals and run preStop hooks, so container.ts treats them alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Clock } from '../types.js';
import type { ContainerLog } from './logs.js';
import type { ContainerSpec } from './pod-env.js';
import { execProbe, runProbe, type ProbeResult, type ProbeSpec, type ProbeTarget } from './probes.js';

export interface Exit {
  code: number;
  signal?: string;
}

export interface ContainerInstance {
  running: Promise<void>;
  exited: Promise<Exit>;
  signal(sig: 'SIGTERM' | 'SIGKILL'): void;
  probe(p: ProbeSpec): Promise<ProbeResult>;
  /** Runs the hook until it ends or `deadline`; `cut` ends a hook's sleep early (the sandbox is shutting down). */
  preStop(
    hook: NonNullable<ContainerSpec['lifecycle']>['preStop'],
    deadline: number,
    cut?: AbortSignal,
  ): Promise<void>;
}

type PreStop = NonNullable<ContainerSpec['lifecycle']>['preStop'];

/** `sleep N`, `/bin/sh -c "sleep N"`: the preStop most manifests use to let endpoints drain. */
export function sleepSeconds(command: string[] | undefined): number | undefined {
  if (!command?.length) return undefined;
  const text =
    command.length >= 3 && /(^|\/)(ba)?sh$/.test(command[0] as string) && command[1] === '-c'
      ? (command[2] as string)
      : command.join(' ');
  const m = /^\s*(?:\/bin\/|\/usr\/bin\/)?sleep\s+(\d+(?:\.\d+)?)s?\s*$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

function wait(clock: Clock, ms: number, cut?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (cut?.aborted) return done();
    const timer = clock.setTimeout(done, Math.max(0, ms));
    cut?.addEventListener('abort', () => (timer.cancel(), done()), { once: true });
  });
}

export class SimulatedInstance implements ContainerInstance {
  readonly running: Promise<void>;
  readonly exited: Promise<Exit>;
  private finish!: (e: Exit) => void;
  private startTimer: { cancel(): void };
  private doneTimer: { cancel(): void } | undefined;

  constructor(
    private readonly clock: Clock,
    startupMs: number,
    /** For run-to-completion pods (Jobs): exit after this long with this code. */
    completion: { afterMs: number; code: number } | undefined,
    log: ContainerLog,
    name: string,
  ) {
    this.exited = new Promise((done) => (this.finish = done));
    this.running = new Promise((done) => {
      this.startTimer = clock.setTimeout(() => {
        log.write(`sandbox: simulated container ${name} started\n`);
        done();
        if (completion) {
          this.doneTimer = clock.setTimeout(() => {
            log.write(`sandbox: simulated container ${name} exited with code ${completion.code}\n`);
            this.finish({ code: completion.code });
          }, completion.afterMs);
        }
      }, startupMs);
    });
    this.startTimer ??= { cancel() {} };
  }

  signal(sig: 'SIGTERM' | 'SIGKILL'): void {
    this.startTimer.cancel();
    this.doneTimer?.cancel();
    this.finish(sig === 'SIGKILL' ? { code: 137, signal: 'SIGKILL' } : { code: 0 });
  }

  /** A simulated container passes every probe; readiness timing comes from the probe's settings. */
  probe(): Promise<ProbeResult> {
    return Promise.resolve({ ok: true });
  }

  async preStop(hook: PreStop, deadline: number, cut?: AbortSignal): Promise<void> {
    const secs = hook?.sleep?.seconds ?? sleepSeconds(hook?.exec?.command);
    if (secs !== undefined)
      await wait(this.clock, Math.min(secs * 1000, deadline - this.clock.now().getTime()), cut);
  }
}

export interface ProcessPlan {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  target: ProbeTarget;
}

export class ProcessInstance implements ContainerInstance {
  readonly running: Promise<void>;
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;

  constructor(
    private readonly clock: Clock,
    private readonly plan: ProcessPlan,
    log: ContainerLog,
  ) {
    // Its own process group, as a container's processes share one: SIGKILL and the container's end
    // take every process it started (a database wrapper's server too), SIGTERM goes to the main one.
    this.child = spawn(plan.argv[0] as string, plan.argv.slice(1), {
      cwd: plan.cwd,
      env: plan.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    this.child.stdout?.on('data', (d: Buffer) => log.write(d));
    this.child.stderr?.on('data', (d: Buffer) => log.write(d));
    this.running = new Promise((done) => this.child.once('spawn', () => done()));
    this.exited = new Promise((done) => {
      this.child.once('error', (e) => {
        log.write(`sandbox: cannot start ${plan.argv[0]}: ${e.message}\n`);
        done({ code: 128 });
      });
      this.child.once('exit', (code, signal) => {
        this.killGroup();
        done({ code: code ?? 0, ...(signal ? { signal } : {}) });
      });
    });
  }

  signal(sig: 'SIGTERM' | 'SIGKILL'): void {
    if (sig === 'SIGKILL') this.killGroup();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(sig);
  }

  private killGroup(): void {
    if (process.platform === 'win32' || !this.child.pid) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // ESRCH: nothing left in the group.
    }
  }

  probe(p: ProbeSpec): Promise<ProbeResult> {
    return runProbe(p, this.plan.target);
  }

  async preStop(hook: PreStop, deadline: number, cut?: AbortSignal): Promise<void> {
    if (!hook) return;
    const left = Math.max(0, deadline - this.clock.now().getTime());
    if (hook.sleep) await wait(this.clock, Math.min(hook.sleep.seconds * 1000, left), cut);
    else if (hook.exec?.command?.length) {
      // A sleep is honoured as a sleep (the container image's shell is not on this machine); other commands run for real.
      const secs = sleepSeconds(hook.exec.command);
      if (secs !== undefined) await wait(this.clock, Math.min(secs * 1000, left), cut);
      else await execProbe(hook.exec.command, this.plan.target, left);
    } else if (hook.httpGet)
      await runProbe(
        { httpGet: hook.httpGet, timeoutSeconds: Math.max(1, Math.floor(left / 1000)) },
        this.plan.target,
      );
  }
}
