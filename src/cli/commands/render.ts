/**
 * `slipway render`: the spec as Kubernetes objects (stdout), or as a Helm chart, kustomize tree
 * or docker-compose.yml (files under --out). The formats come from the registry in
 * src/cli/formats.ts; this file only reads the spec, renders each environment and writes.
 */
import { podSecurityLevel } from '../../policy/pss/level.js';
import { podSecurityLabels } from '../../render/objects/namespace.js';
import { slipwayPackage } from '../../package.js';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';
import type { FormatWarning, FormatWriter, RenderedEnvironment } from '../formats.js';
import { FORMAT_NAMES, loadFormat } from '../format-loaders.js';
import { parseSpec } from '../../spec/parse.js';
import { DEFAULT_SPEC_FILE, readSpecText, STDIN_PATH } from '../load-spec.js';
import { environmentNames } from '../../spec/resolve.js';
import type { App } from '../../spec/schema.js';
import { outputOption, parseOutput, type CommandContext, type RegisterCommand } from '../command.js';
import { dependencyProvider } from '../../spec/dependency-provider.js';
import { inputsOf, parseImages, renderEnvironment, type Inputs } from '../spec-render.js';
import type { DeploySecrets } from '../../secrets/kube-secrets.js';

interface RenderFlags {
  file: string;
  env?: string;
  format: string;
  out?: string;
  imageTag: string[];
  output?: string;
  includeSecrets?: boolean;
}

/** Lists what the previous run wrote, so a re-render removes files of objects that are gone. */
export const WRITTEN_LIST = '.slipway-render.json';

const collect = (value: string, previous: string[]) => [...previous, value];

export const registerRender: RegisterCommand = (program: Command, ctx: CommandContext) => {
  const names = FORMAT_NAMES;
  program
    .command('render')
    .summary('write manifests, Helm, kustomize, workflows, docs')
    .description(
      'render slipway.yaml as Kubernetes objects, a Helm chart, kustomize overlays, docker-compose.yml, GitHub workflows, runbooks or a Grafana dashboard',
    )
    .option('-f, --file <path>', 'the spec (- reads stdin)', DEFAULT_SPEC_FILE)
    .option(
      '-e, --env <name>',
      'the environment (manifests, compose); helm and kustomize write every environment, manifests too with --out and no --env',
    )
    .option('--format <format>', `one of ${names.join(', ')}`, 'manifests')
    .option('--out <dir>', 'write the files into this folder instead of printing')
    .option(
      '--image-tag <[service=]tag>',
      'image tag or sha256 digest: SERVICE=TAG for one service, a bare TAG for every service (repeatable)',
      collect,
      [],
    )
    .option(
      '--include-secrets',
      'manifests: also write the Secrets from secrets/ENV.yaml (needs SLIPWAY_AGE_KEY); the output then holds the values',
    )
    .addOption(outputOption())
    .action(async (flags: RenderFlags) => runRender(flags, ctx));
};

