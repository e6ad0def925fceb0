/**
 * Positions for problems found after an environment is resolved (render's: a missing image tag, a
 * volume name render reserves): their dotted field path is looked up in slipway.yaml, in the
 * environment's overlay when it sets the field, else at the top level, as validate does.
 */
import { UserErrors, type Problem } from '../errors.js';
import { environmentLocator, mergeEnvironment } from './resolve.js';
import type { App } from './schema.js';
import type { PathSegment } from './source.js';

/** `services.api.config[0].from` -> ['services', 'api', 'config', 0, 'from']. */
export function pathSegments(path: string): PathSegment[] {
  return path.split('.').flatMap((part) => {
    const [name, ...indexes] = part.split('[');
    return [name ?? '', ...indexes.map((i) => Number.parseInt(i, 10))].filter((s) => s !== '');
  });
}

/** The problems with a position in `file`; problems about a flag (`--image-tag`) keep none. */
export function locateProblems(app: App, env: string, file: string, problems: Problem[]): Problem[] {
  const locator = environmentLocator(app, env, mergeEnvironment(app, env), file);
  return problems.map((p) =>
    p.location || !p.path || p.path.startsWith('--')
      ? p
      : { ...p, location: locator(pathSegments(p.path), false) },
  );
}

/** Runs `render`; its UserErrors come back with positions in slipway.yaml. */
export function withSpecPositions<T>(app: App, env: string, file: string, render: () => T): T {
  try {
    return render();
  } catch (error) {
    if (!(error instanceof UserErrors)) throw error;
    throw new UserErrors(locateProblems(app, env, file, error.problems), error.code, error.exitCode);
  }
}
