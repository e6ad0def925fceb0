import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, UserError, UserErrors } from '../../errors.js';
import { catalogEntries, formatCatalogText } from '../../policy/catalog.js';
import { CONFIG_FILE, parseConfig, type CheckConfig } from '../../policy/config.js';
import {
  checkSets,
  DEFAULT_KUBE_VERSION,
  failing,
  inputSets,
  rulesFor,
  type Profile,
} from '../../policy/engine.js';
import { applyFixes } from '../../policy/fix/apply.js';
import { parseManifests } from '../../policy/load/parse.js';
import { parseKubeVersion } from '../../policy/pss/version.js';
import { clampPss, PSS_LATEST, PSS_OLDEST } from '../../policy/pss/version.js';
import { formatJson } from '../../policy/report/json.js';
import { formatJunit } from '../../policy/report/junit.js';
import { formatSarif } from '../../policy/report/sarif.js';
import { formatText } from '../../policy/report/text.js';
import { RULE_IDS } from '../../policy/rules/index.js';
import { collectInputs, type VariableOption } from '../../policy/sources/collect.js';
import { nodeHost } from '../check-host.js';
import type { KubeVersion, Severity } from '../../policy/types.js';
import type { CommandContext, RegisterCommand } from '../command.js';
import { packageJson } from '../../package.js';
import { sourceRoot } from '../source-root.js';
import { specRenderer } from '../check-spec.js';
import { loadHcl } from '../hcl.js';

/**
 * Links for SARIF from package.json: the tool's home page (`homepage`, else the repository) and the
 * rule pages (docs/rules/<id>.md in the repository named by `repository`).
 */
