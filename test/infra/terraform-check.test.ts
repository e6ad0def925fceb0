import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { specRenderer } from '../../src/cli/check-spec.js';
import { nodeHost } from '../../src/cli/check-host.js';
import { loadHcl } from '../../src/cli/hcl.js';
import { memoryIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { checkSets, DEFAULT_KUBE_VERSION, inputSets } from '../../src/policy/engine.js';
import { collectInputs } from '../../src/policy/sources/collect.js';
import { PSS_LATEST } from '../../src/policy/pss/version.js';
import { parse as hashicorpParse } from '@cdktf/hcl2json';
import { isExpression, parseTerraform } from '../../src/policy/load/terraform.js';
import { kubernetesObjects } from '../../src/policy/load/terraform-kubernetes.js';
import { getPath } from '../../src/policy/access.js';
import { everything, exampleCases, fixtureCases } from './terraform-cases.js';

/**
 * `slipway check` on Terraform: a directory of .tf files (positions from the .tf text) and
 * slipway.yaml (the Terraform it renders, placed in slipway.yaml). The rendered Terraform of every
 * cloud passes every rule; each edit a team might make is reported at the line it edited.
 */
interface Report {
  findings: Array<{ rule: string; file: string; line: number; column: number; message: string }>;
  summary: { objects: number };
}

async function check(args: string[], cwd: string) {
  const io = memoryIo({ cwd });
  const code = await main(['node', 'slipway', 'check', '-o', 'json', ...args], io.io);
  return { code, report: (io.stdout() ? JSON.parse(io.stdout()) : undefined) as Report, err: io.stderr() };
}

function writeTree(files: Map<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-check-'));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const CASES = fixtureCases();

/** Edits to the rendered production root, each with the rule it must trip. */
const EDITS: Record<
  string,
  Array<{ file: string; from: RegExp; to: string; rule: string; at?: RegExp; warning?: true }>
> = {
  'everything-aws': [
    {
      file: 'aws.tf',
      from: /storage_encrypted( *)= true/,
      to: 'storage_encrypted$1= false',
      rule: 'terraform-encryption-at-rest',
    },
    {
      file: 'aws.tf',
      from: /publicly_accessible( *)= false/,
      to: 'publicly_accessible$1= true',
      rule: 'terraform-public-access',
    },
    {
      file: 'aws.tf',
      from: /deletion_protection( *)= true/,
      to: 'deletion_protection$1= false',
      rule: 'terraform-deletion-protection',
    },
    {
      file: 'aws.tf',
      from: /backup_retention_period( *)= \d+/,
      to: 'backup_retention_period$1= 2',
      rule: 'terraform-backup-retention',
    },
    {
      file: 'aws.tf',
      from: /transit_encryption_enabled( *)= true/,
      to: 'transit_encryption_enabled$1= false',
      rule: 'terraform-encryption-in-transit',
    },
    {
      file: 'aws.tf',
      from: /status = "Enabled"/,
      to: 'status = "Suspended"',
      rule: 'terraform-bucket-versioning',
      warning: true,
    },
  ],
  'everything-gcp': [
    {
      file: 'gcp.tf',
      from: /ipv4_enabled( *)= false/,
      to: 'ipv4_enabled$1= true',
      rule: 'terraform-public-access',
    },
    {
      file: 'gcp.tf',
      from: /deletion_protection( *)= true/,
      to: 'deletion_protection$1= false',
      rule: 'terraform-deletion-protection',
    },
    {
      file: 'gcp.tf',
      from: /retained_backups( *)= \d+/,
      to: 'retained_backups$1= 3',
      rule: 'terraform-backup-retention',
    },
    {
      file: 'gcp.tf',
      from: /transit_encryption_mode( *)= "SERVER_AUTHENTICATION"/,
      to: 'transit_encryption_mode$1= "DISABLED"',
      rule: 'terraform-encryption-in-transit',
    },
  ],
  'everything-azure': [
    {
      file: 'azure.tf',
      from: /public_network_access_enabled( *)= false/,
      to: 'public_network_access_enabled$1= true',
      rule: 'terraform-public-access',
    },
    {
      file: 'azure.tf',
      from: /lock_level( *)= "CanNotDelete"/,
      to: 'lock_level$1= "ReadOnly"',
      rule: 'terraform-deletion-protection',
      at: /resource "azurerm_postgresql_flexible_server"/,
    },
    {
      file: 'azure.tf',
      from: /backup_retention_days( *)= \d+/,
      to: 'backup_retention_days$1= 3',
      rule: 'terraform-backup-retention',
    },
  ],
};

describe("the tree-sitter reading agrees with HashiCorp's parser", () => {
  it('on every resource and literal argument of the rendered files', async () => {
    const parse = await loadHcl();
    let compared = 0;
    for (const c of [...fixtureCases(), ...exampleCases()])
      for (const [path, text] of c.files) {
        const ours = parseTerraform(text, path, parse, { module: dirname(path), production: false });
        expect(ours.problems).toEqual([]);
        const theirs = (await hashicorpParse(path, text)) as {
          resource?: Record<string, Record<string, Array<Record<string, unknown>>>>;
        };
        const addresses = Object.entries(theirs.resource ?? {}).flatMap(([t, byName]) =>
          Object.keys(byName).map((n) => `${t}.${n}`),
        );
        const resources = ours.manifests.filter((m) => m.terraform);
        expect(resources.map((m) => `${m.ref.kind}.${m.ref.name}`).sort(), path).toEqual(addresses.sort());
        for (const m of resources) {
          const args = theirs.resource![m.ref.kind]![m.ref.name]![0]!;
          for (const [k, v] of Object.entries(m.body))
            if (v === null || typeof v !== 'object') {
              expect(args[k], `${path} ${m.ref.kind}.${m.ref.name}.${k}`).toEqual(v);
              compared++;
            }
        }
      }
    expect(compared).toBeGreaterThan(500);
  });

  it('on the Kubernetes objects of kubernetes_* resources, converted from either reading', async () => {
    const parse = await loadHcl();
    let compared = 0;
    for (const c of [...fixtureCases(), ...exampleCases()])
      for (const [path, text] of c.files) {
        const ours = parseTerraform(text, path, parse, { module: dirname(path), production: false });
        const declared = ours.manifests.filter((m) => m.declaredBy);
        if (!declared.length) continue;
        const theirs = (await hashicorpParse(path, text)) as {
          resource: Record<string, Record<string, Array<Record<string, unknown>>>>;
        };
        // HashiCorp's reading of each resource, through the same conversion.
        const converted = kubernetesObjects(
          ours.manifests
            .filter((m) => m.terraform)
            .map((m) => ({ ...m, body: generated(theirs.resource[m.ref.kind]![m.ref.name]![0]!) })),
        );
        expect(converted.map((m) => m.declaredBy)).toEqual(declared.map((m) => m.declaredBy));
        declared.forEach((m, i) => {
          // Every literal of ours is theirs too (they write expressions as "${...}" strings).
          for (const [at, value] of leaves(m.body)) {
            expect(getPath(converted[i]!.body, at), `${path} ${m.declaredBy!.name} ${at.join('.')}`).toEqual(
              value,
            );
            compared++;
          }
        });
      }
    expect(compared).toBeGreaterThan(50);
  });
});

/**
 * HashiCorp's JSON with each `dynamic "x" { content { ... } }` as the `x` block it generates, after
 * the literal `x` blocks (the rendered files write them in that order), as the loader reads them.
 */
function generated(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body))
    if (k !== 'dynamic')
      out[k] = Array.isArray(v)
        ? v.map((b) => (b && typeof b === 'object' ? generated(b as Record<string, unknown>) : b))
        : v;
  const dynamic = (body.dynamic ?? {}) as Record<string, Array<{ content: Array<Record<string, unknown>> }>>;
  for (const [type, blocks] of Object.entries(dynamic))
    out[type] = [
      ...((out[type] as unknown[] | undefined) ?? []),
      ...blocks.map((b) => generated(b.content[0]!)),
    ];
  return out;
}

