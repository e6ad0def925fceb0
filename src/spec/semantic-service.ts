/** Cross-field checks of one service: ports, public exposure, jobs, autoscaling, volumes, env, health checks. */
import { checkReferences } from './references.js';
import { CLASSIC_ENV_NAME, type HealthCheck, type Service } from './schema.js';
import type { CheckedSpec, SpecProblem } from './spec-problem.js';
import type { PathSegment } from './source.js';

export function hasPort(s: Service): boolean {
  return s.port !== undefined || (s.ports?.length ?? 0) > 0;
}

function checkHealth(out: SpecProblem[], path: PathSegment[], s: Service): void {
  for (const kind of ['readiness', 'liveness', 'startup'] as const) {
    const check: HealthCheck | undefined = s.health?.[kind];
    if (check === undefined || typeof check === 'string') {
      if (typeof check === 'string' && !hasPort(s)) {
        out.push({
          path: [...path, 'health', kind],
          message: 'an HTTP check needs a port, and this service has none',
          hint: 'set port on the service',
        });
      }
      continue;
    }
    const at = [...path, 'health', kind];
    const kinds = (['http', 'tcp', 'exec'] as const).filter((k) => check[k] !== undefined);
    if (kinds.length !== 1) {
      out.push({
        path: at,
        message:
          kinds.length === 0
            ? 'a health check needs one of http, tcp or exec'
            : `a health check takes exactly one of http, tcp or exec, got ${kinds.join(' and ')}`,
        hint: 'e.g. { http: /healthz }, { tcp: true, port: 5432 } or { exec: [pg_isready] }',
      });
    } else if (kinds[0] !== 'exec' && check.port === undefined && !hasPort(s)) {
      out.push({
        path: at,
        message: `a ${kinds[0]} check needs a port, and neither the check nor the service sets one`,
        hint: 'set port on the check',
      });
    } else if (kinds[0] === 'exec' && check.port !== undefined) {
      out.push({
        path: [...at, 'port'],
        message: 'an exec check runs a command; port has no meaning here',
        hint: 'remove port',
      });
    }
    if (kind !== 'readiness' && check.successThreshold !== undefined && check.successThreshold !== 1) {
      out.push({
        path: [...at, 'successThreshold'],
        message: `${kind} checks must have successThreshold 1 (Kubernetes rejects other values)`,
      });
    }
  }
}

