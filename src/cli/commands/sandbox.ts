/**
 * `slipway sandbox up|down|status`: a local Kubernetes-API-compatible cluster for rehearsing
 * deploys. `up` serves HTTPS with a generated CA and bearer token and merges a `slipway-sandbox`
 * context into $KUBECONFIG (or ~/.kube/config) without touching other contexts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse } from '#yaml';
import { EXIT_FAILED, UserError } from '../../errors.js';
import {
  clearState,
  getJson,
  isAlive,
  readState,
  servicePorts,
  stateDir,
  stopProcess,
  type SandboxState,
  kubeconfigPath,
  mergeSandboxKubeconfig,
  removeSandboxKubeconfig,
  SANDBOX_CONTEXT,
  startDetached,
  startError,
  serveSandbox,
} from '@slipway/sandbox';
import {
  outputOption,
  parseOutput,
  structured,
  type CommandContext,
  type RegisterCommand,
} from '../command.js';

interface UpOptions {
  port?: string;
  dataDir?: string;
  detach?: boolean;
  runtime: boolean;
  config?: string;
  auditLog?: string;
  output?: string;
}

function homeOf(ctx: CommandContext): string {
  return ctx.io.env.HOME || homedir();
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`expected a number from 0 to 65535, got ${JSON.stringify(value)}`, {
      code: 'sandbox.bad-port',
      path: '--port',
    });
  }
  return port;
}

/**
 * Where one sandbox keeps its state: the sandbox started without --data-dir in the state root
 * ($SLIPWAY_SANDBOX_HOME or ~/.slipway/sandbox), each one with a data directory in a folder of the
 * root named after that directory, so two projects (or two test runs) each have their own and
 * `status`/`down --data-dir DIR` name which.
 */
function sandboxDir(ctx: CommandContext, dataDir: string | undefined): string {
  const root = stateDir(ctx.io.env, homeOf(ctx));
  if (!dataDir) return root;
  const abs = resolve(ctx.io.cwd, dataDir);
  return join(root, `data-${createHash('sha256').update(abs).digest('hex').slice(0, 16)}`);
}

/** Every running sandbox: the default one, then those keyed by a data directory. */
function runningSandboxes(ctx: CommandContext): SandboxState[] {
  const root = stateDir(ctx.io.env, homeOf(ctx));
  const keyed = existsSync(root)
    ? readdirSync(root)
        .filter((e) => e.startsWith('data-'))
        .map((e) => join(root, e))
    : [];
  return [root, ...keyed].flatMap((dir) => runningState(dir) ?? []);
}

function runningState(dir: string): SandboxState | undefined {
  const state = readState(dir);
  if (state && isAlive(state.pid)) return state;
  if (state) clearState(dir, state.pid);
  return undefined;
}

function writeKubeconfig(ctx: CommandContext, state: SandboxState): string {
  const path = kubeconfigPath(ctx.io.env, homeOf(ctx));
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '';
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    mergeSandboxKubeconfig(
      existing,
      { url: state.url, caCert: state.caCert, token: state.token },
      { setCurrent: true },
    ),
    { mode: 0o600 },
  );
  return path;
}

function usage(ctx: CommandContext, state: SandboxState, kubeconfig: string, opts: UpOptions): void {
  if (parseOutput(opts.output) === 'json') {
    ctx.io.out(
      JSON.stringify({
        url: state.url,
        port: state.port,
        pid: state.pid,
        context: SANDBOX_CONTEXT,
        kubeconfig,
        runtime: state.runtime,
        ...(opts.auditLog ? { auditLog: resolve(ctx.io.cwd, opts.auditLog) } : {}),
      }) + '\n',
    );
    return;
  }
  ctx.io.out(
    [
      `Sandbox API server at ${state.url} (pid ${state.pid})${state.runtime ? '' : ' — no controllers or kubelet: pods are stored but never run'}`,
      `kubeconfig: context "${SANDBOX_CONTEXT}" written to ${kubeconfig} and made current`,
      ...(opts.auditLog
        ? [`audit log: ${resolve(ctx.io.cwd, opts.auditLog)} (one audit.k8s.io/v1 Event a line)`]
        : []),
      '',
      `  kubectl --context ${SANDBOX_CONTEXT} get nodes`,
      `  slipway sandbox status${opts.dataDir ? ` --data-dir ${opts.dataDir}` : ''}`,
      `  slipway sandbox down${opts.dataDir ? ` --data-dir ${opts.dataDir}` : ''}`,
      '',
    ].join('\n'),
  );
}

