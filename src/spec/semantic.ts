/**
 * Checks across fields that a schema cannot express: a port and a ports list at once, a canary
 * block without the canary strategy, an analysis a step names but nobody defined, a sqlite
 * dependency on a volume that does not exist, references to unknown outputs, and so on. They run
 * on the top level and on every environment's merged spec, each problem with its data path.
 */
import type { PathSegment } from './source.js';
import type { Dependency } from './schema.js';
import type { CheckedSpec, SpecProblem } from './spec-problem.js';
import { budgetProblem } from './budget.js';
import { providerProblems } from './dependency-provider.js';
import { managedProblems } from './managed.js';
import { checkService } from './semantic-service.js';
import { suggestion } from './suggest.js';

export type { CheckedSpec, SpecProblem } from './spec-problem.js';
type Spec = CheckedSpec;

function checkDependency(out: SpecProblem[], spec: Spec, name: string, d: Dependency): void {
  const at: PathSegment[] = ['dependencies', name];
  if (spec.services?.[name])
    out.push({
      path: at,
      message: `"${name}" is both a service and a dependency`,
      hint: 'references ${' + name + '.url} would be ambiguous; rename one',
    });
  out.push(...providerProblems(name, d));
  out.push(...managedProblems(spec, name, d));
  if (d.type === 'sqlite') {
    for (const field of [
      'external',
      'version',
      'storage',
      'storageClass',
      'resources',
      'database',
    ] as const) {
      if (d[field] !== undefined)
        out.push({
          path: [...at, field],
          message: `a sqlite dependency is a file in a service's volume; ${field} does not apply`,
          hint: 'size the volume on the service instead',
        });
    }
    if (!d.service) {
      out.push({
        path: at,
        message: 'a sqlite dependency needs service: the service whose volume holds the database file',
        hint: 'e.g. { type: sqlite, service: bot, volume: data, file: bot.db }',
      });
      return;
    }
    const owner = spec.services?.[d.service];
    if (!owner) {
      out.push({
        path: [...at, 'service'],
        message: `service "${d.service}" does not exist`,
        hint: suggestion(d.service, Object.keys(spec.services ?? {}), 'services'),
      });
      return;
    }
    const volumes = owner.volumes ?? [];
    const volume = d.volume
      ? volumes.find((v) => v.name === d.volume)
      : volumes.length === 1
        ? volumes[0]
        : undefined;
    if (d.volume && !volume) {
      out.push({
        path: [...at, 'volume'],
        message: `service "${d.service}" has no volume "${d.volume}"`,
        hint: suggestion(
          d.volume,
          volumes.map((v) => v.name),
          'volumes',
        ),
      });
    } else if (!volume) {
      out.push({
        path: at,
        message: volumes.length
          ? `service "${d.service}" has ${volumes.length} volumes; say which one holds the file`
          : `service "${d.service}" has no volume to hold the database file`,
        hint: volumes.length
          ? 'set volume:'
          : `add volumes: [{ name: data, path: /data, size: 1Gi }] to ${d.service}`,
      });
    } else {
      const replicas = owner.autoscale?.max ?? owner.replicas ?? spec.replicas ?? 1;
      if (replicas > 1) {
        // SQLite allows one writer; replicas with their own claims would each hold a different database.
        out.push({
          path: ['services', d.service, owner.autoscale ? 'autoscale' : 'replicas'],
          message: `service "${d.service}" holds the sqlite database "${name}" and must run one replica, not ${replicas}`,
          hint: 'set replicas: 1 (and no autoscale), or move to postgres',
        });
      }
    }
    if (d.file?.includes('/'))
      out.push({
        path: [...at, 'file'],
        message: 'file is a name inside the volume, without /',
        hint: 'e.g. file: bot.db',
      });
    return;
  }
  for (const field of ['service', 'volume', 'file'] as const) {
    if (d[field] !== undefined)
      out.push({ path: [...at, field], message: `${field} applies only to sqlite dependencies` });
  }
  if (d.external) {
    for (const field of ['storage', 'storageClass', 'resources', 'version'] as const) {
      if (d[field] !== undefined)
        out.push({
          path: [...at, field],
          message: `an external ${d.type} runs elsewhere; ${field} does not apply`,
          hint: 'remove it, or remove external to run it in the cluster',
        });
    }
  }
  if (d.database !== undefined && d.type !== 'postgres' && d.type !== 'mysql')
    out.push({ path: [...at, 'database'], message: 'database applies only to postgres and mysql' });
}

