import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { manifestsYaml, originKey, renderApp } from '../../render/index.js';
import {
  environmentNames,
  loadSpec,
  resolveEnvironment,
  withSpecPositions,
  type ResolvedApp,
} from '../../spec/index.js';
import type { SpecRendering } from './collect.js';
import { specPlacer } from './spec-origins.js';

/**
 * Renders slipway.yaml for `slipway check`: the spec is loaded, resolved for --env (or for every
 * environment it declares) and rendered by the same renderApp `slipway render` uses; the checker
 * reads each YAML stream as its own input set. Findings are placed in slipway.yaml, at the field that
 * produced the rendered field (spec-origins.ts), never at a line of the rendered stream.
 */
export function specRenderer(env: string | undefined): (file: string) => Promise<SpecRendering[]> {
  return async (file) => {
    const spec = await loadSpec(file);
    const names = env ? [env] : environmentNames(spec);
    return names.map((name) => {
      const app = resolveEnvironment(spec, name, file);
      const rendered = withSpecPositions(spec, name, file, () =>
        renderApp(app, { files: configFiles(file, app) }),
      );
      const place = specPlacer(spec, name, file);
      return {
        environment: name,
        text: manifestsYaml(rendered.objects),
        place: (ref, path) => {
          const key = originKey({ kind: ref.kind, metadata: { namespace: ref.namespace, name: ref.name } });
          const at = place({ kind: ref.kind, origin: rendered.origins[key] }, path);
          return { line: at.line, column: at.column };
        },
      };
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
