/**
 * The kubeconfig entries for a sandbox (cluster with its CA, user with its bearer token, context
 * `slipway-sandbox`) and a merge that replaces only those entries, keeping every other cluster,
 * user and context, and the current context unless asked to switch.
 */
import { parse, stringify } from 'yaml';

export const SANDBOX_CONTEXT = 'slipway-sandbox';

export interface SandboxAccess {
  url: string;
  caCert: string;
  token: string;
  namespace?: string;
}

interface Named {
  name: string;
  [key: string]: unknown;
}

interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  preferences?: unknown;
  clusters?: Named[];
  users?: Named[];
  contexts?: Named[];
  'current-context'?: string;
  [key: string]: unknown;
}

export function sandboxEntries(
  access: SandboxAccess,
  name = SANDBOX_CONTEXT,
): { cluster: Named; user: Named; context: Named } {
  return {
    cluster: {
      name,
      cluster: {
        server: access.url,
        'certificate-authority-data': Buffer.from(access.caCert).toString('base64'),
      },
    },
    user: { name, user: { token: access.token } },
    context: { name, context: { cluster: name, user: name, namespace: access.namespace ?? 'default' } },
  };
}

function upsert(list: Named[] | undefined, entry: Named): Named[] {
  const out = (list ?? []).filter((e) => e && e.name !== entry.name);
  out.push(entry);
  return out;
}

/** Returns the merged kubeconfig text; `existing` may be empty. */
export function mergeSandboxKubeconfig(
  existing: string,
  access: SandboxAccess,
  opts: { setCurrent: boolean; name?: string },
): string {
  const config = ((existing.trim() ? parse(existing) : {}) ?? {}) as Kubeconfig;
  if (typeof config !== 'object' || Array.isArray(config))
    throw new Error('the kubeconfig is not a YAML mapping');
  const { cluster, user, context } = sandboxEntries(access, opts.name);
  config.apiVersion ??= 'v1';
  config.kind ??= 'Config';
  config.clusters = upsert(config.clusters, cluster);
  config.users = upsert(config.users, user);
  config.contexts = upsert(config.contexts, context);
  if (opts.setCurrent || !config['current-context']) config['current-context'] = context.name;
  return stringify(config);
}

/** Removes the sandbox's entries; the current context moves off it if it pointed there. */
export function removeSandboxKubeconfig(existing: string, name = SANDBOX_CONTEXT): string {
  const config = ((existing.trim() ? parse(existing) : {}) ?? {}) as Kubeconfig;
  config.clusters = (config.clusters ?? []).filter((e) => e.name !== name);
  config.users = (config.users ?? []).filter((e) => e.name !== name);
  config.contexts = (config.contexts ?? []).filter((e) => e.name !== name);
  if (config['current-context'] === name) config['current-context'] = config.contexts[0]?.name ?? '';
  return stringify(config);
}

/** Where kubectl would read: the first file of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const first = env.KUBECONFIG?.split(process.platform === 'win32' ? ';' : ':').find(Boolean);
  return first ?? `${home}/.kube/config`;
}
