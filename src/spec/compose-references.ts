/**
 * Compose env values that point at another Compose service become `${name.output}` references:
 * `postgres://u:p@db:5432/app` -> `${db.url}`, `DB_HOST=db` -> `${db.host}` (and the matching
 * `DB_PORT`, `DB_USER`, `DB_PASSWORD`, `DB_NAME`), `kafka:9092` -> `${events.bootstrap}`,
 * `http://api:8080/v1` -> `${api.url}/v1`. Credentials written into a Compose URL are dropped: in
 * the cluster they come from the dependency's generated Secret.
 */
import type { Dependency } from './schema.js';

export interface Targets {
  /** Compose service name -> dependency it became. */
  dependencies: Map<string, { name: string; type: Dependency['type']; port: number | undefined }>;
  /** Compose service name -> app service with a port. */
  services: Map<string, { name: string; port: number }>;
}

const URL_VALUE = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?([^:/?#]+)(?::(\d+))?([^?#]*)?(.*)$/i;
const PREFIX_OUTPUT: Array<[RegExp, string]> = [
  [/_(HOST|HOSTNAME|SERVER)$/, 'host'],
  [/_PORT$/, 'port'],
  [/_(USER|USERNAME)$/, 'user'],
  [/_(PASSWORD|PASS)$/, 'password'],
  [/_(DB|DATABASE|NAME)$/, 'database'],
];

/** Which dependency a key's prefix names, through a sibling `<PREFIX>_HOST` whose value is that dependency. */
function prefixTarget(key: string, env: Record<string, string | null>, targets: Targets) {
  for (const [suffix] of PREFIX_OUTPUT) {
    const m = suffix.exec(key);
    if (!m) continue;
    const prefix = key.slice(0, m.index);
    for (const hostKey of ['_HOST', '_HOSTNAME', '_SERVER']) {
      const host = env[prefix + hostKey];
      const dep = host ? targets.dependencies.get(host) : undefined;
      if (dep) return dep;
    }
  }
  return undefined;
}

/** The rewritten value, or the value unchanged when it names no other service. */
export function rewriteReferences(
  key: string,
  value: string,
  env: Record<string, string | null>,
  targets: Targets,
): string {
  const direct = targets.dependencies.get(value);
  if (direct) return `\${${direct.name}.host}`;
  const url = URL_VALUE.exec(value);
  if (url) {
    const host = url[2] ?? '';
    const dep = targets.dependencies.get(host);
    if (dep) return dep.type === 'kafka' ? `\${${dep.name}.bootstrap}` : `\${${dep.name}.url}`;
    const service = targets.services.get(host);
    if (service && /^https?$/i.test(url[1] ?? ''))
      return `\${${service.name}.url}${url[4] ?? ''}${url[5] ?? ''}`;
    return value;
  }
  // host:port lists (Kafka bootstrap servers) naming a dependency
  const hostPort = /^([a-z0-9_.-]+):(\d+)$/i.exec(value);
  if (hostPort) {
    const dep = targets.dependencies.get(hostPort[1] ?? '');
    if (dep)
      return dep.type === 'kafka' ? `\${${dep.name}.bootstrap}` : `\${${dep.name}.host}:\${${dep.name}.port}`;
  }
  const dep = prefixTarget(key, env, targets);
  if (dep) {
    const output = PREFIX_OUTPUT.find(([re]) => re.test(key))?.[1];
    const offered: Record<Dependency['type'], string[]> = {
      postgres: ['host', 'port', 'user', 'password', 'database'],
      mysql: ['host', 'port', 'user', 'password', 'database'],
      redis: ['host', 'port', 'password'],
      kafka: ['host', 'port'],
      chromadb: ['host', 'port'],
      sqlite: [],
    };
    if (output && offered[dep.type].includes(output)) return `\${${dep.name}.${output}}`;
  }
  return value;
}
