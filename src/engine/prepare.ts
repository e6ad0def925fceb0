/**
 * The deploy's first two steps as pure work: render the environment's objects and run the policy
 * checks over them (errors block the deploy, warnings are shown). Also builds the analysis
 * providers up front, so a spec mistake in an analysis is reported before anything is locked.
 */
import type { KubeObject } from '@slipway/kube';
import { UserErrors, type Problem } from '../errors.js';
import { check } from '../policy/engine.js';
import { parseManifests } from '../policy/load/parse.js';
import { PSS_LATEST } from '../policy/pss/version.js';
import { manifestsYaml, renderApp } from '../render/index.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { AnalysisEnv, AnalysisProvider } from './analysis/provider.js';
import { providerFor } from './analysis/registry.js';
import { CHECK_KUBE_VERSION } from './defaults.js';

export interface Rendered {
  objects: KubeObject[];
  warnings: string[];
}

/**
 * The contents of the files a spec's `config[].from` names, keyed as written there. Render never
 * reads files: the CLI reads them next to slipway.yaml (cli/spec-render.ts `loadInputs`).
 */
export type SpecFiles = Record<string, string>;

export function renderObjects(app: ResolvedApp, files: SpecFiles = {}): Rendered {
  const { objects, warnings } = renderApp(app, { files, images: {} });
  return { objects: objects as KubeObject[], warnings: warnings.map((w) => `${w.path}: ${w.message}`) };
}

/** Policy findings of severity error, as problems that block the deploy (exit 2). */
export function checkObjects(objects: KubeObject[], app: ResolvedApp): { warnings: string[] } {
  const file = `rendered ${app.app} (${app.environment})`;
  const parsed = parseManifests(manifestsYaml(objects as Parameters<typeof manifestsYaml>[0]), file);
  const outcome = check({
    manifests: parsed.manifests,
    options: { kubeVersion: CHECK_KUBE_VERSION, pssVersion: PSS_LATEST },
  });
  const errors = outcome.findings.filter((f) => f.severity === 'error');
  if (errors.length) {
    const problems: Problem[] = errors.map((f) => ({
      message: `${f.object.kind} ${f.object.name}: ${f.message} [${f.rule}]`,
      path: f.field,
      hint: `run \`slipway check -e ${app.environment}\` for the full report`,
    }));
    throw new UserErrors(problems, 'deploy-check-failed');
  }
  return {
    warnings: outcome.findings
      .filter((f) => f.severity === 'warning')
      .map((f) => `${f.object.kind} ${f.object.name}: ${f.message} [${f.rule}]`),
  };
}

export function analysisProviders(app: ResolvedApp, env: AnalysisEnv): Map<string, AnalysisProvider> {
  const providers = new Map<string, AnalysisProvider>();
  for (const [name, spec] of Object.entries(app.deploy.analysis ?? {}).sort(([a], [b]) => a.localeCompare(b)))
    providers.set(name, providerFor(name, spec, { prometheus: app.deploy.prometheus, ...env }));
  return providers;
}
