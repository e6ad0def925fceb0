import type { Resources } from '../../spec/schema.js';
import { CPU_LIMIT_FACTOR, DEFAULT_CPU_REQUEST, DEFAULT_MEMORY_REQUEST } from '../defaults.js';
import { fail, type RenderContext } from '../context.js';
import { cpuMillis, cpuQuantity, formatCpu } from '../units.js';

/**
 * Requests and limits, always both (the schema's rule): memory limit = memory request, cpu limit =
 * CPU_LIMIT_FACTOR x cpu request, unless `limits` names them.
 */
export function containerResources(
  ctx: RenderContext,
  path: string,
  resources: Resources | undefined,
  defaults = { cpu: DEFAULT_CPU_REQUEST, memory: DEFAULT_MEMORY_REQUEST },
): Record<string, unknown> {
  const cpu = resources?.cpu ?? defaults.cpu;
  const memory = resources?.memory ?? defaults.memory;
  const millis = cpuMillis(cpu);
  if (!Number.isFinite(millis))
    fail(
      ctx,
      `${path}.resources.cpu`,
      `cannot read ${cpu} as CPU cores`,
      'write cores (0.5) or millicores (500m)',
    );
  const limitCpu =
    resources?.limits?.cpu !== undefined
      ? cpuQuantity(resources.limits.cpu)
      : formatCpu(millis * CPU_LIMIT_FACTOR);
  const requests: Record<string, string> = { cpu: cpuQuantity(cpu), memory };
  const limits: Record<string, string> = { cpu: limitCpu, memory: resources?.limits?.memory ?? memory };
  if (resources?.ephemeralStorage) requests['ephemeral-storage'] = resources.ephemeralStorage;
  const ephemeralLimit = resources?.limits?.ephemeralStorage ?? resources?.ephemeralStorage;
  if (ephemeralLimit) limits['ephemeral-storage'] = ephemeralLimit;
  return { requests, limits };
}
