import { stringify } from 'yaml';
import type { KubeObject } from './kube.js';

/**
 * Objects as one multi-document YAML stream, the form `kubectl apply -f` reads. Long strings are
 * never folded (lineWidth 0) so a value reads the same in the file as in the object.
 */
export function manifestsYaml(objects: KubeObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0, minContentWidth: 0 })}`).join('');
}