function checkDeploy(out: SpecProblem[], spec: Spec): void {
  const deploy = spec.deploy;
  if (!deploy) return;
  if (deploy.canary && deploy.strategy !== 'canary') {
    out.push({
      path: ['deploy', 'canary'],
      message: `canary steps are set but the strategy is ${deploy.strategy ?? 'rolling (the default)'}`,
      hint: 'set deploy.strategy: canary, or remove deploy.canary',
    });
  }
  if (deploy.strategy === 'canary' && !deploy.canary)
    out.push({
      path: ['deploy', 'strategy'],
      message: 'the canary strategy needs deploy.canary.steps',
      hint: 'e.g. canary: { steps: [{ weight: 20 }, { pause: 5m }, { weight: 50 }] }',
    });
  checkAnalysisPhases(out, deploy);
  const budget = deploy.strategy !== 'canary' || deploy.canary ? budgetProblem(deploy) : undefined;
  if (budget) out.push({ path: ['deploy', deploy.timeout ? 'timeout' : 'strategy'], ...budget });
  const defined = Object.keys(deploy.analysis ?? {});
  deploy.canary?.steps.forEach((step, i) => {
    if (!('analysis' in step)) return;
    step.analysis.forEach((n, j) => {
      if (!defined.includes(n))
        out.push({
          path: ['deploy', 'canary', 'steps', i, 'analysis', j],
          message: `analysis "${n}" is not defined in deploy.analysis`,
          hint: suggestion(n, defined, 'defined'),
        });
    });
  });
  for (const [name, a] of Object.entries(deploy.analysis ?? {})) {
    const providers = (['prometheus', 'http', 'job'] as const).filter((p) => a[p] !== undefined);
    if (providers.length !== 1)
      out.push({
        path: ['deploy', 'analysis', name],
        message: providers.length
          ? `an analysis takes one provider, got ${providers.join(' and ')}`
          : 'an analysis needs one of prometheus, http or job',
      });
    if (a.prometheus && a.max === undefined && a.min === undefined && !a.successCondition)
      out.push({
        path: ['deploy', 'analysis', name],
        message: 'a prometheus analysis needs max or min to judge the value',
        hint: 'e.g. max: 0.005',
      });
  }
}

/**
 * Whether each analysis has a moment to run under the strategy: a rolling update has no preview
 * (pre-promotion) and no steps; a blue-green has no steps; a canary runs a step analysis only where
 * a step names it, and a step runs only step analyses (one of another phase would run twice, or
 * not where the step says).
 */
function checkAnalysisPhases(out: SpecProblem[], deploy: NonNullable<Spec['deploy']>): void {
  const strategy = deploy.strategy ?? 'rolling';
  const named = new Map<string, number>();
  deploy.canary?.steps.forEach((step, i) => {
    if ('analysis' in step) for (const n of step.analysis) if (!named.has(n)) named.set(n, i);
  });
  for (const [name, a] of Object.entries(deploy.analysis ?? {})) {
    const at: PathSegment[] = ['deploy', 'analysis', name, 'phase'];
    if (strategy === 'rolling' && a.phase === 'pre-promotion')
      out.push({
        path: at,
        message:
          'a rolling update has no preview: nothing serves the new version before it takes traffic, so a pre-promotion analysis has no moment to run',
        hint: 'use phase: background (during the rollout) or post-promotion (once it completed), or strategy: blue-green',
      });
    else if (strategy !== 'canary' && a.phase === 'step')
      out.push({
        path: at,
        message: `step analyses run at deploy.canary.steps, and a ${strategy} deploy has no steps`,
        hint:
          strategy === 'blue-green'
            ? 'use phase: pre-promotion (on the preview), post-promotion or background'
            : 'use phase: background (during the rollout) or post-promotion (once it completed)',
      });
    else if (strategy === 'canary' && a.phase === 'step' && !named.has(name))
      out.push({
        path: at,
        message: `no canary step names analysis "${name}", so it would never run`,
        hint: `add { analysis: [${name}] } to deploy.canary.steps, or set phase: background`,
      });
    else if (strategy === 'canary' && a.phase && a.phase !== 'step' && named.has(name))
      out.push({
        path: at,
        message: `analysis "${name}" is named at deploy.canary.steps[${named.get(name)}] but has phase ${a.phase}`,
        hint: 'a step runs it: remove phase (or set phase: step), or remove it from the steps',
      });
  }
}