export async function runRender(flags: RenderFlags, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const writer = await loadFormat(flags.format);
  if (!writer) {
    throw new UserError(`unknown format "${flags.format}"`, {
      code: 'render/unknown-format',
      path: '--format',
      hint: `one of ${FORMAT_NAMES.join(', ')}`,
    });
  }
  if (!flags.out && !writer.stdout) {
    throw new UserError(`--format ${writer.name} writes a folder of files`, {
      code: 'render/needs-out',
      path: '--out',
      hint: `add --out DIR, e.g. slipway render --format ${writer.name} --out ${writer.name === 'helm' ? 'chart' : 'deploy'}`,
    });
  }
  // undefined: every environment; null: the one --env names, or the only one declared.
  const every = writer.scope === 'all' || (writer.scope === 'each' && flags.out !== undefined && !flags.env);
  const loaded = await loadForRender(flags.file, io, every ? undefined : (flags.env ?? null), writer);
  const specFile = loaded.specFile;
  const images = parseImages(flags.imageTag, loaded.spec);
  const warnings: FormatWarning[] = [];
  if (flags.includeSecrets && writer.name !== 'manifests') {
    throw new UserError(
      `--include-secrets writes Secret manifests; --format ${writer.name} has no place for them`,
      {
        code: 'render/include-secrets',
        path: '--include-secrets',
        hint: 'use --format manifests, or let slipway deploy apply the Secrets',
      },
    );
  }
  const secrets = new Map<string, DeploySecrets>();
  for (const app of flags.includeSecrets ? loaded.environments : []) {
    // Loaded only here: a plain render never loads age.
    const { openDeploySecrets } = await import('../deploy-secrets.js');
    const opened = await openDeploySecrets(app, specFile, io);
    if (!opened) {
      throw new UserError(`--include-secrets: environment ${app.environment} has no secrets to write`, {
        code: 'render/include-secrets',
        path: '--include-secrets',
        hint:
          app.secrets?.store && app.secrets.store !== 'sops'
            ? `secrets.store is ${app.secrets.store}: the operator writes the Secrets in the cluster, render has no values`
            : `a service lists secrets: and ${(app.secrets?.file ?? 'secrets/{env}.yaml').replaceAll('{env}', app.environment)} exists (slipway secrets init --env ${app.environment})`,
      });
    }
    secrets.set(app.environment, opened);
  }
  const environments: RenderedEnvironment[] = loaded.environments.map((resolved) => {
    const opened = secrets.get(resolved.environment);
    const app = opened ? { ...resolved, secretChecksums: opened.checksums } : resolved;
    const rendered = renderEnvironment(loaded.spec, app, loaded.name, { images, files: loaded.files });
    const result = opened ? { ...rendered, objects: [...opened.objects, ...rendered.objects] } : rendered;
    warnings.push(
      ...result.warnings.map((w) => ({
        format: 'render',
        path: w.path,
        message: `${app.environment}: ${w.message}`,
      })),
    );
    // Evaluated when a writer or the next-step hint reads it: printing manifests never does, and
    // the evaluation costs as much as writing the YAML.
    let podSecurity: RenderedEnvironment['podSecurity'];
    return {
      environment: app.environment,
      app,
      objects: result.objects,
      get podSecurity() {
        return (podSecurity ??= podSecurityLevel(result.objects, app.kubernetes?.version));
      },
    };
  });
  const wanted = writer.wants?.(loaded.spec) ?? [];
  const output = writer.write({
    spec: loaded.spec,
    environments,
    files: { ...loaded.files, ...wantedFiles(specFile, wanted) },
    directories: wantedDirectories(specFile, wanted),
    specPath: repositoryPath(specFile, flags.out ? resolve(io.cwd, flags.out) : io.cwd),
    slipway: slipwayPackage(),
  });
  warnings.push(...output.warnings);
  const json = parseOutput(flags.output) === 'json';

  if (!flags.out) {
    if (output.files.size !== 1) {
      throw new UserError(`--format ${writer.name} writes ${output.files.size} files here`, {
        code: 'render/needs-out',
        path: '--out',
        hint: `add --out DIR (files: ${[...output.files.keys()].join(', ')})`,
      });
    }
    const [, content] = [...output.files][0]!;
    if (json) io.out(JSON.stringify({ format: writer.name, content, warnings }, null, 2) + '\n');
    else io.out(content);
  } else {
    const outDir = resolve(io.cwd, flags.out);
    const shown = relative(io.cwd, outDir) || '.';
    const removed = writeFiles(outDir, shown, output.files);
    const written = [...output.files.keys()];
    if (json)
      io.out(
        JSON.stringify({ format: writer.name, out: outDir, files: written, removed, warnings }, null, 2) +
          '\n',
      );
    else {
      io.out(
        `wrote ${written.length} file${written.length === 1 ? '' : 's'} to ${shown}${removed.length ? ` (removed ${removed.length} stale)` : ''}\n`,
      );
      io.out(nextStep(writer.name, shown, environments, loaded.spec));
    }
  }
  if (!json)
    for (const w of warnings)
      io.err(`warning: ${w.path}: ${w.message}${w.format === 'render' ? '' : ` (${w.format})`}\n`);
}

/** The files a writer wants (language markers such as go.mod), read next to slipway.yaml when present. */
function wantedFiles(specFile: string, paths: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const path of paths.filter((p) => !p.endsWith('/'))) {
    const full = resolve(dirname(specFile), path);
    if (existsSync(full) && statSync(full).isFile()) files[path] = readFileSync(full, 'utf8');
  }
  return files;
}

/** The directories a writer wants (paths ending in `/`, such as policy-tests/) that exist next to slipway.yaml. */
function wantedDirectories(specFile: string, paths: string[]): string[] {
  return paths.filter((p) => {
    if (!p.endsWith('/')) return false;
    const full = resolve(dirname(specFile), p);
    return existsSync(full) && statSync(full).isDirectory();
  });
}

/** slipway.yaml as seen from the output folder, which the workflows treat as the repository root. */
function repositoryPath(specFile: string, root: string): string {
  const path = relative(root, specFile).split('\\').join('/');
  return path.startsWith('..') ? 'slipway.yaml' : path;
}

/**
 * Reads and resolves the spec. `env`: a name; `null` for "one environment, from --env or the
 * only one declared"; `undefined` for every environment (helm, kustomize).
 */
async function loadForRender(
  flag: string,
  io: CommandContext['io'],
  env: string | null | undefined,
  writer: FormatWriter,
): Promise<Inputs & { specFile: string; name: string }> {
  // `-f -` reads stdin, named <stdin> in problems; the files it names are read from the working directory.
  const specFile = flag === STDIN_PATH ? join(io.cwd, DEFAULT_SPEC_FILE) : resolve(io.cwd, flag);
  // A missing file is the message validate and deploy give (spec.missing).
  const { text, name } = await readSpecText(flag, { cwd: io.cwd, stdin: io.stdin });
  // Problems name the spec as the user wrote it (-f), as validate's do.
  const spec = parseSpec(text, name);
  const declared = environmentNames(spec);
  let names: string[];
  if (env === undefined) names = declared;
  else if (env !== null) names = [env];
  else if (declared.length === 1) names = declared;
  else {
    throw new UserError(`this format renders one environment; the spec declares ${declared.join(', ')}`, {
      code: 'render/needs-env',
      path: '--env',
      hint:
        writer.scope === 'each'
          ? `add --env ${declared[0]}, or --out DIR to write every environment (${declared.map((d) => `${d}.yaml`).join(', ')})`
          : `add --env ${declared[0]}`,
    });
  }
  return { ...inputsOf(spec, name, names, 'render', dirname(specFile)), specFile, name };
}

