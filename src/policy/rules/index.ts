import type { Category, Rule } from '../types.js';
import { API_VERSION_RULES } from './api-versions.js';
import { AVAILABILITY_RULES } from './availability.js';
import { IGNORE_WITHOUT_REASON, unknownIgnoreRule } from './control.js';
import { CORRECTNESS_RULES } from './correctness.js';
import { HYGIENE_RULES } from './hygiene.js';
import { IMAGE_RULES } from './images.js';
import { NETWORKING_RULES } from './networking.js';
import { POD_RULES } from './pods.js';
import { PROBE_RULES } from './probes.js';
import { PSS_RULES } from './pss.js';
import { RBAC_RULES } from './rbac.js';
import { RESOURCE_RULES } from './resources.js';
import { SCALING_RULES } from './scaling.js';
import { SCHEMA_RULES } from './schema.js';
import { SECRET_RULES } from './secrets.js';
import { SECURITY_RULES } from './security.js';
import { TERRAFORM_RULES } from './terraform.js';

const BASE: Rule[] = [
  ...PSS_RULES,
  ...SECURITY_RULES,
  ...IMAGE_RULES,
  ...RESOURCE_RULES,
  ...PROBE_RULES,
  ...AVAILABILITY_RULES,
  ...SCALING_RULES,
  ...NETWORKING_RULES,
  ...RBAC_RULES,
  ...SECRET_RULES,
  ...API_VERSION_RULES,
  ...SCHEMA_RULES,
  ...CORRECTNESS_RULES,
  ...HYGIENE_RULES,
  ...POD_RULES,
  ...TERRAFORM_RULES,
  IGNORE_WITHOUT_REASON,
];

const CATEGORY_ORDER: Category[] = [
  'pod-security',
  'security',
  'images',
  'resources',
  'probes',
  'availability',
  'networking',
  'rbac',
  'secrets',
  'api-versions',
  'schema',
  'correctness',
  'terraform',
  'control',
];

/** The whole catalog, grouped by category in the order `--list-rules` and docs/rules print it. */
export const RULES: Rule[] = [
  ...BASE,
  unknownIgnoreRule(new Set([...BASE.map((r) => r.id), 'ignore-unknown-rule'])),
].sort((a, b) => CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category));

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
