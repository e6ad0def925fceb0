/**
 * What the workflows need to know about the app, computed once from the spec: the images CI
 * builds (one per service with `build:`), which services run each image, the environments and
 * which of them deploy automatically or behind an approval.
 */
import type { App } from '../../spec/schema.js';
import { parseImage } from '../image.js';
import { DEFAULT_PLATFORMS, RUNNER, TRIVY_FAIL_SEVERITY } from './defaults.js';
import { repoPath } from './yaml.js';
import { serviceLanguage, type RepositoryFiles, type ServiceLanguage } from './languages.js';

export interface BuiltImage {
  /** The service whose `build:` this is; job names and step ids use it. */
  service: string;
  /** Registry and repository, no tag: `ghcr.io/acme/shop-api`. */
  repository: string;
  registry: string;
  context: string;
  dockerfile: string;
  platforms: string[];
  language: ServiceLanguage;
  /** Every service that runs this image (its own, plus services naming the same repository). */
  runBy: string[];
}

export interface WorkflowEnvironment {
  name: string;
  namespace: string;
  approval: 'required' | 'none';
  /** Names under `backups:` after this environment's overlay (an environment may remove them). */
  backups: string[];
  /**
   * Backups a CronJob cannot take because their writer must be stopped first (ChromaDB), which
   * needs the API access a deployer has: backups.yml runs `slipway backup run` on their schedule.
   */
  stoppedBackups: Array<{ dependency: string; schedule: string }>;
  /** Hosts of its public services (after the overlay), which the smoke test calls. */
  hosts: string[];
}

/** The spec's `ci:` gates with their defaults applied. */
export interface QualityGates {
  /** Minimum line coverage in percent; undefined: no gate. */
  coverage?: number;
  sast: boolean;
  /** Trivy's `severity` input: the severities that fail the build. */
  severity: string;
  ignoreUnfixed: boolean;
}

/** `runs-on` of a job: one label or a list a runner must all have. */
export type RunsOn = string | string[];

/**
 * Kinds of job that may want their own runners: `build` (lint, test, CodeQL, image builds: big
 * machines), `deploy` (every job that reaches the cluster with a kubeconfig: a private API server is
 * reachable from self-hosted runners inside its network only), `default` the others.
 */
export type RunnerKind = 'default' | 'build' | 'deploy';

export interface WorkflowPlan {
  app: string;
  runners: Record<RunnerKind, RunsOn>;
  gates: QualityGates;
  /** slipway.yaml relative to the repository root. */
  specPath: string;
  slipwayVersion: string;
  /** `sha512-...` of the Slipway tarball the workflows install (the one that rendered them). */
  slipwayIntegrity?: string;
  images: BuiltImage[];
  environments: WorkflowEnvironment[];
  /** Deployed on every push to main (staging when declared). */
  automatic?: string;
  /** Deployed on version tags after the automatic one, each behind its GitHub Environment's reviewers. */
  gated: string[];
  /** Images the app runs but cd.yml does not build (dependencies, services with only `image:`). */
  dependencyImages: string[];
  /** `config[].from` files of every service in any environment, from the repository root. */
  configFiles: string[];
  /** `oci://HOST/PATH` where cd.yml pushes the Helm chart on version tags; undefined: not published. */
  chartRepository?: string;
  /** A service lists `secrets:`: the deploy step gets SLIPWAY_AGE_KEY from the GitHub Environment. */
  ageKey: boolean;
}

export interface PlanOptions {
  specPath: string;
  /** Every container image of every environment's rendered objects. */
  objectImages?: (built: string[]) => string[];
  /** `config[].from` of every environment's services, relative to the spec. */
  configFiles?: string[];
  slipwayVersion: string;
  slipwayIntegrity?: string;
  files: RepositoryFiles;
}