function serveOptions(ctx: CommandContext, dir: string, opts: UpOptions) {
  const path = (p: string | undefined) => (p ? resolve(ctx.io.cwd, p) : undefined);
  if (opts.config && !existsSync(path(opts.config) as string)) {
    throw new UserError(`the sandbox config ${opts.config} does not exist`, {
      code: 'sandbox.config-missing',
      path: '--config',
    });
  }
  const auditLog = path(opts.auditLog);
  if (auditLog) {
    const folder = dirname(auditLog);
    if (!existsSync(folder) || !statSync(folder).isDirectory())
      throw new UserError(`the folder of the audit log ${opts.auditLog} does not exist`, {
        code: 'sandbox.audit-log-folder',
        path: '--audit-log',
        hint: `create ${folder} first, or name a file in a folder that exists`,
      });
    if (existsSync(auditLog) && statSync(auditLog).isDirectory())
      throw new UserError(`the audit log ${opts.auditLog} is a directory`, {
        code: 'sandbox.audit-log-directory',
        path: '--audit-log',
        hint: 'name a file; audit events are appended to it, one JSON line each',
      });
  }
  return {
    port: parsePort(opts.port),
    dataDir: path(opts.dataDir),
    configFile: path(opts.config),
    ...(auditLog ? { auditLog } : {}),
    runtime: opts.runtime,
    stateDir: dir,
  };
}

async function up(ctx: CommandContext, opts: UpOptions): Promise<void> {
  const dir = sandboxDir(ctx, opts.dataDir);
  const running = runningState(dir);
  if (running) {
    const which = opts.dataDir ? ` --data-dir ${opts.dataDir}` : '';
    throw new UserError(
      `a sandbox${which ? ` for ${opts.dataDir}` : ''} is already running at ${running.url} (pid ${running.pid})`,
      {
        code: 'sandbox.already-running',
        hint: `run \`slipway sandbox down${which}\` first, or use it as it is`,
        exitCode: EXIT_FAILED,
      },
    );
  }
  if (opts.detach) {
    const state = await startDetached(serveOptions(ctx, dir, opts), ctx.io);
    usage(ctx, state, writeKubeconfig(ctx, state), opts);
    return;
  }
  const serve = serveOptions(ctx, dir, opts);
  const served = await serveSandbox(serve).catch((e: unknown) => {
    throw startError(e, serve.port) ?? e;
  });
  const kubeconfig = writeKubeconfig(ctx, served.state);
  usage(ctx, served.state, kubeconfig, opts);
  if (parseOutput(opts.output) !== 'json') ctx.io.out('Serving in the foreground; Ctrl-C stops it.\n');
  await served.stopped;
  dropKubeconfigContext(ctx, served.state.url);
}

/** Removes the context, unless it now points at another sandbox (started later, with another data directory). */
function dropKubeconfigContext(ctx: CommandContext, url: string | undefined): void {
  const path = kubeconfigPath(ctx.io.env, homeOf(ctx));
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const config = (parse(text) ?? {}) as {
    clusters?: Array<{ name?: string; cluster?: { server?: string } }>;
  };
  const server = config.clusters?.find((c) => c.name === SANDBOX_CONTEXT)?.cluster?.server;
  if (url && server && server !== url) return;
  writeFileSync(path, removeSandboxKubeconfig(text), { mode: 0o600 });
}

async function answers(state: SandboxState): Promise<boolean> {
  try {
    await getJson(state, '/version', 2000);
    return true;
  } catch {
    return false;
  }
}

interface PickOptions {
  output?: string;
  dataDir?: string;
}

async function down(ctx: CommandContext, opts: PickOptions): Promise<void> {
  const dir = sandboxDir(ctx, opts.dataDir);
  const state = readState(dir);
  let result: 'stopped' | 'killed' | 'not-running' = 'not-running';
  // A pid from a stale state file may belong to another program by now: only signal a process
  // that still answers as this sandbox.
  if (state && isAlive(state.pid) && (await answers(state))) result = await stopProcess(state.pid);
  clearState(dir);
  dropKubeconfigContext(ctx, state?.url);
  if (parseOutput(opts.output) === 'json') ctx.io.out(JSON.stringify({ result, pid: state?.pid }) + '\n');
  else
    ctx.io.out(
      result === 'not-running'
        ? 'No sandbox was running.\n'
        : `Sandbox (pid ${state?.pid}) ${result}; context "${SANDBOX_CONTEXT}" removed from the kubeconfig.\n`,
    );
}

