/**
 * Issue 17: the deployer Role that `render --format terraform` writes is exactly what `slipway
 * deploy` needs. Against the sandbox with its RBAC authorizer (src/sandbox/server/rbac.ts) and real
 * sample-service pods, the objects the Terraform's modules/namespace would create (namespace,
 * ServiceAccount with a token Secret, the Role with the rules read from the rendered main.tf by
 * HashiCorp's HCL parser, the namespace-limited ClusterRole, their bindings) are applied as the
 * admin; then `slipway deploy` runs with the ServiceAccount's token. With every rule it succeeds;
 * without any one of them it fails with the API server's 403 naming the verb and resource.
 *
 * The restore drill's identity likewise: a Redis dependency is deployed and backed up as the admin,
 * the drill ServiceAccount, Role and ClusterRole are made from the rules the rendered main.tf passes
 * to the module, and `slipway backup drill` runs with that token: it passes with every rule, and
 * fails with the 403 naming the verb and resource without the scratch namespaces' rule or without
 * the restore Job's.
 */
import type { KubeObject } from '@slipway/kube';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ADMISSION_BINDINGS_RULE, deployerRules, NAMESPACE_RULE } from '../../src/infra/deployer-access.js';
import { renderApp } from '../../src/render/index.js';
import { parseSpec, resolveEnvironment } from '../../src/spec/index.js';
import { mergeSandboxKubeconfig } from '@slipway/sandbox';
import { renderSpec } from '../infra/terraform-cases.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { SAMPLE_SPEC, slipwayCli } from './deploy-helpers.js';
import { startSandboxEnv, type SandboxEnv } from './sandbox-env.js';

interface Rule {
  api_groups: string[];
  resources: string[];
  verbs: string[];
}

const RBAC = 'rbac.authorization.k8s.io/v1';

/** The sandbox runs the redis image as the host's redis-server. */
const haveRedis = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
if (!haveRedis) {
  const why = 'the Debian package redis-server is not installed (.ci/apt-packages lists it)';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  console.warn(`[skip] ${why}: the drill identity's sandbox test is skipped`);
}

/** An app with one Redis backed up to its volume: the cheapest drill that makes a scratch namespace. */
const DRILL_SPEC = `app: keep
version: "1.0.0"
services:
  web:
    image: sample-service:1.0.0
    port: 8080
    health: { readiness: { http: /readyz, period: 1s } }
    resources: { cpu: 50m, memory: 64Mi }
dependencies:
  cache: { type: redis }
backups:
  cache: { schedule: "0 1 * * *", keep: 2, rto: 1h }
environments:
  dev: {}
`;
/** A second deploy whose image never pulls: the roll-out fails and is rolled back. */
const BAD_IMAGE = [
  '--second',
  '--strategy',
  'rolling',
  '--set-image',
  'web=sample-service:broken',
  // The first failed pull ends the wait (and reads the pod's ReplicaSet), well before the deadline.
  '--set',
  'deploy.failuresAllowedPerReplica=0',
  '--set',
  'deploy.progressDeadline=30s',
];

/** The rules of `module "namespace"` in environments/dev/main.tf, as HashiCorp's parser reads them. */
async function renderedRules(spec = SAMPLE_SPEC): Promise<Rule[]> {
  const files = renderSpec(readFileSync(spec, 'utf8'), spec);
  const main = (await parse('main.tf', files.get('environments/dev/main.tf')!)) as {
    module: { namespace: Array<{ rules: Rule[] }> };
  };
  return main.module.namespace[0]!.rules;
}

/** Deploys DRILL_SPEC as the admin and backs its Redis up once. */
async function setUpDrill(env: SandboxEnv) {
  const spec = join(env.dir, 'drill.yaml');
  writeFileSync(spec, DRILL_SPEC);
  const admin = (args: string[]) =>
    slipwayCli(env, [...args, '-f', spec, '--env', 'dev', '--timeout', '60s']);
  const deployed = await admin(['deploy', '--skip-analysis']);
  const backedUp = deployed.code === 0 ? await admin(['backup', 'run', 'cache']) : deployed;
  return { spec, deployed, backedUp };
}

