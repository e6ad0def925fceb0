/**
 * The one way in from the working tree, shared by render, check, validate, deploy, diff, status and
 * drift, so each refuses exactly what the others would: loading slipway.yaml, resolving its
 * environments, reading the `config[].from` files they name, the `--image-tag` flag, and
 * rendering one resolved environment with its problems placed in slipway.yaml.
 */
import type { KubeObject } from '@slipway/kube';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError, UserErrors, type Problem } from '../errors.js';
import { planningProblems } from '../engine/plan/refusals.js';
import { renderApp, type RenderResult } from '../render/index.js';
import { locateProblems } from '../spec/located.js';
import { resolveEnvironment } from '../spec/resolve.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { App } from '../spec/schema.js';
import { loadSpec } from './load-spec.js';

/** What a command takes from the working tree: the spec, the environments it asked for, and the files they name. */
export interface Inputs {
  spec: App;
  environments: ResolvedApp[];
  /** Contents of each `config[].from` file, keyed as the spec writes it. */
  files: Record<string, string>;
}

/**
 * Resolves `names` of a parsed spec and reads the files they name (in `dir`, the folder of
 * slipway.yaml); a missing file is a problem at its `from:` (code `<command>/config-missing`).
 */
export function inputsOf(
  spec: App,
  specFile: string,
  names: string[],
  command: string,
  dir?: string,
): Inputs {
  const environments = names.map((name) => resolveEnvironment(spec, name, specFile));
  const { files, problems } = configFiles(spec, specFile, environments, dir);
  if (problems.length) throw new UserErrors(problems, `${command}/config-missing`);
  return { spec, environments, files };
}

/** The one pipeline's first half for a command: load slipway.yaml, resolve `names` (default: every environment), read the files. */
export async function loadInputs(
  specFile: string,
  names: (spec: App) => string[],
  command: string,
): Promise<Inputs> {
  const spec = await loadSpec(specFile);
  return inputsOf(spec, specFile, names(spec), command);
}

/**
 * Contents of every `config[].from` file, read next to slipway.yaml (render itself never reads
 * files) in `dir`, the folder of slipway.yaml; a missing one is a problem at its `from:`.
 */
export function configFiles(
  spec: App,
  specFile: string,
  environments: ResolvedApp[],
  dir: string = dirname(specFile),
): { files: Record<string, string>; problems: Problem[] } {
  const files: Record<string, string> = {};
  const problems: Problem[] = [];
  const missing = new Set<string>();
  for (const env of environments) {
    for (const [name, service] of Object.entries(env.services)) {
      for (const [i, config] of (service.config ?? []).entries()) {
        if (config.from === undefined || config.from in files || missing.has(config.from)) continue;
        const path = resolve(dir, config.from);
        if (existsSync(path)) {
          files[config.from] = readFileSync(path, 'utf8');
          continue;
        }
        missing.add(config.from);
        problems.push(
          ...locateProblems(spec, env.environment, specFile, [
            {
              message: `${config.from} does not exist (looked in ${dir})`,
              path: `services.${name}.config[${i}].from`,
              hint: 'paths are relative to slipway.yaml',
            },
          ]),
        );
      }
    }
  }
  return { files, problems };
}

/** `api=1.4.2` for one service, `1.4.2` for all (a CI build tags every image with one version). */
export function parseImages(values: string[], spec: App): Record<string, string> {
  const images: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at < 0) {
      for (const name of Object.keys(spec.services)) images[name] = value;
      continue;
    }
    const service = value.slice(0, at);
    if (!value.slice(at + 1) || !(service in spec.services)) {
      throw new UserError(`--image-tag ${value}: expected SERVICE=TAG with a service of the spec`, {
        code: 'render/bad-flag',
        path: '--image-tag',
        hint: `services: ${Object.keys(spec.services).join(', ')}`,
      });
    }
    images[service] = value.slice(at + 1);
  }
  return images;
}

/**
 * Renders one environment; render's problems and what a deploy's planning would refuse come back
 * as UserErrors placed in slipway.yaml (the overlay line when the environment sets the field).
 */
export function renderEnvironment(
  spec: App,
  app: ResolvedApp,
  specFile: string,
  opts: { images: Record<string, string>; files: Record<string, string> },
): RenderResult {
  let result: RenderResult;
  try {
    result = renderApp(app, opts);
  } catch (error) {
    if (!(error instanceof UserErrors)) throw error;
    throw new UserErrors(
      locateProblems(spec, app.environment, specFile, error.problems),
      error.code,
      error.exitCode,
    );
  }
  const refused = planningProblems(app, result.objects as KubeObject[]);
  if (refused.length)
    throw new UserErrors(locateProblems(spec, app.environment, specFile, refused), 'deploy/plan');
  return result;
}
