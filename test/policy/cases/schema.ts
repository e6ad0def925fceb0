import type { RuleCase } from '../rule-harness.js';

export const SCHEMA_CASES: RuleCase[] = [];
