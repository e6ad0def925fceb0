/**
 * Table-driven malformed specs: each asserts the first problem's position (line:column), field
 * path and message, and the hint where one matters. Positions are 1-based like editors show them.
 */
import { describe, expect, it } from 'vitest';
import { UserError, UserErrors, type Problem } from '../errors.js';
import { parseSpec, resolveEnvironment } from './index.js';

interface Case {
  name: string;
  yaml: string;
  /** Resolve this environment too (overlay problems appear only when merged). */
  env?: string;
  /** `line:col path: message` (or `line:col: message` without a path) of the first problem; a prefix. */
  expected: string;
  hint?: string;
}

const API = `app: shop
services:
  api:
    image: ghcr.io/acme/api
`;

const cases: Case[] = [
  {
    name: 'image with spaces',
    yaml: `app: shop\nservices:\n  api:\n    image: Not An Image\n`,
    expected: '4:12 services.api.image: "Not An Image" is not an image reference',
  },
  {
    name: 'image with upper-case path',
    yaml: `app: shop\nservices:\n  api:\n    image: ghcr.io/Acme/api:1.0\n`,
    expected: '4:12 services.api.image: "ghcr.io/Acme/api:1.0" is not an image reference',
  },
  {
    name: 'port is a word',
    yaml: `${API}    port: http\n`,
    expected: '5:11 services.api.port: expected a number from 1 to 65535, got "http"',
  },
  {
    name: 'port zero',
    yaml: `${API}    port: 0\n`,
    expected: '5:11 services.api.port: expected a number from 1 to 65535, got 0',
  },
  {
    name: 'port too large',
    yaml: `${API}    port: 70000\n`,
    expected: '5:11 services.api.port: expected a number from 1 to 65535, got 70000',
  },
  {
    name: 'unknown service field',
    yaml: `${API}    imagee: x\n`,
    expected: '5:5 services.api.imagee: unknown field "imagee"',
    hint: 'did you mean "image"?',
  },
  {
    name: 'unknown top-level field',
    yaml: `app: shop\nservics:\n  api: { image: x }\n`,
    expected: '2:1 servics: unknown field "servics"',
    hint: 'did you mean "services"?',
  },
  {
    name: 'missing app',
    yaml: `services:\n  api: { image: x }\n`,
    expected: '1:1 app: missing required field "app"',
  },
  {
    name: 'app name not a DNS label',
    yaml: `app: My Shop\nservices:\n  api: { image: x }\n`,
    expected: '1:6 app: expected a lower-case DNS label',
  },
  {
    name: 'service name with underscore',
    yaml: `app: shop\nservices:\n  api_server: { image: x }\n`,
    expected: '3:3 services.api_server: invalid name "api_server": expected a lower-case DNS label',
  },
  {
    name: 'dependency type misspelt',
    yaml: `${API}dependencies:\n  db: { type: postgress }\n`,
    expected: '6:15 dependencies.db.type: expected one of: "postgres"',
    hint: 'did you mean "postgres"?',
  },
  {
    name: 'readiness path without slash',
    yaml: `${API}    port: 80\n    health: { readiness: healthz }\n`,
    expected: '6:26 services.api.health.readiness: expected a path starting with /, got "healthz"',
  },
  {
    name: 'health check misspelt key inside the union',
    yaml: `${API}    port: 80\n    health:\n      liveness: { htp: /x }\n`,
    expected: '7:19 services.api.health.liveness.htp: unknown field "htp"',
    hint: 'did you mean "http"?',
  },
  {
    name: 'health check with http and tcp',
    yaml: `${API}    port: 80\n    health:\n      readiness: { http: /r, tcp: true }\n`,
    expected:
      '7:18 services.api.health.readiness: a health check takes exactly one of http, tcp or exec, got http and tcp',
  },
  {
    name: 'tcp check without any port',
    yaml: `${API}    health:\n      liveness: { tcp: true }\n`,
    expected: '6:17 services.api.health.liveness: a tcp check needs a port',
  },
  {
    name: 'exec check with a port',
    yaml: `${API}    health:\n      liveness: { exec: [check], port: 80 }\n`,
    expected:
      '6:40 services.api.health.liveness.port: an exec check runs a command; port has no meaning here',
  },
  {
    name: 'env var name with a space, without a kubernetes.version that relaxes the rule',
    yaml: `${API}    env:\n      my var: x\n`,
    expected: '6:7 services.api.env.my var: "my var" is not an environment variable name Kubernetes accepts',
  },
  {
    name: 'env var name with =, which no Kubernetes accepts',
    yaml: `kubernetes: { version: "1.33" }\n${API}    env:\n      "a=b": x\n`,
    expected: '7:7 services.api.env.a=b: invalid name "a=b": expected an environment variable name',
  },
  {
    name: 'env var also a secret',
    yaml: `${API}    env: { TOKEN: x }\n    secrets: [TOKEN]\n`,
    expected: '5:19 services.api.env.TOKEN: TOKEN is both an env var and a secret',
  },
  {
    name: 'port and ports',
    yaml: `${API}    port: 80\n    ports: [{ name: admin, port: 9000 }]\n`,
    expected: '6:12 services.api.ports: set either port or ports, not both',
  },
  {
    name: 'autoscale min above max',
    yaml: `${API}    autoscale: { min: 5, max: 2, cpu: 70 }\n`,
    expected: '5:23 services.api.autoscale.min: autoscale.min (5) is greater than autoscale.max (2)',
  },
  {
    name: 'autoscale without target',
    yaml: `${API}    autoscale: { min: 1, max: 2 }\n`,
    expected: '5:16 services.api.autoscale: autoscale needs a target',
  },
  {
    name: 'volume size not a quantity',
    yaml: `${API}    volumes: [{ name: data, path: /data, size: 10GB }]\n`,
    expected:
      '5:48 services.api.volumes[0].size: expected a Kubernetes quantity such as 512Mi, 1Gi or 500m, got "10GB"',
  },
  {
    name: 'volume path relative',
    yaml: `${API}    volumes: [{ name: data, path: data, size: 1Gi }]\n`,
    expected: '5:35 services.api.volumes[0].path: expected a path starting with /, got "data"',
  },
  {
    name: 'sqlite on a missing service',
    yaml: `${API}dependencies:\n  store: { type: sqlite, service: apii }\n`,
    expected: '6:35 dependencies.store.service: service "apii" does not exist',
    hint: 'did you mean "api"?',
  },
  {
    name: 'sqlite on a missing volume',
    yaml: `${API}    volumes: [{ name: data, path: /data, size: 1Gi }]\ndependencies:\n  store: { type: sqlite, service: api, volume: dta }\n`,
    expected: '7:48 dependencies.store.volume: service "api" has no volume "dta"',
    hint: 'did you mean "data"?',
  },
  {
    name: 'sqlite owner with three replicas',
    yaml: `${API}    replicas: 3\n    volumes: [{ name: data, path: /data, size: 1Gi }]\ndependencies:\n  store: { type: sqlite, service: api }\n`,
    expected:
      '5:15 services.api.replicas: service "api" holds the sqlite database "store" and must run one replica, not 3',
  },
  {
    name: 'canary steps without the canary strategy',
    yaml: `${API}deploy:\n  strategy: rolling\n  canary:\n    steps: [{ weight: 10 }]\n`,
    expected: '8:5 deploy.canary: canary steps are set but the strategy is rolling',
  },
  {
    name: 'canary pauses and analyses longer than the deploy timeout',
    yaml: `${API}deploy:\n  strategy: canary\n  timeout: 5m\n  canary:\n    steps: [{ weight: 10 }, { pause: 4m }, { analysis: [error-rate] }]\n  analysis:\n    error-rate: { prometheus: { query: up }, max: 1, interval: 1m, count: 3 }\n`,
    expected:
      '7:12 deploy.timeout: the canary deploy waits at least 6m (pause 4m at canary step 2, analysis error-rate 3 × 1m at canary step 3), more than deploy.timeout 5m: every deploy would roll back at its deadline',
    hint: 'raise deploy.timeout above 6m plus the time the pods take, or shorten the pauses and analyses',
  },
  {
    name: 'blue-green analyses longer than the default deploy timeout',
    yaml: `${API}deploy:\n  strategy: blue-green\n  analysis:\n    soak: { http: { url: http://api/healthz }, interval: 2m, count: 9, phase: post-promotion }\n`,
    expected:
      '6:13 deploy.strategy: the blue-green deploy waits at least 16m (analysis soak 9 × 2m after the switch), more than deploy.timeout 15m (the default): every deploy would roll back at its deadline',
    hint: 'raise deploy.timeout above 16m plus the time the pods take, or shorten the pauses and analyses',
  },
  {
    name: 'background analysis with a count longer than the deploy timeout',
    yaml: `${API}deploy:\n  timeout: 2m\n  analysis:\n    errors: { prometheus: { query: up }, max: 1, interval: 30s, count: 6, phase: background }\n`,
    expected:
      '6:12 deploy.timeout: the rolling deploy waits at least 2m30s (background analysis errors 6 × 30s), more than deploy.timeout 2m: every deploy would roll back at its deadline',
    hint: 'raise deploy.timeout above 2m30s plus the time the pods take, or shorten the pauses and analyses',
  },
  {
    name: 'pre-promotion analysis under a rolling update',
    yaml: `${API}deploy:\n  analysis:\n    smoke: { http: { url: http://api/healthz }, phase: pre-promotion }\n`,
    expected:
      '7:56 deploy.analysis.smoke.phase: a rolling update has no preview: nothing serves the new version before it takes traffic, so a pre-promotion analysis has no moment to run',
    hint: 'use phase: background (during the rollout) or post-promotion (once it completed), or strategy: blue-green',
  },
  {
    name: 'step analysis under blue-green',
    yaml: `${API}deploy:\n  strategy: blue-green\n  analysis:\n    smoke: { http: { url: http://api/healthz }, phase: step }\n`,
    expected:
      '8:56 deploy.analysis.smoke.phase: step analyses run at deploy.canary.steps, and a blue-green deploy has no steps',
    hint: 'use phase: pre-promotion (on the preview), post-promotion or background',
  },
  {
    name: 'canary step analysis no step names',
    yaml: `${API}deploy:\n  strategy: canary\n  canary:\n    steps: [{ weight: 10 }]\n  analysis:\n    smoke: { http: { url: http://api/healthz }, phase: step }\n`,
    expected:
      '10:56 deploy.analysis.smoke.phase: no canary step names analysis "smoke", so it would never run',
    hint: 'add { analysis: [smoke] } to deploy.canary.steps, or set phase: background',
  },
  {
    name: 'canary step names a background analysis',
    yaml: `${API}deploy:\n  strategy: canary\n  canary:\n    steps: [{ weight: 10 }, { analysis: [smoke] }]\n  analysis:\n    smoke: { http: { url: http://api/healthz }, phase: background }\n`,
    expected:
      '10:56 deploy.analysis.smoke.phase: analysis "smoke" is named at deploy.canary.steps[1] but has phase background',
    hint: 'a step runs it: remove phase (or set phase: step), or remove it from the steps',
  },
  {
    name: 'a service on its own volume under a canary',
    yaml: `${API}    volumes: [{ name: data, path: /data, size: 1Gi }]\ndeploy:\n  strategy: canary\n  canary:\n    steps: [{ weight: 10 }]\n`,
    expected:
      '5:15 services.api.volumes[0]: service "api" owns volume "data", so it runs as a StatefulSet, and a canary deploy cannot run a copy of it beside the serving pods on the same data',
    hint: 'add strategy: rolling to services.api (it then rolls in place, in order, when the canary is promoted), or mark the volume shared: true if every replica may mount one volume',
  },
  {
    name: 'canary step names an undefined analysis',
    yaml: `${API}deploy:\n  strategy: canary\n  canary:\n    steps: [{ weight: 10 }, { analysis: [error-rat] }]\n  analysis:\n    error-rate: { prometheus: { query: up }, max: 1 }\n`,
    expected:
      '8:42 deploy.canary.steps[1].analysis[0]: analysis "error-rat" is not defined in deploy.analysis',
    hint: 'did you mean "error-rate"?',
  },
  {
    name: 'canary step key misspelt',
    yaml: `${API}deploy:\n  strategy: canary\n  canary:\n    steps: [{ wieght: 10 }]\n`,
    expected: '8:15 deploy.canary.steps[0].wieght: unknown field "wieght"',
    hint: 'did you mean "weight"?',
  },
  {
    name: 'canary weight above 100',
    yaml: `${API}deploy:\n  strategy: canary\n  canary:\n    steps: [{ weight: 120 }]\n`,
    expected: '8:23 deploy.canary.steps[0].weight: expected a number <= 100, got 120',
  },
  {
    name: 'public without a port',
    yaml: `${API}    public: { host: shop.example.com }\n`,
    expected: '5:13 services.api.public: a public service needs a port',
  },
  {
    name: 'schedule with a port',
    yaml: `${API}    schedule: "0 2 * * *"\n    port: 80\n`,
    expected: '6:11 services.api.port: a scheduled job (schedule is set) takes no port',
  },
  {
    name: 'cron in words',
    yaml: `${API}    schedule: every day\n`,
    expected: '5:15 services.api.schedule: expected a cron schedule with five fields',
  },
  {
    name: 'reference to an unknown dependency',
    yaml: `${API}    env: { DB: "\${dbb.url}" }\ndependencies:\n  db: { type: postgres }\n`,
    expected: '5:17 services.api.env.DB: ${dbb.url} names "dbb", which is neither a service nor a dependency',
    hint: 'did you mean "db"?',
  },
  {
    name: 'reference to an unknown output',
    yaml: `${API}    env:\n      DB: postgres://\${db.ulr}\ndependencies:\n  db: { type: postgres }\n`,
    expected: '6:22 services.api.env.DB: ${db.ulr}: postgres dependency "db" has no output "ulr"',
    hint: 'did you mean "url"?',
  },
  {
    name: 'malformed reference',
    yaml: `${API}    env: { DB: "\${db}" }\ndependencies:\n  db: { type: postgres }\n`,
    expected: '5:17 services.api.env.DB: malformed reference ${db}',
  },
  {
    name: 'reference to a service without a port',
    yaml: `${API}    env: { W: "\${worker.url}" }\n  worker: { image: x }\n`,
    expected: '5:16 services.api.env.W: ${worker.url}: service "worker" has no port',
  },
  {
    name: 'YAML syntax error',
    yaml: `app: shop\nservices:\n  api: { image: "x }\n`,
    expected: '4:1: YAML syntax error: Missing closing "quote',
  },
  { name: 'duplicate key', yaml: `${API}    image: y\n`, expected: '5:5: duplicate key' },
  {
    name: 'tab indentation',
    yaml: `app: shop\nservices:\n\tapi: { image: x }\n`,
    expected: '3:1: YAML syntax error',
  },
  {
    name: 'duration in words',
    yaml: `${API}    terminationGracePeriod: 30 seconds\n`,
    expected:
      '5:29 services.api.terminationGracePeriod: expected a duration such as 30s, 5m or 1h30m, got "30 seconds"',
  },
  {
    name: 'cpu in words',
    yaml: `${API}    resources: { cpu: half }\n`,
    expected:
      '5:23 services.api.resources.cpu: expected a Kubernetes quantity such as 512Mi, 1Gi or 500m, got "half"',
  },
  {
    name: 'strategy misspelt',
    yaml: `${API}deploy: { strategy: bluegreen }\n`,
    expected: '5:21 deploy.strategy: expected one of: "rolling", "blue-green", "canary", got "bluegreen"',
    hint: 'did you mean "blue-green"?',
  },
  {
    name: 'backup of a missing dependency',
    yaml: `${API}backups:\n  dbb: { schedule: "@daily", keep: 3 }\n`,
    expected: '6:8 backups.dbb: backups.dbb names no dependency',
  },
  {
    name: 'backup destination not a bucket URL',
    yaml: `${API}dependencies:\n  db: { type: postgres }\nbackups:\n  db: { schedule: "@daily", keep: 3, to: "s3:/bk" }\n`,
    expected:
      '8:42 backups.db.to: expected s3://bucket[/prefix] (a bucket name of 3 to 63 a-z, 0-9, . and -); omit to: to keep backups on a volume, got "s3:/bk"',
  },
  {
    name: 'bucket settings without a bucket',
    yaml: `${API}dependencies:\n  db: { type: postgres }\nbackups:\n  db: { schedule: "@daily", keep: 3, s3: { secret: s3 } }\n`,
    expected:
      '8:42 backups.db.s3: backups.db.s3 says how to reach a bucket, but no to: s3://bucket/prefix names one',
  },
  {
    name: 'relaxation without a reason',
    yaml: `${API}    security: { relax: [{ rule: seccomp, reason: because }] }\n`,
    expected: '5:50 services.api.security.relax[0].reason: say why (at least 10 characters)',
  },
  {
    name: 'external dependency with storage',
    yaml: `${API}dependencies:\n  db: { type: postgres, external: { secret: db }, storage: 1Gi }\n`,
    expected: '6:60 dependencies.db.storage: an external postgres runs elsewhere; storage does not apply',
  },
  {
    name: 'health check of neither form',
    yaml: `${API}    port: 80\n    health: { readiness: 5 }\n`,
    expected: '6:26 services.api.health.readiness: expected a string or a mapping (key: value), got 5',
  },
  {
    name: 'tls neither boolean nor mapping',
    yaml: `${API}    port: 80\n    public: { host: a.example.com, tls: "yes" }\n`,
    expected: '6:41 services.api.public.tls: expected true or false or a mapping (key: value), got "yes"',
  },
  {
    name: 'two services on one public route',
    yaml: `${API}    port: 80\n    public: { host: a.example.com }\n  web:\n    image: x\n    port: 80\n    public: { host: a.example.com }\n`,
    expected: '10:13 services.web.public: a.example.com/ is already public for service "api"',
  },
  { name: 'empty file', yaml: '', expected: '1:1: the file is empty' },
  {
    name: 'a list at the top level',
    yaml: '- app: shop\n',
    expected: '1:1: expected a mapping at the top level',
  },
  {
    name: 'service with neither image nor build',
    yaml: `app: shop\nservices:\n  api: { port: 80 }\n`,
    expected: '3:8 services.api: a service needs an image or a build',
  },
  {
    name: 'overlay value out of range',
    yaml: `${API}environments:\n  production:\n    services:\n      api: { replicas: -1 }\n`,
    expected: '8:24 environments.production.services.api.replicas: expected a number >= 0, got -1',
  },
  {
    name: 'overlay unknown key',
    yaml: `${API}environments:\n  staging:\n    services:\n      api: { imagee: y }\n`,
    expected: '8:14 environments.staging.services.api.imagee: unknown field "imagee"',
    hint: 'did you mean "image"?',
  },
  {
    name: 'overlay that breaks the merged spec points at the overlay',
    yaml: `${API}    port: 80\nenvironments:\n  production:\n    services:\n      api:\n        ports: [{ name: admin, port: 9000 }]\n`,
    env: 'production',
    expected: '10:16 services.api.ports (environment production): set either port or ports, not both',
  },
  {
    name: 'overlay removing a dependency still referenced',
    yaml: `${API}    env: { DB: "\${db.url}" }\ndependencies:\n  db: { type: postgres }\nenvironments:\n  dev:\n    dependencies: { db: null }\n`,
    env: 'dev',
    expected:
      '5:17 services.api.env.DB (environment dev): ${db.url} names "db", which is neither a service nor a dependency',
  },
  {
    name: 'overlay list item of a new name lacks a field of the merged item',
    yaml: `${API}    volumes: [{ name: data, path: /data, size: 1Gi }]\nenvironments:\n  dev:\n    services:\n      api:\n        volumes: [{ name: data, size: 2Gi }, { name: cache, size: 1Gi }]\n`,
    env: 'dev',
    expected: '10:46 services.api.volumes[1].path (environment dev): missing required field "path"',
  },
  {
    name: 'overlay list item bad value',
    yaml: `${API}    volumes: [{ name: data, path: /data, size: 1Gi }]\nenvironments:\n  dev:\n    services:\n      api:\n        volumes: [{ name: data, size: lots }]\n`,
    expected:
      '10:39 environments.dev.services.api.volumes[0].size: expected a Kubernetes quantity such as 512Mi, 1Gi or 500m, got "lots"',
  },
  {
    name: 'unknown environment',
    yaml: `${API}environments:\n  production: {}\n`,
    env: 'prod',
    expected: '5:1 environments: unknown environment "prod"; the spec declares: production',
    hint: 'did you mean "production"?',
  },
];