/** The drill's rules that `module "namespace"` passes in environments/dev/main.tf. */
async function renderedDrill(
  text: string,
  file: string,
): Promise<{ name: string; rules: Rule[]; clusterRules: Rule[] }> {
  const files = renderSpec(text, file);
  const main = (await parse('main.tf', files.get('environments/dev/main.tf')!)) as {
    module: { namespace: Array<{ drill: string; drill_rules: Rule[]; drill_cluster_rules: Rule[] }> };
  };
  const call = main.module.namespace[0]!;
  return { name: call.drill, rules: call.drill_rules, clusterRules: call.drill_cluster_rules };
}

const rbacRules = (rules: Rule[]) =>
  rules.map((r) => ({ apiGroups: r.api_groups, resources: r.resources, verbs: r.verbs }));

/** What modules/namespace creates for the drill: its ServiceAccount and token, Role, ClusterRole, bindings. */
function drillObjects(
  namespace: string,
  name: string,
  token: string,
  rules: Rule[],
  clusterRules: Rule[],
): KubeObject[] {
  const subject = { kind: 'ServiceAccount', name, namespace };
  const roleRef = (kind: string, ref: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name: ref });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: `${name}-token`,
        namespace,
        annotations: { 'kubernetes.io/service-account.name': name },
      },
      type: 'kubernetes.io/service-account-token',
      data: { token: Buffer.from(token).toString('base64') },
    },
    { apiVersion: RBAC, kind: 'Role', metadata: { name, namespace }, rules: rbacRules(rules) },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: roleRef('Role', name),
      subjects: [subject],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: `${name}-${namespace}` },
      rules: rbacRules(clusterRules),
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: { name: `${name}-${namespace}` },
      roleRef: roleRef('ClusterRole', `${name}-${namespace}`),
      subjects: [subject],
    },
  ] as KubeObject[];
}

/** What modules/namespace creates for a namespace, as Kubernetes objects. */
function deployerObjects(namespace: string, token: string, rules: Rule[]): KubeObject[] {
  const name = 'sample-deployer';
  const subject = { kind: 'ServiceAccount', name, namespace };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: `${name}-token`,
        namespace,
        annotations: { 'kubernetes.io/service-account.name': name },
      },
      type: 'kubernetes.io/service-account-token',
      // The token controller fills this in a real cluster; the sandbox has none.
      data: { token: Buffer.from(token).toString('base64') },
    },
    {
      apiVersion: RBAC,
      kind: 'Role',
      metadata: { name, namespace },
      rules: rules.map((r) => ({ apiGroups: r.api_groups, resources: r.resources, verbs: r.verbs })),
    },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [subject],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: `${name}-${namespace}-namespace` },
      rules: [
        {
          apiGroups: [NAMESPACE_RULE.apiGroup],
          resources: [NAMESPACE_RULE.resource],
          verbs: NAMESPACE_RULE.verbs,
          resourceNames: [namespace],
        },
        {
          apiGroups: [ADMISSION_BINDINGS_RULE.apiGroup],
          resources: [ADMISSION_BINDINGS_RULE.resource],
          verbs: ADMISSION_BINDINGS_RULE.verbs,
        },
      ],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: { name: `${name}-${namespace}-namespace` },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: `${name}-${namespace}-namespace`,
      },
      subjects: [subject],
    },
  ];
}