/** The literal leaves of an object (paths and values), not those below a Terraform expression. */
function leaves(value: unknown, path: Array<string | number> = []): Array<[Array<string | number>, unknown]> {
  if (isExpression(value)) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [[path, value]];
}

describe('slipway check on Terraform directories', () => {
  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: the rendered Terraform passes every rule; each edit is reported at the edited line',
    async (name, c) => {
      const dir = writeTree(c.files);
      const clean = await check(['.'], dir);
      // Nothing either on the Kubernetes objects modules/namespace declares (most of their fields
      // come from the module's variables, which are not judged).
      expect(clean.report.findings).toEqual([]);
      expect(clean.report.summary.objects).toBeGreaterThan(10);
      for (const edit of EDITS[name]!) {
        const path = join(dir, 'environments', 'production', edit.file);
        const before = readFileSync(path, 'utf8');
        const match = edit.from.exec(before);
        expect(match, `${name}: ${String(edit.from)}`).not.toBeNull();
        writeFileSync(path, before.replace(edit.from, edit.to));
        const index = edit.at ? edit.at.exec(before)!.index : match!.index;
        const lines = before.slice(0, index).split('\n');
        const at = `${lines.length}:${lines.at(-1)!.length + 1}`;
        const r = await check(['environments'], dir);
        writeFileSync(path, before);
        const hits = r.report.findings.filter((f) => f.rule === edit.rule);
        expect(r.code, `${name} ${edit.rule}`).toBe(edit.warning ? 0 : 1);
        expect(
          hits.map((f) => `${f.file}:${f.line}:${f.column}`),
          `${name} ${edit.rule}`,
        ).toContain(`environments/production/${edit.file}:${at}`);
      }
    },
  );

  it('judges the RBAC of modules/namespace with the rules each environment passes it', async () => {
    const dir = writeTree(CASES[0]!.files);
    const path = join(dir, 'modules', 'namespace', 'main.tf');
    const before = readFileSync(path, 'utf8');
    const position = (text: string, index: number) => {
      const lines = text.slice(0, index).split('\n');
      return `${lines.length}:${lines.at(-1)!.length + 1}`;
    };
    // An edited literal rule: reported at its argument, named by its address in the call. (The
    // Prometheus proxy Role is not there: this spec's analyses query no Prometheus, and its count,
    // `var.prometheus_namespace == "" ? 0 : 1`, is 0 for the call's "".)
    const edited = before.replace(
      /(resources {2}= \["validatingadmissionpolicybindings"\]\n *verbs {6}= )\["list"\]/,
      '$1["*"]',
    );
    expect(edited).not.toBe(before);
    writeFileSync(path, edited);
    const { code, report } = await check(['--fail-on', 'warning', 'environments/production'], dir);
    expect(code).toBe(1);
    const star = edited.indexOf('["*"]', edited.indexOf('validatingadmissionpolicybindings')) + 1;
    expect(report.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([
      `rbac-wildcard modules/namespace/main.tf:${position(edited, star)} rule 1 grants every verb (*) (module.namespace.kubernetes_cluster_role_v1.namespace, called from environments/production)`,
    ]);
    // Without the reasoned ignores the renderer writes, the deployer's and the drill's roles (their
    // rules are the module call's \`rules\` argument, expanded through the dynamic blocks) report
    // exactly the two rules the ignores name, at the dynamic blocks' resources, for every environment.
    const bare = before.replace(/\n\n? *annotations = \{\n *"slipway\.dev\/ignore"[^}]*\}/g, '');
    expect(bare.match(/slipway\.dev\/ignore/g)).toBeNull();
    writeFileSync(path, bare);
    const all = await check(['environments'], dir);
    writeFileSync(path, before);
    const where = new Set(all.report.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}`));
    const dynamic = (n: number) => {
      let index = -1;
      for (let i = 0; i <= n; i++) index = bare.indexOf('resources  = rule.value.resources', index + 1);
      const lines = bare.slice(0, index).split('\n');
      return `modules/namespace/main.tf:${lines.length}:${lines.at(-1)!.length + 1}`;
    };
    // The dynamic "rule" blocks in order: the deployer Role, the drill Role, the drill ClusterRole.
    expect([...where].sort()).toEqual(
      [
        `rbac-create-workloads ${dynamic(0)}`,
        `rbac-secret-read ${dynamic(0)}`,
        `rbac-create-workloads ${dynamic(1)}`,
        `rbac-secret-read ${dynamic(1)}`,
        `rbac-create-workloads ${dynamic(2)}`,
      ].sort(),
    );
    const environments = new Set(all.report.findings.map((f) => /called from ([^,)]+)/.exec(f.message)?.[1]));
    const roots = [...CASES[0]!.files.keys()].filter((p) => /^environments\/[^/]+\/main\.tf$/.test(p));
    expect([...environments].sort()).toEqual(roots.map((p) => dirname(p)).sort());
    // Grant by grant: the ignores cover these two rules for the whole Role, so a grant added later
    // that the rules would report must change this list (each role's rules, as the engine needs them).
    const grants = new Set(
      all.report.findings.map(
        (f) =>
          `${/kubernetes_\w+\.\w+/.exec(f.message)?.[0]} ${f.rule}: ${f.message.replace(/ \(module\..*$/, '')}`,
      ),
    );
    expect([...grants].sort()).toEqual([
      'kubernetes_cluster_role_v1.drill rbac-create-workloads: rule 4 allows creating statefulsets',
      'kubernetes_role_v1.deployer rbac-create-workloads: rule 6 allows creating deployments',
      'kubernetes_role_v1.deployer rbac-create-workloads: rule 8 allows creating statefulsets',
      'kubernetes_role_v1.deployer rbac-create-workloads: rule 9 allows creating cronjobs',
      'kubernetes_role_v1.deployer rbac-secret-read: rule 3 grants get/list on secrets',
      'kubernetes_role_v1.drill rbac-create-workloads: rule 3 allows creating jobs',
      'kubernetes_role_v1.drill rbac-secret-read: rule 2 grants get/list on secrets',
    ]);
  });

  it('refuses HCL that does not parse with exit 2 at file:line:col', async () => {
    const dir = writeTree(new Map([['main.tf', 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n']]));
    const io = memoryIo({ cwd: dir });
    const code = await main(['node', 'slipway', 'check', 'main.tf'], io.io);
    expect(code).toBe(2);
    expect(io.stderr()).toMatch(/main\.tf:\d+:\d+/);
  });
});

describe('slipway check follows the local modules the checked Terraform calls', () => {
  const tree = () =>
    writeTree(
      new Map([
        [
          'environments/production/main.tf',
          'module "db" {\n  source = "../../modules/db"\n}\n\nmodule "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n',
        ],
        ['environments/dev/main.tf', 'module "db" {\n  source = "../../modules/db"\n}\n'],
        ['environments/staging/main.tf', 'module "gone" {\n  source = "../../modules/missing"\n}\n'],
        [
          'modules/db/main.tf',
          [
            'resource "aws_db_instance" "main" {',
            '  engine                  = "postgres"',
            '  storage_encrypted       = true',
            '  publicly_accessible     = false',
            '  backup_retention_period = 7',
            '  deletion_protection     = false',
            '}',
            '',
          ].join('\n'),
        ],
      ]),
    );
  const deletion = (r: Report) => r.findings.filter((f) => f.rule === 'terraform-deletion-protection');

  it('judges a module called from a production root as production, at its own file and line', async () => {
    const dir = tree();
    const { code, report, err } = await check(['environments/production'], dir);
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(deletion(report)).toEqual([
      expect.objectContaining({ file: 'modules/db/main.tf', line: 6, column: 3 }),
    ]);
  });

  it('judges it once, as production when any caller is, when the whole tree is checked', async () => {
    const dir = tree();
    const whole = await check(['.'], dir);
    expect(deletion(whole.report)).toHaveLength(1);
    expect(whole.report.findings.filter((f) => f.file === 'modules/db/main.tf').length).toBe(
      new Set(whole.report.findings.filter((f) => f.file === 'modules/db/main.tf').map((f) => f.rule)).size,
    );
    // Called from dev only, the module is not production; a source that does not exist is skipped.
    const dev = await check(['environments/dev', 'environments/staging'], dir);
    expect(dev.err).toBe('');
    expect(deletion(dev.report)).toEqual([]);
    expect(dev.report.summary.objects).toBe(1);
  });
});

describe('slipway check on slipway.yaml judges the Terraform it renders', () => {
  it('finds nothing in what the renderer writes, and places a finding in slipway.yaml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-tf-spec-'));
    writeFileSync(join(dir, 'slipway.yaml'), everything('aws'));
    const host = nodeHost(process.stdin, {});
    const options = { cwd: dir, values: [], set: [], hcl: loadHcl };
    const request = {
      options: { kubeVersion: DEFAULT_KUBE_VERSION, pssVersion: PSS_LATEST },
    };
    const real = specRenderer(undefined);
    const collected = await collectInputs(['slipway.yaml'], host, { ...options, renderSpec: real });
    const resources = collected.files.flatMap((f) => f.manifests).filter((m) => m.terraform);
    expect(resources.length).toBeGreaterThan(10);
    // modules/namespace's objects, with each environment's arguments (the deployer Role's rules).
    const roles = collected.files
      .flatMap((f) => f.manifests)
      .filter(
        (m) =>
          m.declaredBy?.type === 'module.namespace.kubernetes_role_v1' && m.declaredBy.name === 'deployer',
      );
    expect(roles.map((m) => m.environment).sort()).toEqual(['production', 'staging']);
    expect(roles.every((m) => Array.isArray(m.body.rules) && m.body.rules.length > 5)).toBe(true);
    const clean = checkSets(inputSets(collected.files.flatMap((f) => f.manifests)), request);
    expect(clean.findings.filter((f) => f.category === 'terraform')).toEqual([]);
    expect(clean.findings.filter((f) => f.message.includes('module.namespace.'))).toEqual([]);

    // The same rendering with production's database left unprotected, as a renderer bug would.
    const tampered = async (file: string) =>
      (await real(file)).map((r) =>
        r.terraform
          ? {
              ...r,
              terraform: {
                ...r.terraform,
                files: new Map(
                  [...r.terraform.files].map(([p, t]) => [
                    p,
                    t.replace(/deletion_protection( *)= true/, 'deletion_protection$1= false'),
                  ]),
                ),
              },
            }
          : r,
      );
    const bad = await collectInputs(['slipway.yaml'], host, { ...options, renderSpec: tampered });
    const found = checkSets(inputSets(bad.files.flatMap((f) => f.manifests)), request).findings.filter(
      (f) => f.category === 'terraform',
    );
    const dbLine =
      everything('aws')
        .split('\n')
        .findIndex((l) => l.startsWith('  db:')) + 1;
    expect(found.map((f) => `${f.rule} ${f.environment} ${f.file}:${f.line}:${f.column}`)).toEqual([
      `terraform-deletion-protection production slipway.yaml:${dbLine}:3`,
    ]);
    expect(found[0]!.message).toMatch(/render --format terraform: environments\/production\/aws\.tf:\d+/);
  });
});