/** Writes the files, then deletes what the previous render wrote there and this one did not. */
function writeFiles(outDir: string, shown: string, files: Map<string, string>): string[] {
  refuseUnwritable(outDir, shown, files);
  const listPath = join(outDir, WRITTEN_LIST);
  const previous = previousFiles(listPath);
  try {
    for (const [path, content] of files) {
      const target = join(outDir, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    const removed = previous.filter((p) => !files.has(p) && !p.includes('..'));
    for (const path of removed) rmSync(join(outDir, path), { force: true });
    writeFileSync(listPath, JSON.stringify({ files: [...files.keys()] }, null, 2) + '\n');
    return removed;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!code) throw error;
    throw new UserError(`${shown}: cannot write there (${code})`, {
      code: 'render/out-unwritable',
      path: '--out',
      hint: 'pass --out with a folder you can write to',
    });
  }
}

/** The files the last render wrote here (so stale ones can be removed); none when the list is unreadable. */
function previousFiles(listPath: string): string[] {
  if (!existsSync(listPath)) return [];
  try {
    const files = (JSON.parse(readFileSync(listPath, 'utf8')) as { files?: unknown }).files;
    return Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Checks before the first write that every folder on the way is a folder and no file to write is a
 * folder, so a render never stops half-way through with some files written.
 */
function refuseUnwritable(outDir: string, shown: string, files: Map<string, string>): void {
  const kind = (path: string) => {
    try {
      return statSync(path).isDirectory() ? 'dir' : 'file';
    } catch {
      return undefined;
    }
  };
  const fail = (message: string) =>
    new UserError(message, {
      code: 'render/out-conflict',
      path: '--out',
      hint: 'pass --out with a new folder, or move that file away',
    });
  if (kind(outDir) === 'file') throw fail(`${shown} is a file, not a folder`);
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (kind(join(outDir, ...parts.slice(0, i))) === 'file')
        throw fail(`${join(shown, ...parts.slice(0, i))} is a file, but ${path} goes inside it`);
    }
    if (kind(join(outDir, path)) === 'dir')
      throw fail(`${join(shown, path)} is a folder, but render writes a file there`);
  }
}

/** A chart with subcharts (provider: chart) needs them fetched into charts/ before it installs. */
function subchartStep(envs: RenderedEnvironment[], out: string): string {
  const subcharts = envs.some((e) =>
    Object.values(e.app.dependencies).some((d) => dependencyProvider(d) === 'chart'),
  );
  return subcharts ? `next: helm dependency build ${out} (fetches the subcharts Chart.yaml names)\n` : '';
}

/** `key=value` pairs of the namespace's Pod Security Admission labels. */
function namespaceLabelArgs(env: RenderedEnvironment): string {
  return Object.entries(podSecurityLabels(env.app, env.podSecurity ?? 'restricted'))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function nextStep(format: string, out: string, envs: RenderedEnvironment[], spec: App): string {
  const env = envs[envs.length - 1];
  if (!env) return '';
  switch (format) {
    case 'helm':
      return `${subchartStep(envs, out)}next: helm upgrade --install ${spec.app} ${out} -f ${out}/values-${env.environment}.yaml --namespace ${env.app.namespace} --create-namespace\n`;
    case 'kustomize':
      return `next: kubectl apply -k ${out}/overlays/${env.environment} (the overlay makes its Namespace; read its README.md first when it has one)\n`;
    case 'compose':
      return `next: docker compose -f ${out}/docker-compose.yml up --build\n`;
    case 'workflows':
    case 'all':
      return `next: commit ${out}/.github/workflows, give each GitHub Environment a KUBECONFIG secret and production its required reviewers (docs/workflows.md)\n`;
    case 'runbooks':
      return `next: read ${out}/docs/runbooks/README.md\n`;
    case 'terraform':
      return `next: terraform -chdir=${out}/environments/${env.environment} init && terraform -chdir=${out}/environments/${env.environment} plan (docs/infrastructure.md)\n`;
    case 'dashboards':
      return `next: import ${out}/deploy/grafana/${spec.app}.json in Grafana (Dashboards > New > Import)\n`;
    default:
      return `next: kubectl create namespace ${env.app.namespace} && kubectl label namespace ${env.app.namespace} ${namespaceLabelArgs(env)} (once; the manifests do not create it), then kubectl apply -f ${out}/${env.environment}.yaml${
        envs.length > 1
          ? ` (and likewise each other environment's file: ${envs
              .slice(0, -1)
              .map((e) => `${e.environment}.yaml`)
              .join(', ')})`
          : ''
      }\n`;
  }
}