async function status(ctx: CommandContext, opts: PickOptions): Promise<void> {
  const format = parseOutput(opts.output);
  const state = runningState(sandboxDir(ctx, opts.dataDir));
  // Sandboxes of other data directories, named so the user can pick one with --data-dir.
  const others = runningSandboxes(ctx)
    .filter((s) => s.pid !== state?.pid)
    .map((s) => ({ dataDir: s.dataDir ?? null, url: s.url, pid: s.pid }));
  if (!state) {
    if (format !== 'text') ctx.io.out(structured(format, { running: false, others }));
    else {
      ctx.io.out(
        `No sandbox${opts.dataDir ? ` for ${opts.dataDir}` : ''} is running. Start one with \`slipway sandbox up${opts.dataDir ? ` --data-dir ${opts.dataDir}` : ''}\`.\n`,
      );
      for (const o of others)
        ctx.io.out(`Running elsewhere: ${o.url} (pid ${o.pid}, data dir ${o.dataDir ?? 'none'})\n`);
    }
    ctx.exit(EXIT_FAILED);
    return;
  }
  const ports = await servicePorts(state).catch((e: unknown) => {
    throw new UserError(
      `the sandbox (pid ${state.pid}) does not answer at ${state.url}: ${(e as Error).message}`,
      {
        code: 'sandbox.unresponsive',
        hint: 'run `slipway sandbox down` and start it again',
        exitCode: EXIT_FAILED,
      },
    );
  });
  if (format !== 'text') {
    ctx.io.out(
      structured(format, {
        running: true,
        url: state.url,
        pid: state.pid,
        dataDir: state.dataDir ?? null,
        startedAt: state.startedAt,
        runtime: state.runtime,
        services: ports,
        others,
      }),
    );
    return;
  }
  const lines = [
    `Sandbox at ${state.url} (pid ${state.pid}, since ${state.startedAt}${state.dataDir ? `, data dir ${state.dataDir}` : ''})`,
  ];
  if (!ports.length)
    lines.push(state.runtime ? 'No Service ports yet.' : 'No service proxy (started without the runtime).');
  else {
    const rows = [
      ['NAMESPACE', 'NAME', 'PORT', 'LOCAL'],
      ...ports.map((p) => [p.namespace, p.name, String(p.port), `127.0.0.1:${p.localPort}`]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows)
      lines.push(
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      );
  }
  for (const o of others)
    lines.push(
      `Also running: ${o.url} (pid ${o.pid}, data dir ${o.dataDir ?? 'none'}; pick it with --data-dir)`,
    );
  ctx.io.out(lines.join('\n') + '\n');
}

export const registerSandbox: RegisterCommand = (program: Command, ctx: CommandContext) => {
  const sandbox = program
    .command('sandbox')
    .summary('a local Kubernetes API for rehearsing deploys')
    .description(
      'a local Kubernetes-API-compatible cluster for rehearsing deploys (kubectl and helm work against it)',
    );
  sandbox
    .command('up')
    .summary('start the sandbox; add a slipway-sandbox context')
    .description(
      'start the sandbox and write the "slipway-sandbox" context into $KUBECONFIG or ~/.kube/config',
    )
    .option('--port <n>', 'HTTPS port on 127.0.0.1 (default: a free port)')
    .option('--data-dir <dir>', 'keep objects in this directory across restarts')
    .option('--detach', 'run in the background; stop it with `slipway sandbox down`')
    .option(
      '--config <file>',
      'sandbox config: images mapped to local commands, injected faults (see docs/sandbox.md)',
    )
    .option('--no-runtime', 'serve the API only: no controllers, kubelet or service proxy')
    .option(
      '--audit-log <file>',
      "append an audit event (audit.k8s.io/v1, Metadata level) per request to this file, as kube-apiserver's --audit-log-path does",
    )
    .addOption(outputOption(['text', 'json'], undefined))
    .action((opts: UpOptions) => up(ctx, opts));
  sandbox
    .command('down')
    .description('stop the running sandbox and remove its kubeconfig context')
    .option('--data-dir <dir>', 'the sandbox started with this --data-dir (default: the one started without)')
    .addOption(outputOption(['text', 'json'], undefined))
    .action((opts: PickOptions) => down(ctx, opts));
  sandbox
    .command('status')
    .summary('is it running, where, and its Service ports')
    .description('show whether a sandbox runs, where, and the local ports of its Services')
    .option('--data-dir <dir>', 'the sandbox started with this --data-dir (default: the one started without)')
    .addOption(outputOption(['text', 'json', 'yaml'], undefined))
    .action((opts: PickOptions) => status(ctx, opts));
};
