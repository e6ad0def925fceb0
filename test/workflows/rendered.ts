import { readFileSync } from 'node:fs';
import type { FormatInput } from '../../src/cli/formats.js';
import { renderApp } from '../../src/render/index.js';
import { environmentNames, parseSpec, resolveEnvironment } from '../../src/spec/index.js';

/** Every environment rendered, as `slipway render` gives the writers; images tagged 1.0.0 where the spec has no tag. */
export function renderedInputOfFile(file: string): FormatInput {
  const spec = parseSpec(readFileSync(file, 'utf8'), file);
  const images = Object.fromEntries(Object.keys(spec.services).map((s) => [s, '1.0.0']));
  return {
    spec,
    environments: environmentNames(spec).map((environment) => {
      const app = resolveEnvironment(spec, environment, file);
      return { environment, app, objects: renderApp(app, { images }).objects };
    }),
  };
}
