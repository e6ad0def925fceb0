import type { NamedObject } from '@slipway/kube';
import { toYaml } from './yaml.js';

/**
 * Objects as one multi-document YAML stream, the form `kubectl apply -f` reads. Written with the
 * same Go-safe quoting as every other format: an unquoted `on` or `yes` would reach the API server
 * as a boolean through kubectl's YAML 1.1 reader.
 */
export function manifestsYaml(objects: NamedObject[]): string {
  return objects.map((o) => `---\n${toYaml(o)}`).join('');
}
