/**
 * Loading a kubeconfig the way kubectl does: `--kubeconfig` file, else `$KUBECONFIG` (a list of
 * files, merged), else `~/.kube/config`; `--context` picks the context; `--namespace` overrides the
 * context's namespace, which defaults to `default`. Bad input is a UserError naming what exists.
 */
import { KubeConfig } from '@kubernetes/client-node';
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

export function loadKubeconfig(opts: KubeconfigOptions = {}): LoadedKubeconfig {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new UserError(`cannot read the kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${(err as Error).message}`, {
      code: 'kubeconfig-invalid',
      hint: 'pass --kubeconfig FILE or set $KUBECONFIG to a valid kubeconfig',
    });
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
