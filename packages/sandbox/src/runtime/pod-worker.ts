/**
 * One pod on the sandbox node: builds its containers (real process when the image is mapped in the
 * sandbox config, simulated otherwise), writes the pod status the way the kubelet's status manager
 * does (phase, PodScheduled/Initialized/ContainersReady/Ready, containerStatuses, podIP), and stops
 * it gracefully on deletion (preStop, SIGTERM, SIGKILL at the end of the grace period).
 */
import { type KubeObject, rfc3339 } from '@slipway/kube';
import { join } from 'node:path';
import { rmSync, mkdirSync } from 'node:fs';
import type { Clock, ObjectStore, ServicePort } from '../types.js';
import type { EventSink } from '../controllers/events.js';
import {
  setCondition,
  spec,
  status,
  updateWithRetry,
  type Condition,
  type Kinds,
} from '../controllers/objects.js';
import { isMissingImage, parseImage, ruleFor, type SandboxConfig } from './config.js';
import { Container, type ContainerState } from './container.js';
import { FAULT_ANNOTATION, parseFaults, type Faults } from './faults.js';
import { ProcessInstance, SimulatedInstance, type ContainerInstance } from './instance.js';
import type { ContainerLog } from './logs.js';
import { containerEnv, expandVars, materialiseVolumes, rewriteArg, type ContainerSpec } from './pod-env.js';
import { rewriteServiceAddresses } from './addresses.js';
import { checkProgram, checkRequires, hostVersion, versionSubstitution } from './host-tools.js';

export const RUN_SECONDS_ANNOTATION = 'sandbox.slipway.dev/run-seconds';
export const EXIT_CODE_ANNOTATION = 'sandbox.slipway.dev/exit-code';
export const DEFAULT_RUN_SECONDS = 1;
/** Environment a process container inherits from the sandbox host; nothing else leaks in. */
const HOST_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT'];

export interface KubeletContext {
  store: ObjectStore;
  k: Kinds;
  clock: Clock;
  config: SandboxConfig;
  dataDir: string;
  log: (line: string) => void;
  freePort(): Promise<number>;
  events?: EventSink;
  /** The Service proxy's ports, for rewriting `<service>.<ns>.svc:<port>` in a process container's env and args. */
  servicePorts?: () => ServicePort[];
}

export class PodWorker {
  readonly containers: Container[] = [];
  readonly initContainers: Container[] = [];
  private initIndex = 0;
  private initRunning = false;
  private mainStarted = false;
  private terminating = false;
  /** containerPort → loopback port of the process serving it. */
  readonly ports = new Map<number, number>();
  readonly faults: Faults;
  private readonly podDir: string;
  private writeScheduled = false;
  private stopped = false;
  private readonly startTime: string;

  constructor(
    private readonly ctx: KubeletContext,
    private pod: KubeObject,
    readonly podIP: string,
  ) {
    this.podDir = join(ctx.dataDir, 'pods', pod.metadata.uid as string);
    this.startTime = rfc3339(ctx.clock.now());
    const image = this.containerSpecs()[0]?.image ?? '';
    const parsed = parseFaults(
      ruleFor(ctx.config, image)?.faults,
      pod.metadata.annotations?.[FAULT_ANNOTATION],
    );
    for (const p of parsed.problems)
      ctx.log(`kubelet: pod ${pod.metadata.namespace}/${pod.metadata.name}: ${p}`);
    this.faults = parsed.faults;
  }

  get uid(): string {
    return this.pod.metadata.uid as string;
  }

  get isProcess(): boolean {
    return this.containerSpecs().some((c) => !!ruleFor(this.ctx.config, c.image ?? '')?.command);
  }

