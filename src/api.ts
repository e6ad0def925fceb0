/**
 * The library's conveniences: what a build script or a test does with Slipway in one call each
 * (check YAML, render a format, deploy an environment), assembled from the same parts the CLI uses.
 * src/index.ts is the package's entry and re-exports these; docs/library.md shows them in use.
 */
import { KubeCluster } from './cluster/kube.js';
import { clusterContext, type DeployEvent } from './engine/context.js';
import { deploy, type DeployResult } from './engine/deploy.js';
import { UserError, UserErrors } from './errors.js';
import { slipwayPackage } from './package.js';
import { checkSets, DEFAULT_KUBE_VERSION, inputSets, type Profile } from './policy/engine.js';
import { parseManifests } from './policy/load/parse.js';
import { PSS_LATEST } from './policy/pss/version.js';
import type { Finding, KubeVersion, Severity } from './policy/types.js';
import { findFormat, formatWriters, type FormatOutput } from './cli/formats.js';
import { renderApp } from './render/index.js';
import { environmentNames, resolveEnvironment, type App, type ResolvedApp } from './spec/index.js';

export interface CheckYamlOptions {
  /** The name findings carry as their file (default `-`). */
  file?: string;
  /** Kubernetes version the API-removal rules target (default 1.36). */
  kubeVersion?: KubeVersion;
  /** `pss-baseline` or `pss-restricted` run exactly that Pod Security Standards level. */
  profile?: Profile;
  /** Registries images may come from (prefixes such as `ghcr.io/acme/`). */
  allowedRegistries?: string[];
}

export interface CheckYamlResult {
  findings: Finding[];
  /** The highest severity found, or undefined when the YAML is clean. */
  worst?: Severity;
}

/**
 * `slipway check` over a YAML stream of Kubernetes objects, in memory: the same rules, severities and
 * positions (line and column in `yaml`). Throws UserErrors for YAML that does not parse.
 */
export function checkYaml(yaml: string, opts: CheckYamlOptions = {}): CheckYamlResult {
  const parsed = parseManifests(yaml, opts.file ?? '-');
  if (parsed.problems.length) throw new UserErrors(parsed.problems, 'check/bad-input');
  const { findings } = checkSets(inputSets(parsed.manifests), {
    options: {
      kubeVersion: opts.kubeVersion ?? DEFAULT_KUBE_VERSION,
      pssVersion: PSS_LATEST,
      allowedRegistries: opts.allowedRegistries,
    },
    profile: opts.profile,
  });
  const order: Severity[] = ['error', 'warning', 'info'];
  const worst = order.find((s) => findings.some((f) => f.severity === s));
  return worst ? { findings, worst } : { findings };
}

export interface RenderFormatOptions {
  /** Environments to render (default: every one the spec declares, or the first for one-environment formats). */
  environments?: string[];
  /** `config[].from` file contents by path, as `slipway render` reads them next to slipway.yaml. */
  files?: Record<string, string>;
  /** Image tag per service name (`1.4.2` or `sha256:...`), as `--image-tag` gives the CLI. */
  images?: Record<string, string>;
  /** slipway.yaml relative to the repository root (for the workflows' commands). */
  specPath?: string;
  /** The spec file name problems are reported against (default slipway.yaml). */
  specFile?: string;
}

/**
 * `slipway render --format NAME` in memory: the files (path → text) and the warnings. Formats:
 * manifests, helm, kustomize, compose, workflows, runbooks, dashboards, all.
 */
export function renderFormat(spec: App, format: string, opts: RenderFormatOptions = {}): FormatOutput {
  const writer = findFormat(format);
  if (!writer)
    throw new UserError(`unknown format "${format}"`, {
      code: 'render/format',
      hint: `one of: ${formatWriters()
        .map((w) => w.name)
        .join(', ')}`,
    });
  const specFile = opts.specFile ?? 'slipway.yaml';
  const declared = environmentNames(spec);
  const names = opts.environments ?? (writer.scope === 'all' ? declared : declared.slice(0, 1));
  const environments = names.map((name) => {
    const app = resolveEnvironment(spec, name, specFile);
    const result = renderApp(app, { files: opts.files ?? {}, images: opts.images ?? {} });
    return { environment: name, app, objects: result.objects };
  });
  return writer.write({
    spec,
    environments,
    files: opts.files,
    specPath: opts.specPath ?? specFile,
    slipway: slipwayPackage(),
  });
}

export interface DeployOptions {
  /** kubeconfig file (default $KUBECONFIG or ~/.kube/config) and context (default its current one). */
  kubeconfig?: string;
  context?: string;
  /** Override the environment's namespace. */
  namespace?: string;
  dryRun?: boolean;
  /** Give up (and roll back) after this long; default the spec's deploy.timeout or 15 minutes. */
  timeoutMs?: number;
  /** Skip the spec's analysis (as `--skip-analysis`). */
  skipAnalysis?: boolean;
  /** Every step and message as the deploy goes (what `--output json` streams). */
  onEvent?: (event: DeployEvent) => void;
}

/**
 * `slipway deploy` for one resolved environment: the same plan, strategy, analysis, lock and
 * automatic rollback. Never throws for a failed rollout: read `outcome` (`deployed`, `rolled-back`,
 * `failed`, `aborted`, `dry-run`) and `exitCode`; throws UserError for bad input.
 */
export async function deployEnvironment(app: ResolvedApp, opts: DeployOptions = {}): Promise<DeployResult> {
  const namespace = opts.namespace ?? app.namespace;
  const cluster = KubeCluster.fromKubeconfig({
    kubeconfig: opts.kubeconfig,
    context: opts.context,
    namespace,
  });
  const ctx = clusterContext(cluster, namespace, opts.onEvent);
  return deploy(ctx, {
    app: { ...app, namespace },
    overrides: [],
    dryRun: opts.dryRun,
    timeoutMs: opts.timeoutMs,
    skipAnalysis: opts.skipAnalysis,
  });
}
