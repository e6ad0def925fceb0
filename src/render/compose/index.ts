/**
 * The Compose writer: `docker-compose.yml` for local development of one environment. Dependencies
 * run as Compose services with healthchecks; app services keep what a laptop can honour of the
 * cluster's security defaults (non-root user, read-only root with a /tmp tmpfs, no new privileges,
 * all capabilities dropped, the same CPU and memory limits). Whatever Compose cannot express is
 * reported as a warning naming the spec field (docs/helm.md, "Compose").
 */
import type { FormatInput, FormatOutput, FormatWarning, FormatWriter } from '../format.js';
import { toYaml } from '../yaml.js';
import { composeDependency, type ComposeDependency } from './dependencies.js';
import { composeService } from './service.js';

export const composeWriter: FormatWriter = {
  name: 'compose',
  description: 'docker-compose.yml for local development, dependencies included',
  scope: 'environment',
  stdout: true,
  write: writeCompose,
};

export const COMPOSE_FILE = 'docker-compose.yml';

export function writeCompose(input: FormatInput): FormatOutput {
  const env = input.environments[0];
  if (!env) throw new Error('compose writer: no environment to write');
  const app = env.app;
  const warnings: FormatWarning[] = [];
  const files = new Map<string, string>();
  const services: Record<string, unknown> = {};
  const volumes: Record<string, unknown> = {};
  const configs: Record<string, unknown> = {};

  const deps = new Map<string, ComposeDependency>();
  for (const [name, dependency] of Object.entries(app.dependencies)) {
    if (dependency.external) {
      warnings.push({
        format: 'compose',
        path: `dependencies.${name}.external`,
        message: `external ${dependency.type}: not started locally; set ${name.toUpperCase().replace(/-/g, '_')}_URL in your shell or .env`,
      });
      continue;
    }
    const dep = composeDependency(app.app, name, dependency);
    if (!dep) continue;
    deps.set(name, dep);
    services[name] = dep.service;
    volumes[dep.volume] = {};
    for (const field of ['resources', 'storage', 'storageClass'] as const) {
      if (dependency[field] !== undefined) {
        warnings.push({
          format: 'compose',
          path: `dependencies.${name}.${field}`,
          message: `not applied locally (Compose runs ${dependency.type} without ${field === 'resources' ? 'limits' : 'a storage size'})`,
        });
      }
    }
  }

  for (const [name, service] of Object.entries(app.services)) {
    const out = composeService({ app, name, service, objects: env.objects, deps, files: input.files ?? {} });
    warnings.push(...out.warnings);
    Object.assign(services, out.services);
    Object.assign(volumes, out.volumes);
    Object.assign(configs, out.configs);
    for (const [path, content] of out.files) files.set(path, content);
  }

  for (const name of Object.keys(app.backups)) {
    warnings.push({
      format: 'compose',
      path: `backups.${name}`,
      message: 'backups are not scheduled locally',
    });
  }
  if (Object.keys(app.deploy).length) {
    warnings.push({
      format: 'compose',
      path: 'deploy',
      message: 'rollout strategy and analysis apply to cluster deploys; Compose recreates containers',
    });
  }
  const compose: Record<string, unknown> = { services };
  if (Object.keys(volumes).length) compose.volumes = volumes;
  if (Object.keys(configs).length) compose.configs = configs;
  const header = `# ${app.app} for local development (environment "${app.environment}"). Written by slipway render --format compose; change slipway.yaml, not this file.\n# Start: docker compose up --build\n`;
  files.set(COMPOSE_FILE, header + toYaml(compose));
  return {
    files: new Map(
      [...files.entries()].sort(([a], [b]) =>
        a === COMPOSE_FILE ? -1 : b === COMPOSE_FILE ? 1 : a < b ? -1 : 1,
      ),
    ),
    warnings,
  };
}
