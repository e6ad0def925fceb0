/** `slipway policy export`: the catalog's per-object rules as admission policies (VAP, Gatekeeper, Kyverno). */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from '#yaml';
import { EXIT_FAILED, EXIT_OK, UserError, UserErrors } from '../../errors.js';
import { exportPolicies, type PolicyExport } from '../../policy/admission/export.js';
import { gatorSuite } from '../../policy/admission/gator.js';
import {
  ADMISSION_FORMATS,
  DEFAULT_NAMESPACE_SELECTOR,
  type AdmissionFormat,
} from '../../policy/admission/formats.js';
import {
  formatPolicyTestJunit,
  formatPolicyTestText,
  runPolicyTests,
  EXPECT_KEY,
} from '../../policy/admission/policy-test.js';
import {
  builtImages,
  githubRepository,
  signaturePolicies,
  signingIdentity,
  SIGNATURE_FORMATS,
  type SignatureFormat,
} from '../../policy/admission/signatures.js';
import { DEFAULT_KUBE_VERSION, rulesFor, type Profile } from '../../policy/engine.js';
import { parseManifests } from '../../policy/load/parse.js';
import { PSS_LATEST } from '../../policy/pss/version.js';
import type { CommandContext, RegisterCommand } from '../command.js';
import { loadSpec } from '../load-spec.js';
import { loadConfig } from './check.js';

interface ExportFlags {
  format: string;
  profile: string;
  out?: string;
  config?: string;
  namespaceLabel?: string;
  paramsNamespace: string;
  tests?: string;
}

export const registerPolicy: RegisterCommand = (program: Command, ctx: CommandContext) => {
  const policy = program.command('policy').summary('admission policies from the check catalog');
  policy
    .command('export')
    .summary('write the catalog rules as ValidatingAdmissionPolicies, Gatekeeper or Kyverno policies')
    .description(
      'write every catalog rule that can be judged from one object as an admission policy: ' +
        'ValidatingAdmissionPolicy + binding (vap, the default), Gatekeeper ConstraintTemplate + ' +
        'Constraint with CEL (gatekeeper) or Kyverno ClusterPolicy with validate.cel (kyverno). ' +
        'Rules that cannot be exported are listed with the reason.',
    )
    .option('--format <format>', `one of ${ADMISSION_FORMATS.join(', ')}`, 'vap')
    .option('--profile <profile>', 'all, pss-baseline or pss-restricted (as slipway check)', 'all')
    .option('--out <dir>', 'write one file per rule into this directory (default: YAML on stdout)')
    .option('--config <file>', 'configuration file (default ./.slipway-check.yaml when present)')
    .option('--namespace-label <key=value>', 'apply only in namespaces with this label')
    .option('--params-namespace <ns>', 'namespace of the parameter ConfigMaps (vap)', 'slipway-system')
    .option(
      '--tests <dir>',
      'gatekeeper with --out: also write a gator verify suite (DIR/gator/) from the slipway policy test fixtures in <dir>',
    )
    .action((flags: ExportFlags) => runExport(flags, ctx));
  policy
    .command('images')
    .summary("admit only images the app's own CD workflow signed (Kyverno or sigstore)")
    .description(
      'write the admission policy that refuses images of the app not signed by its rendered cd.yml: ' +
        "cosign keyless signatures whose issuer is GitHub Actions and whose subject is the repository's " +
        '.github/workflows/cd.yml on the default branch or a version tag; as a Kyverno ClusterPolicy ' +
        '(verifyImages) or a sigstore policy-controller ClusterImagePolicy',
    )
    .option('-f, --file <path>', 'the spec', 'slipway.yaml')
    .option('--format <format>', `one of ${SIGNATURE_FORMATS.join(', ')}`, 'kyverno')
    .option('--repository <owner/repo>', "the GitHub repository (default: the spec's repository)")
    .action(async (flags: { file: string; format: string; repository?: string }) => {
      const format = flags.format as SignatureFormat;
      if (!SIGNATURE_FORMATS.includes(format))
        throw new UserError(`--format ${flags.format}: expected one of ${SIGNATURE_FORMATS.join(', ')}`, {
          code: 'policy/bad-format',
        });
      const spec = await loadSpec(flags.file, { cwd: ctx.io.cwd });
      const declared = flags.repository ?? spec.repository;
      const repository = declared ? githubRepository(declared) : undefined;
      if (!repository)
        throw new UserError(
          declared
            ? `"${declared}" is not a GitHub repository (owner/repo)`
            : `${flags.file} names no repository, so the signing identity is unknown`,
          {
            code: 'policy/no-repository',
            hint: 'set repository: github.com/OWNER/REPO in the spec, or pass --repository OWNER/REPO',
          },
        );
      const images = builtImages(spec);
      if (images.length === 0)
        throw new UserError(`${flags.file}: no service has build:, so cd.yml signs no image`, {
          code: 'policy/no-images',
        });
      ctx.io.out(documents(signaturePolicies(spec.app, images, signingIdentity(repository), format)));
    });
  policy
    .command('test')
    .summary('run fixtures that say which rules they expect to pass or fail')
    .description(
      `run the YAML fixtures under DIR: each object annotated ${EXPECT_KEY}: "rule=pass, rule=fail" is ` +
        'judged by slipway check and by the exported admission CEL of every format; exit 1 when any ' +
        'verdict differs from the expectation',
    )
    .argument('<dir>', 'directory of YAML fixtures (searched recursively)')
    .option('-o, --output <format>', 'text, json or junit', 'text')
    .option('--config <file>', 'configuration file (default ./.slipway-check.yaml when present)')
    .action(async (dir: string, flags: { output: string; config?: string }) =>
      ctx.exit(await runTests(dir, flags, ctx)),
    );
};

