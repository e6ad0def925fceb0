/** The engine on the in-memory cluster and release store, with the test playing the Deployment controller of `sample-web`. */
import { MemoryCluster } from '../../../src/cluster/memory.js';
import { systemClock } from '../../../src/engine/clock.js';
import type { DeployEvent, EngineContext } from '../../../src/engine/context.js';
import { MemoryReleaseStore } from '../../../src/engine/releases/memory.js';
import { deploymentController } from './controllers.js';

export function memoryEngine() {
  const cluster = new MemoryCluster({ namespace: 'sample' });
  const store = new MemoryReleaseStore();
  const events: DeployEvent[] = [];
  const ctx: EngineContext = {
    cluster,
    store,
    clock: systemClock,
    holder: 'test@ci (pid 1)',
    emit: (e) => events.push(e),
  };
  const stop = new AbortController();
  deploymentController(cluster, 'sample-web', stop.signal);
  return { cluster, store, ctx, events, stop };
}