describe('the deployer Role from render --format terraform, in the sandbox with RBAC', () => {
  let env: SandboxEnv;
  let rules: Rule[];
  let diagnostic: Set<string>;
  let drillSetup: ReturnType<typeof setUpDrill> | undefined;
  beforeAll(async () => {
    env = await startSandboxEnv({ runtime: true });
    rules = await renderedRules();
    const file = SAMPLE_SPEC;
    const app = resolveEnvironment(parseSpec(readFileSync(file, 'utf8'), file), 'dev', file);
    // The drill's app is deployed and backed up as the admin while the deployer tests run (a
    // namespace of its own): the drill test then only runs drills.
    if (haveRedis) drillSetup = setUpDrill(env);
    diagnostic = new Set(
      deployerRules(app, renderApp(app).objects)
        .filter((r) => r.diagnostic)
        .map((r) => r.resource),
    );
  });
  afterAll(() => env?.stop());

  /** Sets up the namespace's deployer with `rules` (and the namespace rule unless told not to), then deploys as it. */
  async function deployAs(
    namespace: string,
    roleRules: Rule[],
    withNamespaceRule = true,
    spec = SAMPLE_SPEC,
    extra: string[] = ['--strategy', 'rolling'],
  ) {
    const token = `deployer-${namespace}-token`;
    const objects = deployerObjects(namespace, token, roleRules).filter(
      (o) => withNamespaceRule || !o.kind.startsWith('Cluster'),
    );
    const manifest = join(env.dir, `${namespace}.json`);
    writeFileSync(manifest, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    // The sandbox's OpenAPI documents do not describe the RBAC group, so kubectl cannot validate against them.
    if (!extra.includes('--second')) await env.kubectl(['apply', '--validate=false', '-f', manifest]);
    const kubeconfig = join(env.dir, `${namespace}.kubeconfig`);
    writeFileSync(
      kubeconfig,
      mergeSandboxKubeconfig(
        '',
        { url: env.sandbox.url, caCert: env.sandbox.certs.caCert, token },
        { setCurrent: true },
      ),
    );
    const io = memoryIo({ env: { KUBECONFIG: kubeconfig } });
    const args = [
      'deploy',
      '-f',
      spec,
      '--env',
      'dev',
      '--skip-analysis',
      ...extra.filter((a) => a !== '--second'),
    ];
    const overrides = [
      '--set',
      `namespace=${namespace}`,
      '--set',
      'deploy.progressDeadline=10s',
      '--set',
      'deploy.timeout=30s',
    ];
    // The overrides go first: a later --set of the same field (a shorter progress deadline) wins.
    const code = await main(['node', 'slipway', ...args.slice(0, 6), ...overrides, ...args.slice(6)], io.io);
    return { code, output: io.stdout() + io.stderr() };
  }

  it('the rendered rules cover the sample app and a deploy with them succeeds', async () => {
    expect(rules.map((r) => `${r.api_groups[0] || 'core'}/${r.resources[0]}`)).toEqual([
      'core/configmaps',
      'core/events',
      'core/pods',
      'core/secrets',
      'core/serviceaccounts',
      'core/services',
      'apps/deployments',
      'apps/replicasets',
      'coordination.k8s.io/leases',
      'networking.k8s.io/networkpolicies',
      'policy/poddisruptionbudgets',
    ]);
    const ok = await deployAs('rbac-all', rules);
    expect(ok.output).toContain('deployed sample revision 1 to dev');
    expect(ok.code).toBe(0);
    // The failure path too: a bad image is rolled back, and nothing it reads is refused.
    const bad = await deployAs('rbac-all', rules, true, SAMPLE_SPEC, BAD_IMAGE);
    expect(bad.output).toContain('roll back to revision 1');
    expect(bad.output).toContain('failed to pull image "sample-service:broken"');
    expect(bad.output).not.toContain('forbidden');
    expect(bad.code).toBe(1);
  });

  it('a Role without any one of its rules fails the deploy with a 403 naming the verb and resource', async () => {
    const outcomes: string[] = [];
    for (const [i, rule] of rules.entries()) {
      const namespace = `rbac-no-${i}`;
      const without = rules.filter((_, j) => j !== i);
      let r = await deployAs(namespace, without);
      // Rules of the failure path (the ReplicaSet of a failing pod) show on a deploy that fails.
      if (r.code === 0 && !diagnostic.has(rule.resources[0]!))
        r = await deployAs(namespace, without, true, SAMPLE_SPEC, BAD_IMAGE);
      const forbidden = new RegExp(
        `User "system:serviceaccount:${namespace}:sample-deployer" cannot (${rule.verbs.join('|')}) resource "${rule.resources[0]!.replace('/', '\\/')}" in API group "${rule.api_groups[0]}"`,
      );
      const named = forbidden.test(r.output) ? 'names it' : r.output;
      outcomes.push(
        `${rule.resources[0]}: ${r.code === 0 ? 'exit 0' : 'fails'}, ${r.code === 0 ? 'ok' : named}`,
      );
      if (i === 0) console.log(`without the ${rule.resources[0]} rule:\n${r.output}`);
    }
    // Exit 3 for a refusal before the roll-out, 1 for one during it (rolled back); diagnostic rules
    // (Events, read for the failure message, refusals caught) leave the deploy working.
    expect(outcomes).toEqual(
      rules.map(
        (r) => `${r.resources[0]}: ${diagnostic.has(r.resources[0]!) ? 'exit 0, ok' : 'fails, names it'}`,
      ),
    );
  });

  it('without the namespace-limited ClusterRole the deploy fails on the Namespace it applies', async () => {
    const r = await deployAs('rbac-no-namespace', rules, false);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(
      'namespaces "rbac-no-namespace" is forbidden: User "system:serviceaccount:rbac-no-namespace:sample-deployer" cannot patch resource "namespaces" in API group "" at the cluster scope',
    );
  });

  it('a blue-green spec renders its own rules (Endpoints for the switch), and a deploy with them succeeds', async () => {
    const doc = parseYaml(readFileSync(SAMPLE_SPEC, 'utf8')) as { deploy: Record<string, unknown> };
    doc.deploy = { strategy: 'blue-green', timeout: '1m', scaleDownDelay: '1s' };
    const spec = join(env.dir, 'blue-green.yaml');
    writeFileSync(spec, stringifyYaml(doc));
    const blueGreen = await renderedRules(spec);
    expect(blueGreen.map((r) => r.resources[0])).toContain('endpoints');
    const r = await deployAs('rbac-blue-green', blueGreen, true, spec, [
      '--set-image',
      'web=sample-service:1.0.0',
    ]);
    expect(r.output).toContain('deployed sample revision 1 to dev (blue-green)');
    expect(r.code).toBe(0);
  });
  it.skipIf(!haveRedis)(
    "the drill identity: a drill passes with its rules, and fails with a 403 without the namespaces rule or the Role's secrets rule",
    async () => {
      const { spec, deployed, backedUp } = await drillSetup!;
      expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
      expect(backedUp.code, backedUp.stdout + backedUp.stderr).toBe(0);
      const drill = await renderedDrill(DRILL_SPEC, spec);
      expect(drill.name).toBe('keep-drill');

      const token = 'drill-keep-token';
      const kubeconfig = join(env.dir, 'drill.kubeconfig');
      writeFileSync(
        kubeconfig,
        mergeSandboxKubeconfig(
          '',
          { url: env.sandbox.url, caCert: env.sandbox.certs.caCert, token },
          { setCurrent: true },
        ),
      );
      const grant = async (rules: Rule[], clusterRules: Rule[]) => {
        const manifest = join(env.dir, 'drill-identity.json');
        const items = drillObjects('keep', drill.name, token, rules, clusterRules);
        writeFileSync(manifest, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
        await env.kubectl(['apply', '--validate=false', '-f', manifest]);
      };
      const drillAs = async () => {
        const io = memoryIo({ env: { KUBECONFIG: kubeconfig } });
        const code = await main(
          ['node', 'slipway', 'backup', 'drill', '-f', spec, '--env', 'dev', '--timeout', '60s'],
          io.io,
        );
        return { code, output: io.stdout() + io.stderr() };
      };
      const scratch = async () =>
        (await env.kubectl(['get', 'namespaces', '-o', 'name'])).stdout
          .split('\n')
          .filter((n) => n.includes('-drill-'));

      await grant(drill.rules, drill.clusterRules);
      const ok = await drillAs();
      console.log(`the drill as keep-drill:\n${ok.output}`);
      expect(ok.output).toMatch(
        /cache: drill PASSED: backup \d{8}T\d{6}Z restored into keep-cache-drill-\w+/,
      );
      expect(ok.code).toBe(0);
      expect(await scratch()).toEqual([]);

      const user = 'User "system:serviceaccount:keep:keep-drill"';
      const removals = [
        {
          rule: 'namespaces',
          grants: [drill.rules, drill.clusterRules.filter((r) => r.resources[0] !== 'namespaces')],
          denial: `${user} cannot get resource "namespaces" in API group "" at the cluster scope`,
        },
        {
          rule: 'secrets',
          grants: [drill.rules.filter((r) => r.resources[0] !== 'secrets'), drill.clusterRules],
          denial: `${user} cannot get resource "secrets" in API group "" in the namespace "keep"`,
        },
      ] as const;
      for (const { rule, grants, denial } of removals) {
        await grant(...grants);
        const refused = await drillAs();
        console.log(`without the ${rule} rule:\n${refused.output}`);
        expect(refused.code).toBe(3);
        expect(refused.output).toContain(denial);
      }
      // The scratch namespace is deleted even when the drill fails inside it.
      expect(await scratch()).toEqual([]);
    },
    120_000,
  );
});
