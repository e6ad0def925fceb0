import { Document, isScalar, visit } from 'yaml';

/**
 * The one YAML serializer for everything render writes (manifests, Helm, kustomize, compose), so
 * a value reads back the same in every tool.
 */

/** Text every YAML reader, 1.1 or 1.2, takes as this very string when written unquoted. */
const PLAIN_SAFE = /^[A-Za-z_/][A-Za-z0-9_./:@+=-]*$/;
/** YAML 1.1 reads these as booleans or null (go-yaml v2, which helm and kubectl use). */
const YAML11_SPECIAL =
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

export function isPlainSafe(text: string): boolean {
  return PLAIN_SAFE.test(text) && !text.endsWith(':') && !YAML11_SPECIAL.test(text);
}

/**
 * YAML the Go tools read the same way we do. Single-line strings are written plain only when
 * unambiguous and double-quoted otherwise: go-yaml is neither YAML 1.1 nor 1.2 (it reads `0o17`
 * as 15 through Go's strconv, and `on` as true), so "quote unless obviously a string" is the only
 * rule that holds for helm, kubectl and kustomize alike. No line folding; keys in object order.
 */
export function toYaml(value: unknown): string {
  const doc = new Document(value, { version: '1.1', aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_, node) {
      if (
        isScalar(node) &&
        typeof node.value === 'string' &&
        !node.value.includes('\n') &&
        !isPlainSafe(node.value)
      )
        node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}

export function toYamlStream(objects: unknown[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}