async function runTests(
  dir: string,
  flags: { output: string; config?: string },
  ctx: CommandContext,
): Promise<number> {
  if (!['text', 'json', 'junit'].includes(flags.output))
    throw new UserError(`--output ${flags.output}: expected text, json or junit`, {
      code: 'policy/bad-output',
    });
  const config = await loadConfig(flags.config, ctx.io.cwd, ctx.io.env);
  const root = resolve(ctx.io.cwd, dir);
  let files: string[];
  try {
    files = yamlFiles(root);
  } catch {
    throw new UserError(`${dir}: cannot read the directory`, { code: 'policy/no-dir' });
  }
  const fixtures = parseFixtures(files, ctx);
  const rules = new Map(rulesFor('all', config).map((r) => [r.id, r]));
  const { results, problems } = runPolicyTests(fixtures, rules, {
    kubeVersion: DEFAULT_KUBE_VERSION,
    pssVersion: PSS_LATEST,
    allowedRegistries: config.allowedRegistries,
  });
  if (problems.length) throw new UserErrors(problems, 'policy/bad-expectation');
  if (results.length === 0)
    throw new UserError(`${dir}: no object carries a ${EXPECT_KEY} annotation`, {
      code: 'policy/no-expectations',
      hint: `annotate fixtures with ${EXPECT_KEY}: "rule=pass, rule=fail"`,
    });
  ctx.io.out(
    flags.output === 'junit'
      ? formatPolicyTestJunit(results)
      : flags.output === 'json'
        ? `${JSON.stringify(results, null, 2)}\n`
        : formatPolicyTestText(results),
  );
  return results.every((r) => r.ok) ? EXIT_OK : EXIT_FAILED;
}

function parseFixtures(files: string[], ctx: CommandContext) {
  const parsed = files.map((f) => parseManifests(readFileSync(f, 'utf8'), relative(ctx.io.cwd, f)));
  const problems = parsed.flatMap((p) => p.problems);
  if (problems.length) throw new UserErrors(problems, 'policy/bad-fixture');
  return parsed.map((p) => p.manifests);
}

