/**
 * What the engine commands (deploy, status, history, rollback, promote, abort, diff) share: the
 * options naming the app and its cluster (`-f`, `--env`, `--kubeconfig`, `--context`,
 * `--namespace`), and turning them into a resolved app and an engine Context (cluster, release
 * store, clock, who deploys, where progress goes).
 */
import type { Command } from 'commander';
import { KubeCluster } from '../cluster/kube.js';
import { clusterContext, type DeployEvent, type EngineContext } from '../engine/context.js';
import { jsonProgress } from './progress/json.js';
import { textProgress } from './progress/text.js';
import { parseDuration } from '../spec/duration.js';
import { UserError } from '../errors.js';
import { loadSpec } from './load-spec.js';
import { loadInputs } from './spec-render.js';
import { killAtCheckpoint } from './test-hooks.js';
import { resolveEnvironment } from '../spec/resolve.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { outputOption, type OutputFormat } from './command.js';
import type { Io } from './io.js';

export interface TargetFlags {
  file: string;
  env: string;
  kubeconfig?: string;
  context?: string;
  kubeContext?: string;
  namespace?: string;
  output?: string;
}

/** `formats`: what `--output` accepts (status, history and diff print tables: yaml too). */
export function targetOptions(cmd: Command, formats: readonly OutputFormat[] = ['text', 'json']): Command {
  return cmd
    .requiredOption('-e, --env <name>', 'the environment')
    .option('-f, --file <path>', 'the spec', 'slipway.yaml')
    .option('--kubeconfig <file>', 'kubeconfig file (default $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--kube-context <name>', 'kubeconfig context (the same as --context, as helm spells it)')
    .option('-n, --namespace <name>', "override the environment's namespace")
    .addOption(outputOption(formats));
}

/**
 * What deploy, diff, status and drift render from the working tree, through the one pipeline
 * (spec-render.ts `loadInputs`): the environment resolved (`--namespace` applied) and the
 * contents of the files its `config[].from` names.
 */
export async function loadEnvironment(
  flags: TargetFlags,
  command: string,
): Promise<{ app: ResolvedApp; files: Record<string, string> }> {
  const { environments, files } = await loadInputs(flags.file, () => [flags.env], command);
  const resolved = environments[0]!;
  return { app: flags.namespace ? { ...resolved, namespace: flags.namespace } : resolved, files };
}

/** The resolved environment alone, for the commands that read records and never render (history, abort, rollback, promote). */
export async function loadTarget(flags: TargetFlags): Promise<ResolvedApp> {
  const spec = await loadSpec(flags.file);
  const resolved = resolveEnvironment(spec, flags.env, flags.file);
  return flags.namespace ? { ...resolved, namespace: flags.namespace } : resolved;
}

export function engineContext(
  flags: TargetFlags,
  io: Io,
  namespace: string,
  emit: (e: DeployEvent) => void = () => undefined,
): EngineContext {
  const cluster = KubeCluster.fromKubeconfig(
    { kubeconfig: flags.kubeconfig, context: kubeContext(flags), namespace },
    { lookup: io.lookup },
    io.env,
  );
  return clusterContext(cluster, namespace, emit);
}

/** `--context` or `--kube-context`; both at once must agree. */
export function kubeContext(flags: Pick<TargetFlags, 'context' | 'kubeContext'>): string | undefined {
  if (flags.context && flags.kubeContext && flags.context !== flags.kubeContext)
    throw new UserError(`--context ${flags.context} and --kube-context ${flags.kubeContext} disagree`, {
      code: 'kubeconfig-context',
      hint: 'give one of them',
    });
  return flags.context ?? flags.kubeContext;
}

/**
 * The context of a command that takes the deploy lock and reports progress (deploy, rollback,
 * abort): step lines or JSON events on stdout, and the command line the lock holder shows.
 */
export function lockingContext(
  flags: TargetFlags,
  io: Io,
  namespace: string,
  argv: readonly string[] | undefined,
  json: boolean,
): EngineContext {
  const write = (t: string) => io.out(t);
  const progress = json ? jsonProgress(write) : textProgress(write, io.isTTY);
  const checkpoint = killAtCheckpoint(io.env);
  return {
    ...engineContext(flags, io, namespace, progress),
    command: commandLine(argv),
    ...(checkpoint ? { checkpoint } : {}),
  };
}

/** `slipway deploy --env dev --set-image web=...`: the command line a lock holder shows, arguments with spaces quoted, long ones cut. */
export function commandLine(argv: readonly string[] | undefined): string | undefined {
  if (!argv || argv.length < 3) return undefined;
  const text = [
    'slipway',
    ...argv.slice(2).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)),
  ].join(' ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** `--wait-for-lock 5m` in milliseconds (undefined: fail at once when another deploy holds the lock). */
export function parseWaitForLock(text: string | undefined): number | undefined {
  return parseTimeout(text, '--wait-for-lock');
}

/** A duration flag (`--timeout 5m`) in milliseconds; a malformed one is bad input naming the flag. */
export function parseTimeout(text: string | undefined, flag = '--timeout'): number | undefined {
  try {
    return text === undefined ? undefined : parseDuration(text);
  } catch (err) {
    throw new UserError((err as Error).message, { code: 'deploy-duration', path: flag });
  }
}
