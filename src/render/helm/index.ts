/**
 * The Helm chart writer: one parameterised chart from the rendered objects of every environment.
 * `helm template <app> chart -f values-<env>.yaml --namespace <ns>` yields exactly the objects
 * `slipway render --env <env>` does, plus the `helm test` hooks, and with the migration Jobs
 * carrying hook annotations (docs/helm.md says exactly what differs and why).
 */
import type { NamedObject } from '@slipway/kube';
import type {
  FormatInput,
  FormatOutput,
  FormatWarning,
  FormatWriter,
  RenderedEnvironment,
} from '../format.js';
import { plainObjects } from '../format.js';
import { toYaml } from '../yaml.js';
import { chartVersion, chartYaml, notesTxt } from './chart-files.js';
import { emitDocument, valueRef } from './emit.js';
import { podSecurityLabels } from '../objects/namespace.js';
import { helpersTpl } from './helpers-tpl.js';
import {
  credentialsTemplate,
  installSecretNotes,
  installSecretValues,
  serviceSecretsTemplate,
} from './install-secrets.js';
import { withHookAnnotations } from './hooks.js';
import { namedValues } from './named.js';
import { hasMarker, markRelease, releaseExpr, releaseTplText, type ReleaseNames } from './release.js';
import { SMOKE_TEST_IMAGE, smokeTargets, smokeTestTemplate } from './smoke-test.js';
import { chartDependencies } from './subcharts.js';
import { CNPG_API_VERSION, CNPG_SERVICE_SUFFIXES } from '../objects/dependencies/cloudnative-pg.js';
import { buildTree, MISSING, type TreeContext, type Version } from './tree.js';
import { overlay, setAt, valuesSchema, type Values } from './values.js';

export const helmWriter: FormatWriter = {
  name: 'helm',
  description: 'a Helm chart with values-<env>.yaml for every environment',
  scope: 'all',
  stdout: false,
  write: writeHelmChart,
};

interface ObjectVersions {
  key: string;
  kind: string;
  name: string;
  file: string;
  /** Parallel to the environments; MISSING where an environment lacks the object. */
  versions: (NamedObject | typeof MISSING)[];
}

export function writeHelmChart(input: FormatInput): FormatOutput {
  const warnings: FormatWarning[] = [];
  const envs = input.environments.map((e) => ({ ...e, objects: plainObjects(e.objects) }));
  if (envs.length === 0) throw new Error('helm writer: no environments to write');
  const chart = input.spec.app;
  // Every environment's values start with the naming overrides `helm create` offers.
  const values = new Map<string, Values>(
    envs.map((e) => [e.environment, { nameOverride: '', fullnameOverride: '' }]),
  );
  const files = new Map<string, string>();
  const release = new Map(envs.map((e) => [e.environment, releaseNames(e)]));
  const marked = envs.map((e) => ({
    ...e,
    objects: e.objects.map((o) => markRelease(o, release.get(e.environment)!)),
  }));
  const common = commonLabels(marked);
  const subcharts = chartDependencies(envs, warnings);
  for (const [env, own] of subcharts.values) Object.assign(values.get(env)!, own);

  files.set(
    'Chart.yaml',
    chartYaml(
      chart,
      chartVersion(input.spec.version, warnings),
      input.spec.version,
      input.spec.description,
      subcharts.dependencies,
    ),
  );
  const templates = new Map<string, string>();
  for (const obj of groupObjects(envs)) {
    const versions = obj.versions.map((v, i) =>
      v === MISSING ? v : markRelease(v, release.get(envs[i]!.environment)!),
    );
    templates.set(obj.file, objectTemplate({ ...obj, versions }, envs, values, common, chart));
  }
  for (const env of envs) {
    Object.assign(values.get(env.environment)!, installSecretValues(env.app));
    // helm --create-namespace cannot label the namespace: NOTES.txt prints the command that does.
    if (env.podSecurity)
      values.get(env.environment)!.namespaceLabels = podSecurityLabels(env.app, env.podSecurity);
    setAt(values.get(env.environment)!, ['tests', 'image'], SMOKE_TEST_IMAGE);
    setAt(values.get(env.environment)!, ['tests', 'targets'], smokeTargets(env.objects, env.app.app));
  }

  const first = values.get(envs[0]!.environment)!;
  const header = `# ${chart}: values of environment "${envs[0]!.environment}" (the default). Written by slipway render --format helm.\n`;
  files.set('values.yaml', header + toYaml(first));
  for (const env of envs) {
    const own = values.get(env.environment)!;
    files.set(
      `values-${env.environment}.yaml`,
      `# ${chart}: values of environment "${env.environment}". Use: helm upgrade --install ${chart} . -f values-${env.environment}.yaml --namespace ${env.app.namespace}\n` +
        toYaml(overlay(first, own)),
    );
  }
  files.set(
    'values.schema.json',
    JSON.stringify(valuesSchema([...values.values()], `${chart} chart values`), null, 2) + '\n',
  );
  files.set(
    'templates/_helpers.tpl',
    helpersTpl(chart, common, (text) => `{{ ${releaseExpr(text, chart)} | toJson }}`),
  );
  files.set('templates/NOTES.txt', notesTxt(chart, serviceNames(envs, chart), installSecretNotes(chart)));
  for (const [file, text] of templates) files.set(file, text);
  const has = (key: string) => [...values.values()].some((v) => key in v);
  if (has('credentials')) files.set('templates/secrets-credentials.yaml', credentialsTemplate(chart));
  if (has('serviceSecrets')) files.set('templates/secrets-services.yaml', serviceSecretsTemplate(chart));
  files.set('templates/tests/smoke-test.yaml', smokeTestTemplate(chart));
  files.set('.helmignore', '.git/\n*.swp\n*.bak\n*.tmp\n');
  return { files, warnings };
}

