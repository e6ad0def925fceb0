/**
 * Facts the plan needs from the cluster, read before planning: which colour each service's active
 * Service selects now. The live selector wins over the release record, since a deploy killed after
 * its switch may not have recorded it.
 */
import type { KubeObject } from '@slipway/kube';
import type { Cluster } from '../cluster/cluster.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { LABEL_COLOUR } from './plan/blue-green.js';
import { workloadsOf } from './plan/workloads.js';
import type { Colour } from './releases/release.js';

export async function liveColours(
  cluster: Cluster,
  app: ResolvedApp,
  objects: KubeObject[],
): Promise<Record<string, Colour>> {
  const colours: Record<string, Colour> = {};
  for (const w of workloadsOf(objects, Object.keys(app.services).sort())) {
    const name = w.serviceObject?.metadata.name;
    if (!name) continue;
    const live = await cluster.get<KubeObject & { spec?: { selector?: Record<string, string> } }>({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: app.namespace,
      name,
    });
    const colour = live?.spec?.selector?.[LABEL_COLOUR];
    if (colour === 'blue' || colour === 'green') colours[w.service] = colour;
  }
  return colours;
}