/**
 * An image reference as container runtimes parse it (the distribution/reference grammar): an optional
 * registry host[:port], lower-case path components, an optional tag and an optional digest.
 */
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const PATH_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*(?::[0-9]+)?/)?${PATH_PART}(?:/${PATH_PART})*` +
    '(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$',
);

export function isImageReference(image: string): boolean {
  return IMAGE_REFERENCE.test(image);
}

/** RelaxedEnvironmentVariableValidation is on by default from this minor (beta in 1.32, GA in 1.34). */
export const RELAXED_ENV_MINOR = 32;
const RELAXED_ENV_MINOR_TEXT = `1.${RELAXED_ENV_MINOR}`;

/** Whether the target Kubernetes takes any printable ASCII but `=`; without a version, the classic rule. */
export function relaxedEnvNames(version: string | undefined): boolean {
  const minor = version ? Number(version.split('.')[1]) : NaN;
  return Number.isInteger(minor) && minor >= RELAXED_ENV_MINOR;
}

/** apimachinery IsEnvVarName: the regex, and not `.`, `..` or a name starting with `..`. */
export function isClassicEnvName(name: string): boolean {
  return CLASSIC_ENV_NAME.test(name) && name !== '.' && !name.startsWith('..');
}

export function checkService(out: SpecProblem[], spec: CheckedSpec, name: string, s: Service): void {
  const at: PathSegment[] = ['services', name];
  if (!s.image && !s.build)
    out.push({
      path: at,
      message: 'a service needs an image or a build',
      hint: 'add image: ghcr.io/<owner>/<name> or build: { context: . }',
    });
  if (s.image && !isImageReference(s.image))
    out.push({
      path: [...at, 'image'],
      message: `"${s.image}" is not an image reference`,
      hint: 'registry/owner/name[:tag][@sha256:digest], lower-case path, no spaces, e.g. ghcr.io/acme/api:1.2.3',
    });
  if (s.port !== undefined && s.ports?.length)
    out.push({
      path: [...at, 'ports'],
      message: 'set either port or ports, not both',
      hint: 'port: N is shorthand for ports: [{ name: http, port: N }]',
    });
  const portNames = new Set<string>();
  s.ports?.forEach((p, i) => {
    if (portNames.has(p.name))
      out.push({ path: [...at, 'ports', i, 'name'], message: `port name "${p.name}" is used twice` });
    portNames.add(p.name);
  });
  if (s.public && !hasPort(s))
    out.push({
      path: [...at, 'public'],
      message: 'a public service needs a port',
      hint: 'set port, or remove public',
    });
  if (s.public?.port !== undefined && hasPort(s)) {
    const ports = s.port !== undefined ? [s.port] : (s.ports ?? []).map((p) => p.port);
    if (!ports.includes(s.public.port))
      out.push({
        path: [...at, 'public', 'port'],
        message: `public.port ${s.public.port} is not one of the service's ports (${ports.join(', ')})`,
      });
  }
  if (s.schedule !== undefined) {
    for (const field of ['port', 'ports', 'public', 'autoscale', 'replicas'] as const) {
      if (s[field] !== undefined)
        out.push({
          path: [...at, field],
          message: `a scheduled job (schedule is set) takes no ${field}`,
          hint: 'remove schedule for a long-running service, or this field for a job',
        });
    }
  }
  if (s.autoscale && s.autoscale.min > s.autoscale.max) {
    out.push({
      path: [...at, 'autoscale', 'min'],
      message: `autoscale.min (${s.autoscale.min}) is greater than autoscale.max (${s.autoscale.max})`,
    });
  }
  if (s.autoscale && s.autoscale.cpu === undefined && s.autoscale.memory === undefined) {
    out.push({
      path: [...at, 'autoscale'],
      message: 'autoscale needs a target: cpu or memory utilisation percent',
      hint: 'e.g. autoscale: { min: 2, max: 10, cpu: 70 }',
    });
  }
  const volumeNames = new Set<string>();
  const maxReplicas = s.autoscale?.max ?? s.replicas ?? spec.replicas ?? 1;
  s.volumes?.forEach((v, i) => {
    if (volumeNames.has(v.name))
      out.push({ path: [...at, 'volumes', i, 'name'], message: `volume name "${v.name}" is used twice` });
    volumeNames.add(v.name);
    if (
      v.shared &&
      maxReplicas > 1 &&
      (v.accessMode === 'ReadWriteOnce' || v.accessMode === 'ReadWriteOncePod')
    ) {
      out.push({
        path: [...at, 'volumes', i, 'accessMode'],
        message: `a volume shared by ${maxReplicas} replicas cannot be ${v.accessMode}`,
        hint: 'use ReadWriteMany (and a storage class that supports it)',
      });
    }
  });
  for (const secret of s.secrets ?? []) {
    if (s.env && secret in s.env)
      out.push({
        path: [...at, 'env', secret],
        message: `${secret} is both an env var and a secret`,
        hint: 'keep one: secrets come from the Secret, env values are plain',
      });
  }
  const relaxed = relaxedEnvNames(spec.kubernetes?.version);
  for (const [key, value] of Object.entries(s.env ?? {})) {
    if (!relaxed && !isClassicEnvName(key))
      out.push({
        path: [...at, 'env', key],
        atKey: true,
        message: `"${key}" is not an environment variable name Kubernetes ${spec.kubernetes?.version ? `${spec.kubernetes.version} ` : ''}accepts`,
        hint: `use letters, digits, _, - and . (not a digit first, not . or ..); any printable ASCII but = needs kubernetes.version: "${RELAXED_ENV_MINOR_TEXT}" or later`,
      });
    if (typeof value !== 'string') continue;
    for (const p of checkReferences(spec, value, name))
      out.push({ path: [...at, 'env', key], message: p.message, hint: p.hint, offset: p.start });
  }
  checkHealth(out, at, s);
  s.config?.forEach((c, i) => {
    if ((c.content === undefined) === (c.from === undefined))
      out.push({ path: [...at, 'config', i], message: 'a config file needs exactly one of content or from' });
  });
}