function objectTemplate(
  obj: ObjectVersions,
  envs: RenderedEnvironment[],
  values: Map<string, Values>,
  common: Record<string, string>,
  chart: string,
): string {
  const present = envs
    .map((e, i) => ({ env: e, version: obj.versions[i]! }))
    .filter((p) => p.version !== MISSING);
  const base = ['objects', obj.kind, obj.name];
  const named = namedValues(obj.kind, obj.name);
  const ctx: TreeContext = {
    envs: present.map((p) => p.env.environment),
    genericBase: base,
    ...named,
    commonLabels: (path) =>
      Object.keys(common).length && path.length === 2 && path[0] === 'metadata' && path[1] === 'labels'
        ? { include: `${chart}.labels`, labels: common }
        : undefined,
    expr: (_path, versions) =>
      typeof versions[0] === 'string' && hasMarker(versions[0]) && versions.every((v) => v === versions[0])
        ? releaseExpr(versions[0], chart)
        : undefined,
    tplText: (value) => releaseTplText(value, chart),
    setValue: (env, ref, value) => setAt(values.get(env)!, ref, value),
  };
  const versions: Version[] = present.map((p) => withHookAnnotations(p.version as NamedObject));
  const lines = emitDocument(buildTree(versions, [], ctx));
  const header = `# ${obj.kind} ${obj.name}: written by slipway render --format helm from slipway.yaml; change the spec, not this file.`;
  if (present.length === envs.length) return [header, ...lines, ''].join('\n');
  const enabled = [...base, 'enabled'];
  envs.forEach((e, i) => setAt(values.get(e.environment)!, enabled, obj.versions[i] !== MISSING));
  return [header, `{{- if ${valueRef(enabled)} }}`, ...lines, '{{- end }}', ''].join('\n');
}

/** Objects matched across environments by kind and name (and namespace, if a name repeats). */
function groupObjects(envs: RenderedEnvironment[]): ObjectVersions[] {
  const byKey = new Map<string, ObjectVersions>();
  envs.forEach((env, i) => {
    const seen = new Set<string>();
    for (const o of env.objects) {
      const key = `${o.kind}/${o.metadata.name}`;
      if (seen.has(key)) throw new Error(`helm writer: two objects ${key} in environment ${env.environment}`);
      seen.add(key);
      let entry = byKey.get(key);
      if (!entry) {
        entry = {
          key,
          kind: o.kind,
          name: o.metadata.name,
          file: `templates/${o.kind.toLowerCase()}-${o.metadata.name}.yaml`,
          versions: envs.map(() => MISSING),
        };
        byKey.set(key, entry);
      }
      entry.versions[i] = o;
    }
  });
  return [...byKey.values()];
}

/** Label pairs carried by every object in every environment; _helpers.tpl defines them once. */
function commonLabels(envs: RenderedEnvironment[]): Record<string, string> {
  let common: Record<string, string> | undefined;
  for (const env of envs) {
    for (const o of env.objects) {
      const labels = o.metadata.labels ?? {};
      common = common
        ? Object.fromEntries(Object.entries(common).filter(([k, v]) => labels[k] === v))
        : { ...labels };
    }
  }
  return common ?? {};
}

function releaseNames(env: RenderedEnvironment): ReleaseNames {
  const services = env.objects.flatMap((o) =>
    o.kind === 'Service'
      ? [o.metadata.name]
      : o.kind === 'Cluster' && o.apiVersion === CNPG_API_VERSION
        ? CNPG_SERVICE_SUFFIXES.map((s) => `${o.metadata.name}-${s}`)
        : [],
  );
  return { app: env.app.app, namespace: env.app.namespace, services: new Set(services) };
}

/** The Services, as `{{ include "<chart>.fullname" . }}-<part>` when named after the app. */
function serviceNames(envs: RenderedEnvironment[], chart: string): string[] {
  const names = new Set<string>();
  for (const env of envs) {
    for (const o of env.objects) {
      if (o.kind !== 'Service') continue;
      const name = o.metadata.name;
      const app = env.app.app;
      names.add(
        name.startsWith(`${app}-`) ? `{{ include "${chart}.fullname" . }}${name.slice(app.length)}` : name,
      );
    }
  }
  return [...names];
}
