/**
 * The spec's top-level `version:` is the tag images default to, and cd.yml tags images X.Y.Z on
 * a release tag vX.Y.Z; so a release moves `version:` to the new version in the same commit, and
 * a hand-run `slipway deploy` of that commit deploys the images that tag built. Only an existing
 * `version:` is changed (never added), through the yaml Document API, which keeps comments and
 * layout.
 */
import { isScalar, parseDocument } from '#yaml';

/** The spec text with `version:` set to `version`, or `undefined` when it has no top-level version. */
export function setSpecVersion(text: string, version: string): { text: string; from: string } | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length) return undefined;
  const node = doc.get('version', true);
  if (!isScalar(node)) return undefined;
  const from = String(node.value);
  // The node keeps its quoting style; X.Y.Z has two dots, so even plain it stays a string.
  node.value = version;
  return { text: doc.toString(), from };
}
