/**
 * `slipway render --format NAME` loads only the writer it runs: `--format manifests` never loads
 * the Helm, kustomize, workflow or Terraform writers (about fifty modules of start-up).
 * The names and their order are formatWriters()'s (formats.ts), which the library API and
 * `--format all` use; test/cli/format-loaders.test.ts holds the two lists equal.
 */
import type { FormatWriter } from '../render/format.js';

const loaders: Record<string, () => Promise<FormatWriter>> = {
  manifests: async () => (await import('./manifests-writer.js')).manifestsWriter,
  helm: async () => (await import('../render/helm/index.js')).helmWriter,
  kustomize: async () => (await import('../render/kustomize/index.js')).kustomizeWriter,
  compose: async () => (await import('../render/compose/index.js')).composeWriter,
  workflows: async () => (await import('../render/workflows/index.js')).workflowsWriter,
  runbooks: async () => (await import('../render/runbooks/index.js')).runbooksWriter,
  dashboards: async () => (await import('../render/dashboards/index.js')).dashboardsWriter,
  terraform: async () => (await import('../infra/index.js')).terraformWriter,
  all: async () => (await import('./formats.js')).allWriter,
};

/** Every format's name, in the order `--help` lists them. */
export const FORMAT_NAMES: readonly string[] = Object.keys(loaders);

/** The writer of a format, or undefined for an unknown name. */
export async function loadFormat(name: string): Promise<FormatWriter | undefined> {
  return Object.hasOwn(loaders, name) ? loaders[name]!() : undefined;
}
