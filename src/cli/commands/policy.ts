/** `slipway policy export`: the catalog's per-object rules as admission policies (VAP, Gatekeeper, Kyverno). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { UserError } from '../../errors.js';
import { exportPolicies, type PolicyExport } from '../../policy/admission/export.js';
import {
  ADMISSION_FORMATS,
  DEFAULT_NAMESPACE_SELECTOR,
  type AdmissionFormat,
} from '../../policy/admission/formats.js';
import { rulesFor, type Profile } from '../../policy/engine.js';
import type { CommandContext, RegisterCommand } from '../command.js';
import { loadConfig } from './check.js';

interface ExportFlags {
  format: string;
  profile: string;
  out?: string;
  config?: string;
  namespaceLabel?: string;
  paramsNamespace: string;
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
    .action((flags: ExportFlags) => runExport(flags, ctx));
};

function runExport(flags: ExportFlags, ctx: CommandContext): void {
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
  const config = loadConfig(flags.config, ctx.io.cwd, ctx.io.env);
  const profile = flags.profile as Profile;
  const result = exportPolicies({
    rules: rulesFor(profile, config),
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
