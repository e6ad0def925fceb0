import type { SpecRendering } from '../policy/sources/collect.js';
import { specPlacer } from '../policy/sources/spec-origins.js';
import { originKey, renderApp } from '../render/index.js';
import { environmentNames, withSpecPositions } from '../spec/index.js';
import { loadInputs } from './spec-render.js';
import { renderTerraform } from '../infra/index.js';

/**
 * Renders slipway.yaml for `slipway check`: the spec is loaded, resolved for --env (or for every
 * environment it declares) and rendered by the same renderApp `slipway render` uses; the checker
 * reads each environment's objects as its own input set, as plain data (no YAML in between). Findings are placed in slipway.yaml, at the field that
 * produced the rendered field (spec-origins.ts), never at a line of the rendered stream.
 */
export function specRenderer(env: string | undefined): (file: string) => Promise<SpecRendering[]> {
  return async (file) => {
    const {
      spec,
      environments: apps,
      files,
    } = await loadInputs(file, (s) => (env ? [env] : environmentNames(s)), 'check');
    return apps.map((app) => {
      const name = app.environment;
      const rendered = withSpecPositions(spec, name, file, () => renderApp(app, { files }));
      const place = specPlacer(spec, name, file);
      const infra = app.infrastructure;
      const terraform = infra
        ? {
            files: renderTerraform({
              spec,
              environments: [{ environment: name, app, objects: rendered.objects }],
              specPath: file,
            }).files,
            production: app.approval === 'required' || name === 'production',
            // A resource named after a dependency (`aws_db_instance.db`) is that dependency's; the
            // rest (buckets, DNS, identities) come from `infrastructure:`.
            placeResource: (r: { kind: string; name: string }) => {
              const origin = r.name in app.dependencies ? `dependencies.${r.name}` : 'infrastructure';
              const at = place({ kind: r.kind, origin }, []);
              return { line: at.line, column: at.column };
            },
          }
        : undefined;
      return {
        environment: name,
        objects: rendered.objects,
        ...(terraform ? { terraform } : {}),
        place: (ref, path) => {
          const key = originKey({ kind: ref.kind, metadata: { namespace: ref.namespace, name: ref.name } });
          const at = place({ kind: ref.kind, origin: rendered.origins[key] }, path);
          return { line: at.line, column: at.column };
        },
      };
    });
  };
}
