/** What the semantic checks (semantic.ts and the checks it calls) report, and the spec they read. */
import type { App } from './schema.js';
import type { PathSegment } from './source.js';

export interface SpecProblem {
  path: PathSegment[];
  message: string;
  hint?: string;
  /** For a problem inside a string value (a reference): its offset in the string. */
  offset?: number;
  /** Point at the key rather than its value (a bad name). */
  atKey?: boolean;
}

export type CheckedSpec = Omit<App, 'app' | 'environments' | '$schema'> & { replicas?: number };
