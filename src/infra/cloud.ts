/**
 * What the cloud side of an environment is made of, read once from the resolved spec so that the
 * three providers (aws.ts, gcp.ts, azure.ts) only translate it: managed databases and caches with
 * their sizes, the backup retention per dependency, public hosts and their DNS zone, images that
 * need a registry, and the GitHub repository CI deploys from.
 */
import type { Infrastructure } from '../spec/schema.js';
import type { ResolvedApp } from '../spec/resolved.js';
import { parseImage } from '../render/image.js';
import type { Block } from './hcl.js';
import type { DeployerIdentity } from './kubernetes.js';

export interface ManagedStore {
  name: string;
  type: 'postgres' | 'mysql' | 'redis';
  /** Major version as the spec gives it (`16`, `8.0`, `7.4`), or undefined for the provider's default. */
  version?: string;
  storageGi: number;
  memoryGi: number;
  database: string;
  /** Days of automated backups the provider keeps (from `backups.<name>`, at least 7 in production). */
  retentionDays: number;
}

export interface BackupRetention {
  dependency: string;
  days: number;
}

export interface CloudEnvironment {
  app: ResolvedApp;
  infra: Infrastructure;
  production: boolean;
  /** Resource name prefix: `<app>-<env>`. */
  prefix: string;
  stores: ManagedStore[];
  backups: BackupRetention[];
  publicHosts: string[];
  /** `owner/name` of the GitHub repository, for the OIDC trust of CI; undefined when the spec names none. */
  repository?: string;
}

export interface EnvironmentCloud {
  blocks: Block[];
  variables: Block[];
  outputs: Block[];
  identity: DeployerIdentity;
}

export interface SharedCloud {
  blocks: Block[];
  variables: Block[];
  outputs: Block[];
}

export interface CloudProvider {
  name: Infrastructure['provider'];
  /** `required_providers` entries: local name -> source and version constraint. */
  providers: Record<string, { source: string; version: string }>;
  providerBlocks(infra: Infrastructure): Block[];
  environment(env: CloudEnvironment): EnvironmentCloud;
  shared(app: ResolvedApp, infra: Infrastructure, repositories: string[], repository?: string): SharedCloud;
}

const GI: Record<string, number> = {
  Ki: 1 / 1024 / 1024,
  Mi: 1 / 1024,
  Gi: 1,
  Ti: 1024,
  M: 0.001,
  G: 1,
  T: 1000,
};

/** A Kubernetes quantity in GiB, rounded up to a whole number (at least 1). */
export function gibibytes(quantity: string | undefined, fallback: number): number {
  if (!quantity) return fallback;
  const m = /^(\d+(?:\.\d+)?)([KMGT]i?)?$/.exec(quantity);
  if (!m) return fallback;
  return Math.max(1, Math.ceil(Number(m[1]) * (GI[m[2] ?? 'G'] ?? 1)));
}

/** Hours between two runs of a cron schedule, as far as its fields say. */
export function scheduleHours(schedule: string): number {
  const named: Record<string, number> = { '@hourly': 1, '@daily': 24, '@midnight': 24, '@weekly': 168 };
  if (schedule.startsWith('@')) return named[schedule] ?? 720;
  const [, hour = '*', dom = '*', , dow = '*'] = schedule.trim().split(/\s+/);
  if (dom !== '*') return 720;
  if (dow !== '*') return 168;
  const step = /^\*\/(\d+)$/.exec(hour);
  if (step) return Number(step[1]);
  if (hour === '*') return 1;
  return 24 / hour.split(',').length;
}

/** Days that `keep` backups on `schedule` span: what a bucket lifecycle must keep them for. */
export function retentionDays(schedule: string, keep: number): number {
  return Math.max(1, Math.ceil((keep * scheduleHours(schedule)) / 24));
}

function githubRepository(repository: string | undefined): string | undefined {
  const m = /^(?:https?:\/\/)?github\.com\/([^/]+\/[^/.]+)(?:\.git)?\/?$/.exec(repository ?? '');
  return m?.[1];
}

export function cloudEnvironment(app: ResolvedApp, infra: Infrastructure): CloudEnvironment {
  const production = app.approval === 'required' || app.environment === 'production';
  const backups = Object.entries(app.backups).map(([dependency, b]) => ({
    dependency,
    days: retentionDays(b.schedule, b.keep),
  }));
  const stores: ManagedStore[] = Object.entries(app.dependencies)
    .filter(
      ([, d]) => d.managed === true && (d.type === 'postgres' || d.type === 'mysql' || d.type === 'redis'),
    )
    .map(([name, d]) => {
      const kept = backups.find((b) => b.dependency === name)?.days ?? 1;
      return {
        name,
        type: d.type as ManagedStore['type'],
        ...(d.version !== undefined ? { version: d.version } : {}),
        storageGi: gibibytes(d.storage, d.type === 'redis' ? 1 : 20),
        memoryGi: gibibytes(d.resources?.limits?.memory ?? d.resources?.memory, 1),
        database: d.database ?? app.app.replace(/-/g, '_'),
        retentionDays: Math.max(kept, production ? 7 : 1),
      };
    });
  const publicHosts = [
    ...new Set(Object.values(app.services).flatMap((s) => (s.public ? [s.public.host] : []))),
  ].sort();
  const repository = githubRepository(app.repository);
  return {
    app,
    infra,
    production,
    prefix: `${app.app}-${app.environment}`,
    stores,
    backups,
    publicHosts,
    ...(repository ? { repository } : {}),
  };
}

/** Image repositories (without tag) that are not on GHCR: they get a registry of the cloud. */
export function registryRepositories(apps: ResolvedApp[]): string[] {
  const repos = new Set<string>();
  for (const app of apps)
    for (const s of Object.values(app.services)) {
      if (!s.image) continue;
      const { repository } = parseImage(s.image);
      const first = repository.split('/')[0] ?? '';
      const hosted = repository.includes('/') && /[.:]|^localhost$/.test(first);
      if (hosted && first === 'ghcr.io') continue;
      // The registry's own host is not part of the repository name in the cloud's registry.
      repos.add(hosted ? repository.slice(first.length + 1) : repository);
    }
  return [...repos].sort();
}

/** The DNS zone public hosts go in: the spec's, else the longest common suffix of two labels or more. */
export function dnsZone(infra: Infrastructure, hosts: string[]): string | undefined {
  if (infra.dnsZone) return infra.dnsZone;
  if (!hosts.length) return undefined;
  const split = hosts.map((h) => h.split('.').reverse());
  const common: string[] = [];
  for (let i = 0; split.every((labels) => labels[i] !== undefined && labels[i] === split[0]![i]); i++)
    common.push(split[0]![i]!);
  return common.length >= 2 ? common.reverse().join('.') : undefined;
}

/** A name of lower-case letters, digits and `sep`, at most `max` long, as most cloud names must be. */
export function cloudName(text: string, max: number, sep = '-'): string {
  const clean = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, sep)
    .replace(new RegExp(`^\\${sep}+|\\${sep}+$`, 'g'), '');
  return clean.slice(0, max).replace(new RegExp(`\\${sep}+$`), '');
}

/** The database or cache size class for a memory size, in three steps the providers name. */
export function sizeClass(memoryGi: number): 'small' | 'medium' | 'large' {
  return memoryGi <= 1 ? 'small' : memoryGi <= 4 ? 'medium' : 'large';
}