  async start(): Promise<void> {
    const specs = this.containerSpecs();
    for (let i = 0; i < specs.length; i++) {
      const c = specs[i] as ContainerSpec;
      if (!ruleFor(this.ctx.config, c.image ?? '')?.command) continue;
      for (const p of c.ports ?? [])
        if (!this.ports.has(p.containerPort)) this.ports.set(p.containerPort, await this.ctx.freePort());
      if (!(c.ports ?? []).length) this.ports.set(-i - 1, await this.ctx.freePort());
    }
    if (this.stopped) return;
    const restartPolicy = spec<{ restartPolicy?: string }>(this.pod).restartPolicy ?? 'Always';
    // Init containers run one after another to completion; a failed one is retried unless the pod's policy is Never (kuberuntime computeInitContainerActions).
    for (const c of spec<{ initContainers?: ContainerSpec[] }>(this.pod).initContainers ?? []) {
      this.initContainers.push(this.container(c, restartPolicy === 'Never' ? 'Never' : 'OnFailure', true));
    }
    for (const c of specs) this.containers.push(this.container(c, restartPolicy, false));
    for (const c of this.containers)
      if (this.initContainers.length) c.state = { waiting: { reason: 'PodInitializing' } };
    this.scheduleWrite();
    this.nextInit();
  }

  private container(c: ContainerSpec, restartPolicy: string, init: boolean): Container {
    return new Container(c, {
      clock: this.ctx.clock,
      config: this.ctx.config,
      faults: init ? { neverReady: false } : this.faults,
      restartPolicy,
      graceSeconds:
        spec<{ terminationGracePeriodSeconds?: number }>(this.pod).terminationGracePeriodSeconds ?? 30,
      imageMissing: isMissingImage(this.ctx.config, c.image ?? ''),
      launch: (cs, log) => this.launch(cs, log, init),
      changed: () => {
        if (init) this.nextInit();
        this.scheduleWrite();
      },
      event: (type, reason, message) => this.ctx.events?.record(this.pod, type, reason, message),
    });
  }

  /** Starts the next init container, or the main containers once every init container succeeded. */
  private nextInit(): void {
    if (this.stopped || this.terminating || this.mainStarted) return;
    const current = this.initContainers[this.initIndex];
    if (current) {
      if (!current.finished) {
        if (!this.initRunning) {
          this.initRunning = true;
          current.start();
        }
        return;
      }
      if (current.state.terminated?.exitCode !== 0) return; // pod Failed (restartPolicy Never)
      this.initIndex++;
      this.initRunning = false;
      return this.nextInit();
    }
    this.mainStarted = true;
    for (const c of this.containers) c.start();
  }

  /** Loopback address of a container port, for probes and the Service proxy (process pods only). */
  resolve(c: ContainerSpec | undefined, port: number | string): { host: string; port: number } | undefined {
    let n = typeof port === 'number' ? port : /^\d+$/.test(port) ? Number(port) : undefined;
    if (n === undefined) {
      for (const spec of c ? [c] : this.containerSpecs())
        for (const p of spec.ports ?? []) if (p.name === port) n = p.containerPort;
    }
    if (n === undefined) return undefined;
    const local = this.ports.get(n) ?? this.primaryPort(c);
    return local === undefined ? undefined : { host: '127.0.0.1', port: local };
  }

  isReady(): boolean {
    return this.containers.length > 0 && this.containers.every((c) => c.ready);
  }

  async terminate(graceSeconds: number): Promise<void> {
    const deadline = this.ctx.clock.now().getTime() + graceSeconds * 1000;
    this.terminating = true;
    await Promise.all([...this.initContainers, ...this.containers].map((c) => c.stop(deadline)));
    this.stopped = true;
    rmSync(this.podDir, { recursive: true, force: true });
  }

  logs(container: string | undefined, opts: { tailLines?: number; previous?: boolean }): string | undefined {
    const c = container
      ? [...this.containers, ...this.initContainers].find((x) => x.spec.name === container)
      : this.containers[0];
    return c?.log.text(opts);
  }

  private containerSpecs(): ContainerSpec[] {
    return spec<{ containers?: ContainerSpec[] }>(this.pod).containers ?? [];
  }

  private primaryPort(c: ContainerSpec | undefined): number | undefined {
    const specs = this.containerSpecs();
    const i = c ? specs.indexOf(c) : 0;
    const first = specs[i]?.ports?.[0]?.containerPort;
    return first !== undefined ? this.ports.get(first) : this.ports.get(-i - 1);
  }

