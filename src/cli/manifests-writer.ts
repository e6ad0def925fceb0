import type { FormatWriter } from '../render/format.js';
import { toYamlStream } from '../render/yaml.js';

/**
 * Multi-document YAML of an environment's objects, exactly as `renderApp` returned them: the one
 * --env names (stdout or --out), or with --out and no --env every environment, `<env>.yaml` each.
 */
export const manifestsWriter: FormatWriter = {
  name: 'manifests',
  description: 'plain Kubernetes objects, one multi-document YAML stream',
  scope: 'each',
  stdout: true,
  write({ environments }) {
    const files = new Map<string, string>();
    for (const env of environments) files.set(`${env.environment}.yaml`, toYamlStream(env.objects));
    return { files, warnings: [] };
  },
};
