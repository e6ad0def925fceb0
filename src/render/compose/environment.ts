/**
 * A service's environment for Compose: spec values with `${target.output}` references resolved to
 * Compose service names (`db`, not `shop-db.shop.svc`), secrets read from the developer's shell or
 * `.env` (`${STRIPE_KEY}`: Compose interpolation; values never appear in the file), and every
 * literal `$` doubled so Compose does not interpolate text the spec meant literally.
 */
import type { Service } from '../../spec/schema.js';
import type { ResolvedApp } from '../../spec/resolved.js';
import { findReferences, mainPort, sqliteVolume, SQLITE_DEFAULT_FILE } from '../references.js';
import type { ComposeDependency } from './dependencies.js';

export interface ComposeEnvironment {
  environment: Record<string, string>;
  /** Dependencies and services the values reference: the service waits for them. */
  dependencies: string[];
  services: string[];
  warnings: { field: string; message: string }[];
}

export function composeEnvironment(
  app: ResolvedApp,
  service: Service,
  deps: Map<string, ComposeDependency>,
): ComposeEnvironment {
  const out: ComposeEnvironment = { environment: {}, dependencies: [], services: [], warnings: [] };
  for (const [key, raw] of Object.entries(service.env ?? {})) {
    const text = String(raw);
    let result = '';
    let at = 0;
    for (const ref of findReferences(text)) {
      const start = text.indexOf(ref.text, at);
      result += escapeDollars(text.slice(at, start));
      const resolved = resolve(app, ref.target, ref.output, deps, out);
      if (resolved === undefined) {
        out.warnings.push({
          field: `env.${key}`,
          message: `${ref.text} has no local equivalent; left for you to set as \${${key}}`,
        });
        result += `\${${key}}`;
      } else {
        result += resolved;
      }
      at = start + ref.text.length;
    }
    out.environment[key] = result + escapeDollars(text.slice(at));
  }
  for (const secret of service.secrets ?? []) out.environment[secret] = `\${${secret}}`;
  return out;
}

function resolve(
  app: ResolvedApp,
  target: string,
  output: string,
  deps: Map<string, ComposeDependency>,
  out: ComposeEnvironment,
): string | undefined {
  const dep = deps.get(target);
  if (dep) {
    if (!out.dependencies.includes(target)) out.dependencies.push(target);
    return dep.outputs[output];
  }
  const dependency = app.dependencies[target];
  if (dependency?.type === 'sqlite') {
    const volume = sqliteVolume(app, dependency);
    if (!volume) return undefined;
    const file = `${volume.path.replace(/\/$/, '')}/${dependency.file ?? SQLITE_DEFAULT_FILE}`;
    return output === 'path' ? file : output === 'url' ? `sqlite://${file}` : undefined;
  }
  if (dependency?.external) return `\${${`${target}_${output}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}}`;
  const other = app.services[target];
  const port = other && mainPort(other);
  if (!other || port === undefined) return undefined;
  if (!out.services.includes(target)) out.services.push(target);
  return { host: target, port: String(port), url: `http://${target}:${port}` }[output];
}

function escapeDollars(text: string): string {
  return text.replace(/\$/g, '$$$$');
}