  private launch(c: ContainerSpec, log: ContainerLog, init: boolean): ContainerInstance {
    const rule = ruleFor(this.ctx.config, c.image ?? '');
    if (!rule?.command) {
      const restartPolicy = spec<{ restartPolicy?: string }>(this.pod).restartPolicy ?? 'Always';
      const a = this.pod.metadata.annotations ?? {};
      const completion =
        restartPolicy === 'Always' && !init
          ? undefined
          : {
              afterMs: Number(a[RUN_SECONDS_ANNOTATION] ?? DEFAULT_RUN_SECONDS) * 1000,
              code: Number(a[EXIT_CODE_ANNOTATION] ?? 0),
            };
      return new SimulatedInstance(
        this.ctx.clock,
        this.ctx.config.simulated.startupMs,
        completion,
        log,
        c.name,
      );
    }
    mkdirSync(this.podDir, { recursive: true });
    const mounts = materialiseVolumes(this.ctx.store, this.ctx.k, this.pod, c, this.podDir);
    const own = containerEnv(this.ctx.store, this.ctx.k, this.pod, c, this.podIP, mounts);
    const namespace = this.pod.metadata.namespace as string;
    const servicePorts = this.ctx.servicePorts?.() ?? [];
    const address = (v: string) => rewriteServiceAddresses(v, namespace, servicePorts);
    for (const [key, v] of Object.entries(own)) own[key] = address(v);
    // command/args as the kubelet passes them ($(VAR) from the container's env), adapted to the host.
    const containerArgv = (argv: string[] | undefined) =>
      (argv ?? []).map((a) => address(rewriteArg(expandVars(a, own), mounts)));
    const port = String(this.primaryPort(c) ?? '');
    const vars: Record<string, string> = {
      tag: parseImage(c.image ?? '').tag,
      port,
      podDir: this.podDir,
      podIP: this.podIP,
      dataDir: this.ctx.dataDir,
    };
    const subst = (s: string) =>
      s.replace(/\$\{(tag|port|podDir|podIP|dataDir)\}/g, (_, n: string) => vars[n] as string);
    const env: Record<string, string> = {};
    for (const key of HOST_ENV) if (process.env[key] !== undefined) env[key] = process.env[key] as string;
    // A tool image's container that names its own command runs just that, with the pod's env.
    const ownCommand = !!rule.hostCommand && !!c.command?.length;
    // The rule's env wins over the pod's: PORT must be the allocated loopback port, not the containerPort.
    Object.assign(
      env,
      own,
      ownCommand ? {} : Object.fromEntries(Object.entries(rule.env ?? {}).map(([key, v]) => [key, subst(v)])),
      { SANDBOX_POD_DIR: this.podDir },
    );
    if (this.faults.errorRate !== undefined) env.ERROR_RATE = String(this.faults.errorRate);
    const argv = ownCommand
      ? containerArgv([...(c.command ?? []), ...(c.args ?? [])])
      : [...rule.command.map(subst), ...(rule.hostCommand ? containerArgv(c.args) : [])];
    const image = c.image ?? '';
    if (ownCommand) checkProgram(rule, image, argv[0] as string, env.PATH);
    else checkRequires(rule, image, env.PATH);
    const version = hostVersion(rule, env.PATH);
    const substituted = version && versionSubstitution(rule, image, vars.tag as string, version);
    if (substituted) this.ctx.events?.record(this.pod, 'Warning', 'ImageVersionSubstituted', substituted);
    const cwd = (ownCommand ? undefined : rule.cwd) ?? this.podDir;
    // Exec probes and hooks: a declared containerPort means the allocated port on this host.
    const declared = new Map((c.ports ?? []).map((p) => [String(p.containerPort), p.containerPort]));
    const execArgv = (command: string[]) =>
      command.map((a) => {
        const n = declared.get(a);
        const local = n === undefined ? undefined : this.ports.get(n);
        return local !== undefined ? String(local) : rewriteArg(a, mounts);
      });
    return new ProcessInstance(
      this.ctx.clock,
      {
        argv,
        env,
        cwd,
        target: { resolve: (p) => this.resolve(c, p), exec: { env, cwd, argv: execArgv } },
      },
      log,
    );
  }