function projectLinks(): { informationUri?: string; rulesUri?: string } {
  const pkg = packageJson();
  const declared =
    typeof pkg.repository === 'string'
      ? pkg.repository
      : typeof (pkg.repository as { url?: unknown } | undefined)?.url === 'string'
        ? (pkg.repository as { url: string }).url
        : undefined;
  const repository = declared
    ?.replace(/^git\+/, '')
    .replace(/^git:\/\//, 'https://')
    .replace(/\.git$/, '');
  const home = typeof pkg.homepage === 'string' ? pkg.homepage : repository;
  return {
    ...(home ? { informationUri: home } : {}),
    ...(repository?.startsWith('https://') ? { rulesUri: `${repository}/blob/main/docs/rules/` } : {}),
  };
}

interface CheckFlags {
  output: string;
  profile: string;
  failOn?: string;
  kubeVersion?: string;
  pssVersion?: string;
  config?: string;
  fix?: boolean;
  listRules?: boolean;
  values: string[];
  set: string[];
  releaseName?: string;
  namespace?: string;
  env?: string;
  /** `--var` and `--var-file` together, in command-line order. */
  variables: VariableOption[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

export const registerCheck: RegisterCommand = (program: Command, ctx: CommandContext) => {
  // --var and --var-file in the order given: a later one wins, as with terraform plan.
  const variables: VariableOption[] = [];
  const variable = (option: (value: string) => VariableOption) => (value: string) => {
    variables.push(option(value));
    return variables;
  };
  program
    .command('check')
    .summary('check manifests and charts against policy rules')
    .description(
      'check Kubernetes manifests, Helm charts, kustomize directories or slipway.yaml against the policy catalog',
    )
    .argument(
      '[paths...]',
      'YAML files or directories, a Helm chart or kustomize directory, slipway.yaml, or - for stdin',
    )
    .option('-o, --output <format>', 'text, json, sarif or junit', 'text')
    .option(
      '--profile <profile>',
      'all, pss-baseline or pss-restricted (exactly that Pod Security Standards level)',
      'all',
    )
    .option(
      '--fail-on <severity>',
      'exit 1 when a finding is at or above: error, warning, info or none (default error)',
    )
    .option(
      '--kube-version <version>',
      `target Kubernetes version for deprecated/removed APIs (default ${DEFAULT_KUBE_VERSION.major}.${DEFAULT_KUBE_VERSION.minor})`,
    )
    .option(
      '--pss-version <version>',
      `Pod Security Standards policy version (default latest = ${PSS_LATEST.major}.${PSS_LATEST.minor})`,
    )
    .option('--config <file>', `configuration file (default ./${CONFIG_FILE} when present)`)
    .option('--fix', 'rewrite fixable findings in the YAML files (comments and layout kept)')
    .option('--list-rules', 'print the rule catalog and exit')
    .option('-f, --values <file>', 'Helm values file (repeatable)', collect, [])
    .option('--set <key=value>', 'Helm --set value (repeatable)', collect, [])
    .option('--release-name <name>', "Helm release name used to render charts (default: the chart's name)")
    .option('-n, --namespace <namespace>', 'namespace passed to helm template')
    .option(
      '-e, --env <environment>',
      'environment to render when checking slipway.yaml (default: every environment it declares)',
    )
    .option(
      '--var <name=value>',
      'a Terraform variable of each root module checked that declares it, as terraform plan -var sets it (repeatable)',
      variable((v) => ({ var: v })),
    )
    .option(
      '--var-file <file>',
      'Terraform variable values for each root module checked, as terraform plan -var-file reads them (repeatable)',
      variable((file) => ({ varFile: file })),
    )
    .action(async (paths: string[], flags: Omit<CheckFlags, 'variables'>) => {
      ctx.exit(await runCheck(paths, { ...flags, variables }, ctx));
    });
};

async function runCheck(paths: string[], flags: CheckFlags, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const output = oneOf(flags.output, ['text', 'json', 'sarif', 'junit'] as const, '--output');
  const config = await loadConfig(flags.config, io.cwd, io.env);
  const profile = oneOf(
    flags.profile === 'all' && config.profile ? config.profile : flags.profile,
    ['all', 'pss-baseline', 'pss-restricted'] as const,
    '--profile',
  ) as Profile;
  if (flags.listRules) {
    const rules = rulesFor(profile, config);
    io.out(
      output === 'json' ? JSON.stringify(catalogEntries(rules), null, 2) + '\n' : formatCatalogText(rules),
    );
    return EXIT_OK;
  }
  const failOn = oneOf(
    flags.failOn ?? config.failOn ?? 'error',
    ['error', 'warning', 'info', 'none'] as const,
    '--fail-on',
  ) as Severity | 'none';
  const kubeVersion = version(
    flags.kubeVersion ?? (config.kubeVersion !== undefined ? String(config.kubeVersion) : undefined),
    DEFAULT_KUBE_VERSION,
    '--kube-version',
  );
  const requestedPss =
    flags.pssVersion === undefined || flags.pssVersion === 'latest'
      ? PSS_LATEST
      : version(flags.pssVersion, PSS_LATEST, '--pss-version');
  const pssVersion = clampPss(requestedPss);
  if (pssVersion.minor !== requestedPss.minor || pssVersion.major !== requestedPss.major) {
    io.err(
      `note: Pod Security Standards policy ${requestedPss.major}.${requestedPss.minor} is evaluated as ${pssVersion.major}.${pssVersion.minor} (supported: ${PSS_OLDEST.major}.${PSS_OLDEST.minor} to ${PSS_LATEST.major}.${PSS_LATEST.minor})\n`,
    );
  }

  const host = nodeHost(io.stdin, io.env);
  const collected = await collectInputs(paths, host, {
    cwd: io.cwd,
    values: flags.values,
    set: flags.set,
    releaseName: flags.releaseName,
    namespace: flags.namespace,
    renderSpec: specRenderer(flags.env),
    hcl: loadHcl,
    variables: flags.variables,
    environment: io.env,
  });
  if (collected.problems.length) throw new UserErrors(collected.problems, 'check/bad-input', EXIT_BAD_INPUT);
  const outcome = checkSets(inputSets(collected.files.flatMap((f) => f.manifests)), {
    options: { kubeVersion, pssVersion, allowedRegistries: config.allowedRegistries },
    config,
    profile,
  });

  let { findings, suppressed } = outcome;
  let manifests = collected.files.flatMap((f) => f.manifests);
  if (flags.fix) {
    const fixed: string[] = [];
    const files = collected.files.map((file) => {
      const result = file.editable ? applyFixes(file, outcome.fixes) : undefined;
      if (!result) return file;
      writeFileSync(resolve(io.cwd, file.file), result.text);
      fixed.push(`${file.file} (${result.applied} ${result.applied === 1 ? 'edit' : 'edits'})`);
      return parseManifests(result.text, file.file);
    });
    if (fixed.length) {
      io.err(`fixed: ${fixed.join(', ')}\n`);
      // Report what is left in the rewritten files, not what was there before.
      manifests = files.flatMap((f) => f.manifests);
      ({ findings, suppressed } = checkSets(inputSets(manifests), {
        options: { kubeVersion, pssVersion, allowedRegistries: config.allowedRegistries },
        config,
        profile,
      }));
    }
  }

  const failed = failing(findings, failOn);
  const objects = manifests.map((m) => ({
    file: m.file,
    kind: m.ref.kind,
    namespace: m.ref.namespace,
    name: m.ref.name,
    environment: m.environment,
  }));
  if (output === 'json') io.out(formatJson(findings, { objects: manifests.length, suppressed, failed }));
  else if (output === 'sarif')
    io.out(
      formatSarif(findings, outcome.rules, {
        version: packageJson().version,
        ...projectLinks(),
        srcRoot: sourceRoot(io.cwd),
        cwd: io.cwd,
      }),
    );
  else if (output === 'junit') io.out(formatJunit(findings, objects, failOn));
  else
    io.out(
      formatText(findings, {
        color: io.isTTY && !io.env.NO_COLOR,
        objectsChecked: manifests.length,
        suppressed,
      }),
    );
  return failed ? EXIT_FAILED : EXIT_OK;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`, {
    code: 'check/bad-flag',
  });
}

function version(text: string | undefined, fallback: KubeVersion, flag: string): KubeVersion {
  if (text === undefined) return fallback;
  const v = parseKubeVersion(text);
  if (!v) throw new UserError(`${flag} must look like 1.33 (got "${text}")`, { code: 'check/bad-flag' });
  return v;
}

export async function loadConfig(
  file: string | undefined,
  cwd: string,
  _env: Readonly<Record<string, string | undefined>>,
): Promise<CheckConfig> {
  const path = file ? resolve(cwd, file) : join(cwd, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    if (file)
      throw new UserError(`${file}: cannot read the configuration file`, { code: 'check/config-missing' });
    return {};
  }
  // The CEL evaluator (about 130 modules) loads only for a configuration with customRules.
  const result = await parseConfig(text, file ?? CONFIG_FILE, RULE_IDS, () => import('@slipway/kube/cel'));
  if (!result.config) throw new UserErrors(result.problems, 'check/bad-config');
  return result.config;
}
