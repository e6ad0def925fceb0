/**
 * Loading a kubeconfig the way kubectl does: `--kubeconfig` file, else `$KUBECONFIG` (a list of
 * files, merged), else `~/.kube/config`; `--context` picks the context; `--namespace` overrides the
 * context's namespace, which defaults to `default`. Bad input is a UserError naming what exists.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '#kubernetes-client';
import { UserError } from '../errors.js';

export interface KubeconfigOptions {
  /** A kubeconfig file; when omitted, $KUBECONFIG or ~/.kube/config (client-node's loadFromDefault). */
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export interface LoadedKubeconfig {
  kc: KubeConfig;
  context: string;
  server: string;
  namespace: string;
}

/**
 * With no file at all, client-node's loadFromDefault falls back to http://localhost:8080 and the first
 * request fails with an internal-looking error; say instead that there is no kubeconfig. (Inside a
 * pod, loadFromDefault uses the service account, so that case is left to it.)
 */
function requireSomeKubeconfig(env: Readonly<Record<string, string | undefined>>): void {
  if (env.KUBERNETES_SERVICE_HOST) return;
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f.length > 0);
  const candidates = listed.length ? listed : [join(env.HOME || homedir(), '.kube', 'config')];
  if (candidates.some((f) => existsSync(f))) return;
  throw new UserError(
    `no kubeconfig: ${listed.length ? `none of $KUBECONFIG (${listed.join(delimiter)}) exists` : `${candidates[0]} does not exist`}`,
    {
      code: 'kubeconfig-missing',
      hint: 'start a local cluster with `slipway sandbox up --detach` (it writes the context), or pass --kubeconfig FILE',
    },
  );
}

/**
 * Several `$KUBECONFIG` files merged as kubectl merges them (client-go's loading rules): files that do
 * not exist are skipped, the first file to name a cluster, user or context wins, and so does the first
 * current-context. (client-node's loadFromDefault lets the last current-context win and refuses a name
 * defined twice.)
 */
function loadMerged(files: string[]): KubeConfig {
  const merged = { clusters: new Map(), users: new Map(), contexts: new Map() } as {
    clusters: Map<string, KubeConfig['clusters'][number]>;
    users: Map<string, KubeConfig['users'][number]>;
    contexts: Map<string, KubeConfig['contexts'][number]>;
  };
  let currentContext = '';
  for (const file of files.filter((f) => existsSync(f))) {
    const one = new KubeConfig();
    one.loadFromFile(file);
    for (const c of one.clusters) if (!merged.clusters.has(c.name)) merged.clusters.set(c.name, c);
    for (const u of one.users) if (!merged.users.has(u.name)) merged.users.set(u.name, u);
    for (const c of one.contexts) if (!merged.contexts.has(c.name)) merged.contexts.set(c.name, c);
    currentContext ||= one.currentContext;
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [...merged.clusters.values()],
    users: [...merged.users.values()],
    contexts: [...merged.contexts.values()],
    currentContext,
  });
  return kc;
}

export function loadKubeconfig(
  opts: KubeconfigOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): LoadedKubeconfig {
  let kc = new KubeConfig();
  if (!opts.kubeconfig) requireSomeKubeconfig(env);
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f.length > 0);
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else if (listed.length) kc = loadMerged(listed);
    else if (env.KUBERNETES_SERVICE_HOST) kc.loadFromDefault();
    else kc.loadFromFile(join(env.HOME || homedir(), '.kube', 'config'));
  } catch (err) {
    throw new UserError(
      `cannot read the kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${(err as Error).message}`,
      {
        code: 'kubeconfig-invalid',
        hint: 'pass --kubeconfig FILE or set $KUBECONFIG to a valid kubeconfig',
      },
    );
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UserError(`kubeconfig has no context "${opts.context}"`, {
        code: 'kubeconfig-context',
        hint: known.length ? `contexts: ${known.join(', ')}` : 'the kubeconfig defines no contexts',
      });
    }
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!context || !cluster) {
    throw new UserError('the kubeconfig has no current context', {
      code: 'kubeconfig-context',
      hint: 'pass --context NAME or run `kubectl config use-context NAME`',
    });
  }
  const namespace = opts.namespace ?? kc.getContextObject(context)?.namespace ?? 'default';
  return { kc, context, server: cluster.server, namespace };
}
