/** The providers Slipway knows. Adding one means adding its file and one line here. */
import { UserError } from '../../errors.js';
import type { Analysis } from '../../spec/schema.js';
import { httpFactory } from './http.js';
import { jobFactory } from './job.js';
import { prometheusFactory } from './prometheus.js';
import type { AnalysisEnv, AnalysisProvider, ProviderFactory } from './provider.js';

export const PROVIDERS: readonly ProviderFactory[] = [prometheusFactory, httpFactory, jobFactory];

export function providerFor(name: string, spec: Analysis, env: AnalysisEnv): AnalysisProvider {
  const matching = PROVIDERS.filter((p) => p.matches(spec));
  if (matching.length !== 1) {
    throw new UserError(
      matching.length
        ? `analysis names ${matching.length} providers (${matching.map((p) => p.kind).join(', ')})`
        : 'analysis names no provider',
      {
        code: 'analysis-provider',
        path: `deploy.analysis.${name}`,
        hint: `give exactly one of: ${PROVIDERS.map((p) => p.kind).join(', ')}`,
      },
    );
  }
  return matching[0]!.create(name, spec, env);
}
