/** Shared by the route-weight canary e2e suites: a spec exposed through a route, and recorders of what the API server holds. */
import type { KubeObject, ObjectRef } from '@slipway/kube';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { KubeCluster } from '../../src/cluster/kube.js';
import { SAMPLE_SPEC, servicePort } from './deploy-helpers.js';
import type { SandboxEnv } from './sandbox-env.js';

export type Exposure = 'gateway' | 'nginx';

/** The sample service, public through an HTTPRoute on Gateway gateways/public or an nginx-class Ingress, deployed as a canary. */
export function writeRouteSpec(
  file: string,
  exposure: Exposure,
  deploy: Record<string, unknown>,
  web: Record<string, unknown> = {},
): void {
  const doc = parse(readFileSync(SAMPLE_SPEC, 'utf8')) as {
    kubernetes?: unknown;
    deploy: Record<string, unknown>;
    services: { web: Record<string, unknown> };
  };
  doc.kubernetes =
    exposure === 'gateway'
      ? { ingress: 'gateway', gateway: { name: 'public', namespace: 'gateways' } }
      : { ingressClass: 'nginx' };
  doc.services.web = { ...doc.services.web, public: { host: 'web.example.com' }, ...web };
  if (web.autoscale) delete doc.services.web.replicas;
  doc.deploy = { strategy: 'canary', timeout: '2m', ...deploy };
  writeFileSync(file, stringify(doc));
}

/**
 * Watches one object through the cluster client and records each distinct value `read` returns,
 * in order (consecutive repeats collapsed): the weights the API server held, e.g. [0, 20, 50, 0].
 */
export function recordValues<T>(
  env: SandboxEnv,
  ref: ObjectRef,
  read: (obj: KubeObject | undefined) => T,
): { values: T[]; seenAt: number[]; stop(): Promise<void> } {
  const cluster = KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: ref.namespace });
  const values: T[] = [];
  const seenAt: number[] = [];
  const controller = new AbortController();
  const watching = cluster
    .watch(
      ref,
      (obj) => {
        const v = read(obj);
        if (values.length === 0 || JSON.stringify(values.at(-1)) !== JSON.stringify(v)) {
          values.push(v);
          seenAt.push(performance.now());
        }
        return false;
      },
      controller.signal,
    )
    .catch(() => undefined);
  return {
    values,
    seenAt,
    async stop() {
      controller.abort();
      await watching;
    },
  };
}

/** The proxy port of a Service the runtime may not have listed yet (the canary Service appears mid-deploy). */
export async function servicePortSoon(env: SandboxEnv, namespace: string, name: string): Promise<number> {
  for (let i = 0; ; i++) {
    try {
      return servicePort(env, namespace, name);
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

export async function getObject<T extends KubeObject>(
  env: SandboxEnv,
  ref: ObjectRef,
): Promise<T | undefined> {
  return KubeCluster.fromKubeconfig({ kubeconfig: env.kubeconfig, namespace: ref.namespace }).get<T>(ref);
}