function problems(error: unknown): Problem[] {
  if (error instanceof UserErrors) return error.problems;
  if (error instanceof UserError)
    return [{ message: error.message, location: error.location, path: error.path, hint: error.hint }];
  throw error;
}

function firstProblem(c: Case): Problem {
  try {
    const app = parseSpec(c.yaml, 'slipway.yaml');
    if (c.env) resolveEnvironment(app, c.env);
  } catch (error) {
    const [first] = problems(error);
    if (!first) throw new Error('an error without problems', { cause: error });
    return first;
  }
  throw new Error(`no error for: ${c.name}`);
}

describe('malformed specs', () => {
  it('has at least 30 distinct cases', () => {
    expect(new Set(cases.map((c) => c.yaml + (c.env ?? ''))).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name', (c) => {
    const p = firstProblem(c);
    expect(p.location?.file).toBe('slipway.yaml');
    const text = `${p.location?.line}:${p.location?.column}${p.path ? ` ${p.path}` : ''}: ${p.message}`;
    expect(text.startsWith(c.expected), `got: ${text}`).toBe(true);
    if (c.hint) expect(p.hint).toBe(c.hint);
    // The CLI prints `slipway.yaml:L:C path: message`, the form the issue asks for.
    expect(new UserErrors([p], 'x').format().startsWith(`slipway.yaml:${c.expected}`)).toBe(true);
  });
});
