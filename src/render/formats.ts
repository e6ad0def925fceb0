/**
 * The format registry: every artifact `slipway render --format NAME` can write.
 *
 * A format is a `FormatWriter`: a pure function from the rendered environments (the spec, and for
 * each environment its ResolvedApp and the Kubernetes objects `renderApp` produced) to a set of
 * files, keyed by path relative to the output folder. Writers never touch the file system, the
 * clock or the network; the CLI writes the files. Because every writer starts from the same
 * rendered objects, a Helm chart, a kustomize tree and a direct deploy cannot disagree.
 *
 * Adding a format is adding a file: write `src/render/<name>/index.ts` exporting a FormatWriter,
 * then add one import and one entry to `formatWriters()` below. Nothing else changes: the CLI's
 * `--format` choices, its help text and the "needs --out" check all read this list.
 *
 * `scope` says which environments a writer needs: `environment` writers (manifests, compose) see
 * only the one named by `--env`; `all` writers (helm, kustomize) get every declared environment
 * and produce one artifact covering them (values-<env>.yaml, overlays/<env>/).
 */
import { Document, isScalar, visit } from 'yaml';
import type { App } from '../spec/schema.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { composeWriter } from './compose/index.js';
import { helmWriter } from './helm/index.js';
import { kustomizeWriter } from './kustomize/index.js';
import type { KubeObject } from './kube.js';

export interface RenderedEnvironment {
  environment: string;
  app: ResolvedApp;
  objects: KubeObject[];
}

export interface FormatInput {
  /** The spec as written (before environment overlays), for names, version and descriptions. */
  spec: App;
  /** Every environment the writer's scope asks for, in the order the spec declares them. */
  environments: RenderedEnvironment[];
  /** Repository files the spec names (`config[].from`), read by the CLI next to slipway.yaml. */
  files?: Record<string, string>;
}

/** A field the target format cannot express, named so the user can act on it. */
export interface FormatWarning {
  format: string;
  /** Dotted path of the field (`services.api.volumes`) or the object (`Deployment/api`). */
  path: string;
  message: string;
}

export interface FormatOutput {
  /** Relative path -> file content. Sorted insertion order, so output is deterministic. */
  files: Map<string, string>;
  warnings: FormatWarning[];
}

export interface FormatWriter {
  name: string;
  description: string;
  scope: 'environment' | 'all';
  /** Whether the output is one stream that may go to stdout when no --out is given. */
  stdout: boolean;
  write(input: FormatInput): FormatOutput;
}

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

/** A function, not a constant: the writers import this module's helpers, so the list is built on first use. */
export function formatWriters(): FormatWriter[] {
  return [manifestsWriter, helmWriter, kustomizeWriter, composeWriter];
}

export function findFormat(name: string): FormatWriter | undefined {
  return formatWriters().find((f) => f.name === name);
}

/** Text every YAML reader, 1.1 or 1.2, takes as this very string when written unquoted. */
const PLAIN_SAFE = /^[A-Za-z_/][A-Za-z0-9_./:@+=-]*$/;
/** YAML 1.1 reads these as booleans or null (go-yaml v2, which helm and kubectl use). */
const YAML11_SPECIAL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

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
      if (isScalar(node) && typeof node.value === 'string' && !node.value.includes('\n') && !isPlainSafe(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}

/** Objects as JSON data: render leaves optional fields `undefined`, which are not fields at all. */
export function plainObjects<T>(objects: T[]): T[] {
  return JSON.parse(JSON.stringify(objects)) as T[];
}

export function toYamlStream(objects: unknown[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}
