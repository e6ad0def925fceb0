import type { FormatWriter } from '../render/format.js';
import { toYamlStream } from '../render/yaml.js';

/** Multi-document YAML of one environment's objects, exactly as `renderApp` returned them. */
export const manifestsWriter: FormatWriter = {
  name: 'manifests',
  description: 'plain Kubernetes objects, one multi-document YAML stream',
  scope: 'environment',
  stdout: true,
  write({ environments }) {
    const files = new Map<string, string>();
    for (const env of environments) files.set(`${env.environment}.yaml`, toYamlStream(env.objects));
    return { files, warnings: [] };
  },
};
