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
import type { App } from '../spec/schema.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { composeWriter } from './compose/index.js';
import { dashboardsWriter } from './dashboards/index.js';
import { helmWriter } from './helm/index.js';
import { kustomizeWriter } from './kustomize/index.js';
import { runbooksWriter } from './runbooks/index.js';
import { workflowsWriter } from './workflows/index.js';
import { terraformWriter } from '../infra/index.js';
import type { KubeObject } from './kube.js';
import { toYamlStream } from './yaml.js';
export { isPlainSafe, toYaml, toYamlStream } from './yaml.js';

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
  /** slipway.yaml relative to the repository root, for writers that emit commands run from it (workflows). */
  specPath?: string;
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
  /**
   * Repository files (relative to slipway.yaml) the writer wants to see when they exist, such as
   * go.mod or package.json for language detection; the CLI adds those present to `files`.
   */
  wants?(spec: App): string[];
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
  return [
    manifestsWriter,
    helmWriter,
    kustomizeWriter,
    composeWriter,
    workflowsWriter,
    runbooksWriter,
    dashboardsWriter,
    terraformWriter,
    allWriter,
  ];
}

/** `--format all`: the repository layout, each writer's files under its folder. */
const REPOSITORY_LAYOUT: [() => FormatWriter, string][] = [
  [() => workflowsWriter, ''],
  [() => helmWriter, 'deploy/helm/'],
  [() => kustomizeWriter, 'deploy/kustomize/'],
  [() => runbooksWriter, ''],
  [() => dashboardsWriter, ''],
];

export const allWriter: FormatWriter = {
  name: 'all',
  description:
    'everything in a repository layout: .github/workflows/, deploy/helm/, deploy/kustomize/, docs/runbooks/, deploy/grafana/',
  scope: 'all',
  stdout: false,
  wants: (spec) => [...new Set(REPOSITORY_LAYOUT.flatMap(([w]) => w().wants?.(spec) ?? []))],
  write(input) {
    const files = new Map<string, string>();
    const warnings: FormatWarning[] = [];
    for (const [writer, prefix] of REPOSITORY_LAYOUT) {
      const out = writer().write(input);
      for (const [path, text] of out.files) files.set(prefix + path, text);
      warnings.push(...out.warnings);
    }
    return { files, warnings };
  },
};

export function findFormat(name: string): FormatWriter | undefined {
  return formatWriters().find((f) => f.name === name);
}

/** Objects as JSON data: render leaves optional fields `undefined`, which are not fields at all. */
export function plainObjects<T>(objects: T[]): T[] {
  return JSON.parse(JSON.stringify(objects)) as T[];
}