  private scheduleWrite(): void {
    if (this.writeScheduled || this.stopped) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      if (this.stopped) return;
      try {
        const stored = updateWithRetry(
          this.ctx.store,
          this.ctx.k.pod,
          this.pod.metadata.namespace,
          this.pod.metadata.name as string,
          (p) => {
            p.status = this.status(p);
          },
          { subresource: 'status', uid: this.uid },
        );
        if (stored) this.pod = stored;
      } catch (e) {
        this.ctx.log(
          `kubelet: status of ${this.pod.metadata.namespace}/${this.pod.metadata.name}: ${(e as Error).message}`,
        );
      }
    });
  }

  private status(current: KubeObject): Record<string, unknown> {
    const now = rfc3339(this.ctx.clock.now());
    const cs = this.containers;
    const allReady = cs.length > 0 && cs.every((c) => c.ready);
    const initFailed = this.initContainers.some((c) => c.finished && c.state.terminated?.exitCode !== 0);
    const initialized = this.initContainers.every((c) => c.finished && c.state.terminated?.exitCode === 0);
    const finished = cs.length > 0 && cs.every((c) => c.finished);
    const phase = initFailed
      ? 'Failed'
      : finished
        ? cs.every((c) => c.state.terminated?.exitCode === 0)
          ? 'Succeeded'
          : 'Failed'
        : cs.some((c) => c.state.running || c.restartCount > 0 || c.state.terminated)
          ? 'Running'
          : 'Pending';
    const notReady = cs.filter((c) => !c.ready).map((c) => c.spec.name);
    const reason = finished ? 'PodCompleted' : 'ContainersNotReady';
    let conditions = [...(status<{ conditions?: Condition[] }>(current).conditions ?? [])];
    const cond = (type: string, ok: boolean, why?: string, message?: string) => {
      conditions = setCondition(
        conditions,
        { type, status: ok ? 'True' : 'False', lastProbeTime: null, ...(ok ? {} : { reason: why, message }) },
        now,
      );
    };
    cond('PodReadyToStartContainers', true);
    const pendingInit = this.initContainers
      .filter((c) => !(c.finished && c.state.terminated?.exitCode === 0))
      .map((c) => c.spec.name);
    cond(
      'Initialized',
      initialized,
      'ContainersNotInitialized',
      `containers with incomplete status: [${pendingInit.join(' ')}]`,
    );
    cond('ContainersReady', allReady, reason, `containers with unready status: [${notReady.join(' ')}]`);
    cond('Ready', allReady, reason, `containers with unready status: [${notReady.join(' ')}]`);
    cond('PodScheduled', true);
    return {
      phase,
      conditions,
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP: this.podIP,
      podIPs: [{ ip: this.podIP }],
      startTime: this.startTime,
      qosClass: 'BestEffort',
      ...(this.initContainers.length
        ? {
            initContainerStatuses: this.initContainers.map((c, i) =>
              containerStatus(c, `${this.uid.slice(0, 8)}-init${i}`),
            ),
          }
        : {}),
      containerStatuses: cs.map((c, i) => ({
        name: c.spec.name,
        image: c.spec.image,
        imageID:
          c.state.waiting?.reason === 'ErrImagePull' || c.state.waiting?.reason === 'ImagePullBackOff'
            ? ''
            : `sandbox://${c.spec.image}`,
        containerID:
          c.state.running || c.state.terminated
            ? `sandbox://${this.uid.slice(0, 8)}-${i}-${c.restartCount}`
            : undefined,
        ready: c.ready,
        started: c.started,
        restartCount: c.restartCount,
        state: stateOf(c.state),
        lastState: stateOf(c.lastState),
      })),
    };
  }
}

function containerStatus(c: Container, id: string): Record<string, unknown> {
  return {
    name: c.spec.name,
    image: c.spec.image,
    imageID: `sandbox://${c.spec.image}`,
    ...(c.state.running || c.state.terminated ? { containerID: `sandbox://${id}-${c.restartCount}` } : {}),
    ready: c.state.terminated?.exitCode === 0,
    started: !!c.state.running,
    restartCount: c.restartCount,
    state: stateOf(c.state),
    lastState: stateOf(c.lastState),
  };
}

function stateOf(s: ContainerState): Record<string, unknown> {
  return JSON.parse(JSON.stringify(s)) as Record<string, unknown>;
}
