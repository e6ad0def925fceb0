import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { manifestsYaml, renderApp } from '../../render/index.js';
import {
  environmentNames,
  loadSpec,
  resolveEnvironment,
  withSpecPositions,
  type ResolvedApp,
} from '../../spec/index.js';

/**
 * Renders slipway.yaml for `slipway check`: the spec is loaded, resolved for --env (or for every
 * environment it declares) and rendered by the same renderApp `slipway render` uses; the checker
 * reads each YAML stream as its own input set. Lines of findings are lines of the rendered stream.
 */
export function specRenderer(
  env: string | undefined,
): (file: string) => Promise<Array<{ environment: string; text: string }>> {
  return async (file) => {
    const spec = await loadSpec(file);
    const names = env ? [env] : environmentNames(spec);
    return names.map((name) => {
      const app = resolveEnvironment(spec, name, file);
      const rendered = withSpecPositions(spec, name, file, () =>
        renderApp(app, { files: configFiles(file, app) }),
      );
      return { environment: name, text: manifestsYaml(rendered.objects) };
    });
  };
}

/** Contents of `config[].from` files, read next to slipway.yaml (render itself never reads files). */
function configFiles(specFile: string, app: ResolvedApp): Record<string, string> {
  const files: Record<string, string> = {};
  for (const service of Object.values(app.services)) {
    for (const config of service.config ?? []) {
      if (config.from === undefined || config.from in files) continue;
      const path = resolve(dirname(specFile), config.from);
      if (!existsSync(path))
        throw new UserError(`${config.from} does not exist (looked in ${dirname(specFile)})`, {
          code: 'check/config-missing',
          hint: 'paths are relative to slipway.yaml',
        });
      files[config.from] = readFileSync(path, 'utf8');
    }
  }
  return files;
}
