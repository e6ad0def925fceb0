import { effectiveSeverity, type CheckConfig } from '../config.js';
import type { CheckOptions, Rule } from '../types.js';
import { WRITERS, type AdmissionFormat, type ExportOptions } from './formats.js';
import { admissionGap, admissionPolicy, exportable, type AdmissionPolicy } from './model.js';

export interface ExportRequest {
  rules: readonly Rule[];
  format: AdmissionFormat;
  options: Pick<CheckOptions, 'allowedRegistries'>;
  config?: CheckConfig;
  /** `pss-*` profiles export every rule at error severity, as `slipway check --profile` runs them. */
  allErrors?: boolean;
  exportOptions: ExportOptions;
}

export interface PolicyExport {
  /** One entry per exported rule: its objects in the chosen format. */
  policies: Array<{ policy: AdmissionPolicy; objects: Record<string, unknown>[] }>;
  /** Every rule not exported, with the reason; never silently dropped. */
  notExported: Array<{ rule: string; reason: string }>;
}

/** Pure: the rules as admission objects of one format, and the list of what was left out and why. */
export function exportPolicies(request: ExportRequest): PolicyExport {
  const policies: PolicyExport['policies'] = [];
  const notExported: PolicyExport['notExported'] = [];
  for (const rule of request.rules) {
    const severity = request.allErrors ? 'error' : effectiveSeverity(rule, request.config ?? {});
    if (!severity) {
      notExported.push({ rule: rule.id, reason: 'switched off (by default or in .slipway-check.yaml)' });
      continue;
    }
    if (!exportable(rule)) {
      notExported.push({ rule: rule.id, reason: admissionGap(rule) });
      continue;
    }
    const policy = admissionPolicy(rule, severity, request.options);
    policies.push({ policy, objects: WRITERS[request.format](policy, request.exportOptions) });
  }
  return { policies, notExported };
}