function readFixtures(dir: string, ctx: CommandContext) {
  try {
    return parseFixtures(yamlFiles(resolve(ctx.io.cwd, dir)), ctx);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${dir}: cannot read the directory`, { code: 'policy/no-dir' });
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

async function runExport(flags: ExportFlags, ctx: CommandContext): Promise<void> {
  const format = flags.format as AdmissionFormat;
  if (!ADMISSION_FORMATS.includes(format))
    throw new UserError(`--format ${flags.format}: expected one of ${ADMISSION_FORMATS.join(', ')}`, {
      code: 'policy/bad-format',
    });
  if (!['all', 'pss-baseline', 'pss-restricted'].includes(flags.profile))
    throw new UserError(`--profile ${flags.profile}: expected all, pss-baseline or pss-restricted`, {
      code: 'policy/bad-profile',
    });
  const label = flags.namespaceLabel?.split('=');
  if (label && (label.length !== 2 || !label[0]))
    throw new UserError(`--namespace-label ${flags.namespaceLabel}: expected key=value`, {
      code: 'policy/bad-label',
    });
  if (flags.tests && (format !== 'gatekeeper' || !flags.out))
    throw new UserError('--tests writes a gator suite: it needs --format gatekeeper and --out', {
      code: 'policy/bad-tests',
    });
  const config = await loadConfig(flags.config, ctx.io.cwd, ctx.io.env);
  const profile = flags.profile as Profile;
  const rules = rulesFor(profile, config);
  const result = exportPolicies({
    rules,
    format,
    options: { allowedRegistries: config.allowedRegistries },
    config,
    allErrors: profile !== 'all',
    exportOptions: {
      namespaceSelector: label ? { matchLabels: { [label[0]!]: label[1]! } } : DEFAULT_NAMESPACE_SELECTOR,
      paramsNamespace: flags.paramsNamespace,
    },
  });
  const notExported = notExportedText(result);
  if (flags.out) {
    const dir = resolve(ctx.io.cwd, flags.out);
    mkdirSync(dir, { recursive: true });
    for (const p of result.policies) writeFileSync(join(dir, `${p.policy.rule}.yaml`), documents(p.objects));
    writeFileSync(join(dir, 'NOT-EXPORTED.txt'), notExported);
    ctx.io.out(
      `${summary(result, format)} into ${flags.out}/ (not exported: ${flags.out}/NOT-EXPORTED.txt)\n`,
    );
    if (flags.tests) {
      const suite = gatorSuite(
        result.policies,
        readFixtures(flags.tests, ctx),
        new Map(rules.map((r) => [r.id, r])),
      );
      for (const [path, content] of suite.files) {
        const file = join(dir, 'gator', path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, stringify(content, { lineWidth: 0 }));
      }
      ctx.io.out(
        `gator suite: ${suite.cases} case(s) in ${flags.out}/gator/suite.yaml (run: gator verify ${flags.out}/gator)\n`,
      );
      for (const line of suite.skipped) ctx.io.out(`  not in the suite: ${line}\n`);
    }
  } else {
    ctx.io.out(
      `${notExported.replace(/^/gm, '# ')}\n` + result.policies.map((p) => documents(p.objects)).join(''),
    );
    ctx.io.err(`${summary(result, format)}\n`);
  }
}

function documents(objects: Record<string, unknown>[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}

function summary(result: PolicyExport, format: AdmissionFormat): string {
  const total = result.policies.length + result.notExported.length;
  return `exported ${result.policies.length} of ${total} rules as ${format}; ${result.notExported.length} not exported`;
}

function notExportedText(result: PolicyExport): string {
  return [
    'Rules not exported to admission, and why:',
    ...result.notExported.map((n) => `  ${n.rule}: ${n.reason}`),
    '',
  ].join('\n');
}