/**
 * A canary or blue-green runs the new version beside the old one. A service that owns a volume is
 * a StatefulSet with one volume per pod: a copy of it cannot run beside it on the same data, so
 * such a service must say that it rolls in place (`strategy: rolling`), never be skipped silently.
 */
function checkStrategyFit(out: SpecProblem[], spec: Spec): void {
  const strategy = spec.deploy?.strategy ?? 'rolling';
  if (strategy === 'rolling') return;
  for (const [name, s] of Object.entries(spec.services ?? {})) {
    if (s.schedule || s.strategy === 'rolling') continue;
    const own = (s.volumes ?? []).findIndex((v) => !v.shared);
    if (own < 0) continue;
    out.push({
      path: ['services', name, 'volumes', own],
      message: `service "${name}" owns volume "${s.volumes![own]!.name}", so it runs as a StatefulSet, and a ${strategy} deploy cannot run a copy of it beside the serving pods on the same data`,
      hint: `add strategy: rolling to services.${name} (it then rolls in place, in order, ${strategy === 'canary' ? 'when the canary is promoted' : 'before the switch'}), or mark the volume shared: true if every replica may mount one volume`,
    });
  }
}

function checkBackups(out: SpecProblem[], spec: Spec): void {
  for (const name of Object.keys(spec.backups ?? {})) {
    const d = spec.dependencies?.[name];
    if (!d)
      out.push({
        path: ['backups', name],
        message: `backups.${name} names no dependency`,
        hint: suggestion(name, Object.keys(spec.dependencies ?? {}), 'dependencies'),
      });
    else if (d.type === 'kafka')
      out.push({
        path: ['backups', name],
        message: 'kafka dependencies are not backed up by Slipway (topics are replayed from their producers)',
        hint: 'back up postgres, mysql, redis, chromadb or sqlite',
      });
    else if (d.external)
      out.push({
        path: ['backups', name],
        message: `"${name}" is external; its backups belong to whoever runs it`,
      });
  }
  // `s3:` says how to reach an s3:// destination, so it needs one.
  for (const [name, b] of Object.entries(spec.backups ?? {}))
    if (b.s3 !== undefined && b.to === undefined)
      out.push({
        path: ['backups', name, 's3'],
        message: `backups.${name}.s3 says how to reach a bucket, but no to: s3://bucket/prefix names one`,
        hint: `add to: s3://<bucket>/<prefix> to backups.${name}, or remove s3:`,
      });
}

/** An external store needs its own block: where the server or the region is. */
function checkSecretsStore(out: SpecProblem[], spec: Spec): void {
  const store = spec.secrets?.store;
  if (store === 'vault' || store === 'aws' || store === 'gcp') {
    if (!spec.secrets?.[store])
      out.push({
        path: ['secrets', 'store'],
        message: `store ${store} needs secrets.${store}`,
        hint:
          store === 'vault'
            ? 'secrets: { store: vault, vault: { server: https://vault.example.com:8200 } }'
            : store === 'aws'
              ? 'secrets: { store: aws, aws: { region: eu-west-1 } }'
              : 'secrets: { store: gcp, gcp: { project: my-project } }',
      });
    if (spec.secrets?.file)
      out.push({
        path: ['secrets', 'file'],
        message: `secrets.file is the encrypted file of store sops; store ${store} reads the values from ${store}`,
      });
  }
}

/** Two services published on the same host and path would fight over one Ingress rule. */
function checkPublicRoutes(out: SpecProblem[], spec: Spec): void {
  const seen = new Map<string, string>();
  for (const [name, s] of Object.entries(spec.services ?? {})) {
    if (!s.public) continue;
    const route = `${s.public.host}${s.public.path ?? '/'}`;
    const other = seen.get(route);
    if (other)
      out.push({
        path: ['services', name, 'public'],
        message: `${route} is already public for service "${other}"`,
        hint: 'give one of them another host or path',
      });
    else seen.set(route, name);
  }
}

/** Every cross-field problem of one (top-level or merged) spec. */
export function checkSpec(spec: Spec): SpecProblem[] {
  const out: SpecProblem[] = [];
  for (const [name, s] of Object.entries(spec.services ?? {})) checkService(out, spec, name, s);
  checkPublicRoutes(out, spec);
  for (const [name, d] of Object.entries(spec.dependencies ?? {})) checkDependency(out, spec, name, d);
  checkDeploy(out, spec);
  checkStrategyFit(out, spec);
  checkBackups(out, spec);
  checkSecretsStore(out, spec);
  return out;
}
