/**
 * Vendors the schemas the exported Gatekeeper and Kyverno objects are validated against (test/policy/
 * admission-crds.test.ts), from the projects' published CRDs, with descriptions removed:
 *
 *   npx tsx scripts/gen-admission-crd-schemas.ts <gatekeeper git dir> <kyverno git dir> [<policy-controller git dir>]
 *
 * (git dirs of clones of open-policy-agent/gatekeeper, kyverno/kyverno and sigstore/policy-controller;
 * HEAD is read; `-` skips a project), then `npx prettier --write test/fixtures/admission-crds`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const [gatekeeper, kyverno, sigstore] = process.argv.slice(2);
if (!gatekeeper || !kyverno) {
  console.error(
    'usage: gen-admission-crd-schemas.ts <gatekeeper git dir|-> <kyverno git dir|-> [<policy-controller git dir>]',
  );
  process.exit(2);
}
const out = resolve(import.meta.dirname, '..', 'test', 'fixtures', 'admission-crds');
mkdirSync(out, { recursive: true });

function show(gitDir: string, path: string): { text: string; commit: string } {
  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { text: git('show', `HEAD:${path}`), commit: git('rev-parse', 'HEAD').trim() };
}

function withoutDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => k !== 'description')
      .map(([k, v]) => [k, withoutDescriptions(v)]),
  );
}

function vendor(gitDir: string, repo: string, path: string, version: string, file: string): void {
  const { text, commit } = show(gitDir, path);
  // Some files hold several documents (a CRD per version); the first CRD is the one.
  const crd = parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .find((d) => (d as { kind?: string } | null)?.kind === 'CustomResourceDefinition') as {
    spec: {
      group: string;
      names: { kind: string };
      versions: Array<{ name: string; schema: { openAPIV3Schema: unknown } }>;
    };
  };
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v) throw new Error(`${repo} ${path}: no version ${version}`);
  const body = {
    source: `${repo} ${path} at ${commit}, Apache-2.0; spec.versions[${version}].schema.openAPIV3Schema with description fields removed`,
    group: crd.spec.group,
    kind: crd.spec.names.kind,
    version,
    schema: withoutDescriptions(v.schema.openAPIV3Schema),
  };
  writeFileSync(join(out, file), `${JSON.stringify(body)}\n`);
}

if (gatekeeper !== '-') {
  vendor(
    gatekeeper,
    'open-policy-agent/gatekeeper',
    'config/crd/bases/constrainttemplate-customresourcedefinition.yaml',
    'v1',
    'gatekeeper-constrainttemplate-v1.schema.json',
  );
  vendor(
    gatekeeper,
    'open-policy-agent/gatekeeper',
    'config/crd/bases/match.gatekeeper.sh_matchcrd.yaml',
    'match',
    'gatekeeper-match.schema.json',
  );
}
if (kyverno !== '-') {
  vendor(
    kyverno,
    'kyverno/kyverno',
    'config/crds/kyverno/kyverno.io_clusterpolicies.yaml',
    'v1',
    'kyverno-clusterpolicy-v1.schema.json',
  );
}
// The ClusterImagePolicy `slipway policy images --format sigstore` writes (policy.sigstore.dev/v1beta1).
if (sigstore && sigstore !== '-') {
  vendor(
    sigstore,
    'sigstore/policy-controller',
    'config/300-clusterimagepolicy.yaml',
    'v1beta1',
    'sigstore-clusterimagepolicy-v1beta1.schema.json',
  );
}
