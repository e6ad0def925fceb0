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
 * then add one import and one entry to `formatWriters()` below and one line to format-loaders.ts
 * (the CLI loads only the writer it runs). Nothing else changes: the CLI's `--format` choices,
 * its help text and the "needs --out" check all read these lists.
 *
 * `scope` says which environments a writer needs: `environment` writers (compose) see only the one
 * named by `--env`; `each` writers (manifests) that one, or every environment when they write a
 * folder (--out) and no --env is given, a file each; `all` writers (helm, kustomize) get every
 * declared environment and produce one artifact covering them (values-<env>.yaml, overlays/<env>/).
 */
import { composeWriter } from '../render/compose/index.js';
import { dashboardsWriter } from '../render/dashboards/index.js';
import { helmWriter } from '../render/helm/index.js';
import { kustomizeWriter } from '../render/kustomize/index.js';
import { runbooksWriter } from '../render/runbooks/index.js';
import { workflowsWriter } from '../render/workflows/index.js';
import type { FormatWarning, FormatWriter } from '../render/format.js';
import { terraformWriter } from '../infra/index.js';
import { manifestsWriter } from './manifests-writer.js';
export type {
  FormatInput,
  FormatOutput,
  FormatWarning,
  FormatWriter,
  RenderedEnvironment,
  SlipwayRelease,
} from '../render/format.js';
export { plainObjects } from '../render/format.js';
export { isPlainSafe, toYaml, toYamlStream } from '../render/yaml.js';
export { manifestsWriter };

/** Every writer, in the order `--help` lists them. */
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
