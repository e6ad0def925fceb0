/**
 * A process on the sandbox host cannot resolve `storefront-db.storefront.svc`: there is no cluster
 * DNS. So in the env values, command and args of a process container every
 * `<service>[.<namespace>[.svc[.cluster.local]]]:<port>` naming a port of an existing Service is
 * rewritten to `127.0.0.1:<that port's proxy port>`, also inside URLs
 * (`postgresql://u:p@storefront-db.storefront.svc:5432/storefront`).
 */
import type { ServicePort } from '../types.js';

export const CLUSTER_DOMAIN = 'cluster.local';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
/** A host name and a port; not part of a longer name, not `user:password@` (followed by `@`), not a longer number. */
const ADDRESS = new RegExp(`(?<![A-Za-z0-9.-])(${LABEL}(?:\\.${LABEL})*):(\\d{1,5})(?![\\d@])`, 'g');

/** Rewrites each Service address in `value`; `namespace` is the pod's (for `<service>:<port>`). */
export function rewriteServiceAddresses(value: string, namespace: string, ports: ServicePort[]): string {
  if (!ports.length || !value.includes(':')) return value;
  return value.replace(ADDRESS, (all, host: string, port: string) => {
    const parts = host.toLowerCase().split('.');
    const [svc, ns = namespace, svcWord, ...domain] = parts;
    if (parts.length > 2 && svcWord !== 'svc') return all;
    if (domain.length && domain.join('.') !== CLUSTER_DOMAIN) return all;
    const p = ports.find((x) => x.name === svc && x.namespace === ns && x.port === Number(port));
    return p ? `127.0.0.1:${p.localPort}` : all;
  });
}