/** Same naming as render/image.ts: the spec's image, else `<registry>/<app>-<service>`. */
export function imageRepository(spec: App, service: string): string | undefined {
  const s = spec.services[service];
  if (s?.image) return parseImage(s.image).repository;
  if (spec.registry) return `${spec.registry.replace(/\/$/, '')}/${spec.app}-${service}`;
  return undefined;
}

/** The registry host of a repository, as docker login wants it (Docker Hub when the first part is not a host). */
export function registryHost(repository: string): string {
  const first = repository.split('/')[0] ?? '';
  return repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

export function workflowPlan(
  spec: App,
  environments: WorkflowEnvironment[],
  opts: PlanOptions,
): WorkflowPlan {
  const images: BuiltImage[] = [];
  for (const [service, s] of Object.entries(spec.services)) {
    if (!s.build) continue;
    const repository = imageRepository(spec, service);
    if (!repository) continue;
    images.push({
      service,
      repository,
      registry: registryHost(repository),
      context: s.build.context,
      dockerfile: joinPath(s.build.context, s.build.dockerfile ?? 'Dockerfile'),
      platforms: s.build.platforms ?? DEFAULT_PLATFORMS,
      language: serviceLanguage(s.build.context, s.build.language, opts.files),
      runBy: [],
    });
  }
  for (const service of Object.keys(spec.services)) {
    const repository = imageRepository(spec, service);
    const built =
      images.find((i) => i.service === service) ?? images.find((i) => i.repository === repository);
    built?.runBy.push(service);
  }
  const names = environments.map((e) => e.name);
  const automatic = names.includes('staging')
    ? 'staging'
    : environments.find((e) => e.approval === 'none' && e.name !== 'dev')?.name;
  return {
    app: spec.app,
    runners: runnersOf(spec.ci?.runner),
    gates: {
      coverage: spec.ci?.coverage,
      sast: spec.ci?.sast ?? false,
      severity: (spec.ci?.scan?.severity ?? [TRIVY_FAIL_SEVERITY]).join(','),
      ignoreUnfixed: (spec.ci?.scan?.unfixed ?? 'ignore') === 'ignore',
    },
    specPath: opts.specPath,
    slipwayVersion: opts.slipwayVersion,
    slipwayIntegrity: opts.slipwayIntegrity,
    images,
    environments,
    automatic,
    gated: environments.filter((e) => e.approval === 'required' && e.name !== automatic).map((e) => e.name),
    chartRepository: chartRepositoryOf(spec),
    dependencyImages: opts.objectImages?.(images.map((i) => i.repository)) ?? [],
    configFiles: [...new Set((opts.configFiles ?? []).map((f) => repoPath(opts.specPath, f)))].sort(),
    ageKey: Object.values(spec.services).some((s) => (s.secrets ?? []).length > 0),
  };
}

/** POSIX join that keeps `./Dockerfile` as `Dockerfile` and `api/` + `Dockerfile` as `api/Dockerfile`. */
function joinPath(dir: string, file: string): string {
  const d = dir.replace(/\/+$/, '');
  return d === '' || d === '.' ? file : `${d}/${file}`;
}

/** `ci.runner`: labels for every job, or per kind with `default` (else ubuntu-latest) for the kinds not named. */
export function runnersOf(runner: NonNullable<App['ci']>['runner']): Record<RunnerKind, RunsOn> {
  if (runner === undefined || typeof runner === 'string' || Array.isArray(runner))
    return { default: runner ?? RUNNER, build: runner ?? RUNNER, deploy: runner ?? RUNNER };
  const fallback = runner.default ?? RUNNER;
  return { default: fallback, build: runner.build ?? fallback, deploy: runner.deploy ?? fallback };
}

/** `ci.chart`, else `oci://<registry>/charts` (beside the images, never the name of one). */
export function chartRepositoryOf(spec: App): string | undefined {
  const chart = spec.ci?.chart;
  if (chart === false) return undefined;
  if (chart) return chart.replace(/\/+$/, '');
  return spec.registry ? `oci://${spec.registry.replace(/\/+$/, '')}/charts` : undefined;
}
