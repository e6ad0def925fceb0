import type { Rule } from '../types.js';

/** Schema validation of built-in kinds (filled in by the generated schema tables). */
export const SCHEMA_RULES: Rule[] = [];
