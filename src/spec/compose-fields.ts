/**
 * Field-by-field translations from the Compose Specification (https://github.com/compose-spec/compose-spec/blob/main/spec.md)
 * to slipway.yaml: ports, durations, healthchecks, resources, command lines, env files and the
 * images that are really dependencies. Each returns what it mapped and why it could not.
 */
import { tryParseDuration } from '@slipway/kube';
import type { Dependency, Probe } from './schema.js';

export type ComposeValue = unknown;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A Compose name as a DNS label (`my_db` -> `my-db`). */
export function dnsName(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63);
  return label || 'app';
}

/** Compose durations (`1m30s`, `500ms`, `10s`) in the spec's form; undefined when it uses us/ns. */
export function duration(value: unknown): string | undefined {
  if (typeof value === 'number') return `${Math.max(1, Math.round(value / 1e9))}s`; // a bare number is nanoseconds
  if (typeof value !== 'string') return undefined;
  return (tryParseDuration(value) ?? 0) > 0 && !/[u\u00b5\u03bcn]s/.test(value) ? value : undefined;
}

/** Container port of a Compose port entry: "8080", "80:8080", "127.0.0.1:80:8080/udp", { target }. */
export function containerPort(entry: unknown): { port: number; protocol?: 'UDP' } | undefined {
  if (typeof entry === 'number') return { port: entry };
  if (isRecord(entry))
    return typeof entry.target === 'number'
      ? { port: entry.target, ...(entry.protocol === 'udp' ? { protocol: 'UDP' } : {}) }
      : undefined;
  if (typeof entry !== 'string') return undefined;
  const [spec, protocol] = entry.split('/');
  const target = spec?.split(':').pop() ?? '';
  // A range ("8000-8010") has no single port to map.
  if (!/^\d+$/.test(target)) return undefined;
  return { port: Number(target), ...(protocol === 'udp' ? { protocol: 'UDP' } : {}) };
}

/** Split a shell-like command string on spaces, honouring single and double quotes (Compose does the same). */
export function splitCommand(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return undefined;
  const words: string[] = [];
  for (const m of value.matchAll(/"((?:\\.|[^"])*)"|'([^']*)'|(\S+)/g))
    words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

/** `KEY=VALUE` lines of an env file; `#` comments and blank lines skipped, quotes removed. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).replace(/^export\s+/, '').trim();
    const value =
      eq < 0
        ? ''
        : line
            .slice(eq + 1)
            .trim()
            .replace(/^(['"])(.*)\1$/, '$2');
    if (key) env[key] = value;
  }
  return env;
}

/** Compose `environment` (map or `KEY=VALUE` list); a key without a value is null (it came from the host). */
export function environmentOf(value: unknown): Record<string, string | null> {
  const env: Record<string, string | null> = {};
  if (Array.isArray(value)) {
    for (const item of value.map(String)) {
      const eq = item.indexOf('=');
      env[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? null : item.slice(eq + 1);
    }
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) env[k] = v === null || v === undefined ? null : String(v);
  }
  return env;
}

/** Docker byte sizes ("512M", "1g", "256mb") as Kubernetes quantities; Docker's units are binary. */
export function memory(value: unknown): string | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(String(value ?? '').trim());
  if (!m) return undefined;
  const unit = { b: '', k: 'Ki', m: 'Mi', g: 'Gi' }[(m[2] ?? 'b').toLowerCase()] ?? '';
  return `${m[1]}${unit}`;
}

/** Docker `cpus: "0.5"` as millicores. */
export function cpus(value: unknown): string | undefined {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? `${Math.round(n * 1000)}m` : undefined;
}

/** A healthcheck: curl/wget of a local URL becomes an HTTP check, anything else an exec check. */
export function healthcheck(
  hc: Record<string, unknown>,
  mainPort: number | undefined,
): { probe?: Probe; problem?: string } {
  if (hc.disable === true) return { problem: 'healthcheck.disable: no check to import' };
  const test = hc.test;
  let argv: string[] | undefined;
  if (typeof test === 'string') argv = ['sh', '-c', test];
  else if (Array.isArray(test)) {
    const [kind, ...rest] = test.map(String);
    if (kind === 'NONE') return { problem: 'healthcheck.test: NONE disables the check' };
    argv = kind === 'CMD-SHELL' ? ['sh', '-c', rest.join(' ')] : kind === 'CMD' ? rest : test.map(String);
  }
  if (!argv?.length) return { problem: 'healthcheck without test' };
  const timing: Probe = {
    ...(duration(hc.interval) ? { period: duration(hc.interval) } : {}),
    ...(duration(hc.timeout) ? { timeout: duration(hc.timeout) } : {}),
    ...(duration(hc.start_period) ? { initialDelay: duration(hc.start_period) } : {}),
    ...(typeof hc.retries === 'number' && hc.retries >= 1 ? { failureThreshold: hc.retries } : {}),
  };
  const shellText = argv[0] === 'sh' && argv[1] === '-c' ? (argv[2] ?? '') : argv.join(' ');
  const http =
    /^\s*(?:curl|wget)\b[^|;&]*?\bhttps?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::(\d+))?(\/[^\s'"|;&]*)?/.exec(
      shellText,
    );
  if (http && !/[|;&]/.test(shellText.replace(/\|\|\s*exit 1\s*$/, ''))) {
    const port = http[1] ? Number(http[1]) : 80;
    return { probe: { http: http[2] ?? '/', ...(port !== mainPort ? { port } : {}), ...timing } };
  }
  return { probe: { exec: argv, ...timing } };
}

interface KnownImage {
  type: Dependency['type'];
  pattern: RegExp;
}

/** Images that become dependencies (official, Bitnami and vendor images). */
const KNOWN_IMAGES: KnownImage[] = [
  {
    type: 'postgres',
    pattern:
      /^(docker\.io\/)?((library\/)?postgres|postgis\/postgis|bitnami\/postgresql|pgvector\/pgvector)(:|@|$)/,
  },
  { type: 'mysql', pattern: /^(docker\.io\/)?((library\/)?(mysql|mariadb)|bitnami\/(mysql|mariadb))(:|@|$)/ },
  {
    type: 'redis',
    pattern:
      /^(docker\.io\/)?((library\/)?redis|redis\/redis-stack(-server)?|bitnami\/redis|valkey\/valkey)(:|@|$)/,
  },
  { type: 'kafka', pattern: /^(docker\.io\/)?(apache\/kafka|bitnami\/kafka|confluentinc\/cp-kafka)(:|@|$)/ },
  { type: 'chromadb', pattern: /^((docker\.io\/)?chromadb\/chroma|ghcr\.io\/chroma-core\/chroma)(:|@|$)/ },
];

export function dependencyType(image: string): Dependency['type'] | undefined {
  return KNOWN_IMAGES.find((k) => k.pattern.test(image))?.type;
}

/** The version part of a tag: `16.2-bookworm` -> `16.2`; `latest` or no tag -> undefined. */
export function imageVersion(image: string): string | undefined {
  const tag = /:([^/:@]+)(@.*)?$/.exec(image)?.[1];
  const m = tag ? /^v?(\d+(\.\d+)*)/.exec(tag) : null;
  return m?.[1];
}

export const DEFAULT_PORTS: Readonly<Record<Dependency['type'], number | undefined>> = {
  postgres: 5432,
  mysql: 3306,
  redis: 6379,
  kafka: 9092,
  chromadb: 8000,
  sqlite: undefined,
};

/** Env names whose literal values are credentials: they become secrets and their values are not copied. */
export const SECRET_NAME =
  /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)$/i;
