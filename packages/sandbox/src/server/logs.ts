/**
 * `pods/log`: text/plain from the runtime's log buffer. With `follow=true` the response stays open
 * and new output is written as the runtime records it, until the pod is gone or the client leaves
 * (what `kubectl logs -f` expects).
 */
import type { KubeObject } from '@slipway/kube';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MemoryStore } from '../store/memory-store.js';
import type { SandboxRuntime } from '../types.js';
import { ApiError } from './status.js';

export const LOG_FOLLOW_POLL_MS = 250;

export function streamPodLogs(
  store: MemoryStore,
  runtime: SandboxRuntime | undefined,
  pod: KubeObject,
  q: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const namespace = pod.metadata.namespace as string;
  const name = pod.metadata.name as string;
  const spec = pod.spec as
    { containers?: { name: string }[]; initContainers?: { name: string }[] } | undefined;
  const containers = (spec?.containers ?? []).map((c) => c.name);
  const inits = (spec?.initContainers ?? []).map((c) => c.name);
  const container = q.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
  if (!container) {
    throw new ApiError(
      400,
      'BadRequest',
      `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]` +
        (inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''),
    );
  }
  // As the API server: init containers have logs too.
  if (!containers.includes(container) && !inits.includes(container))
    throw new ApiError(400, 'BadRequest', `container ${container} is not valid for pod ${name}`);
  if (!runtime)
    throw new ApiError(
      400,
      'BadRequest',
      `container "${container}" in pod "${name}" is waiting to start: the sandbox runs without a kubelet, so pods never start and have no logs`,
    );
  const opts = {
    container,
    tailLines: q.has('tailLines') ? Number(q.get('tailLines')) : undefined,
    previous: q.get('previous') === 'true',
  };
  const first = runtime.podLogs(namespace, name, opts);
  if (first === undefined)
    throw new ApiError(
      400,
      'BadRequest',
      `container "${container}" in pod "${name}" is waiting to start: ContainerCreating`,
    );
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.write(first);
  if (q.get('follow') !== 'true') {
    res.end();
    return;
  }
  let sent = runtime.podLogs(namespace, name, { container }) ?? '';
  const podType = store.registry.forResource('', 'v1', 'pods');
  const timer = setInterval(() => {
    const all = runtime.podLogs(namespace, name, { container });
    const alive = podType && store.get(podType, namespace, name)?.metadata.uid === pod.metadata.uid;
    if (all !== undefined && all.length > sent.length && all.startsWith(sent))
      res.write(all.slice(sent.length));
    if (all !== undefined) sent = all;
    if (!alive) {
      clearInterval(timer);
      res.end();
    }
  }, LOG_FOLLOW_POLL_MS);
  req.on('close', () => clearInterval(timer));
}
