/**
 * Workflow objects to YAML text. GitHub reads workflows as YAML 1.2 (so `on:` is a key, not a
 * boolean); multi-line scripts become literal blocks; every pinned `uses:` gets its version as a
 * trailing comment, the convention Dependabot and Renovate read and update.
 */
import { posix } from 'node:path';
import { stringify } from '#yaml';
import { versionOfSha } from './actions.js';

const PINNED_USES = /^(\s*(?:- )?uses: [^\s@]+@)([0-9a-f]{40})$/;

export function workflowYaml(header: string[], workflow: Record<string, unknown>): string {
  const body = stringify(workflow, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false });
  const lines = body.split('\n').map((line) => {
    const match = PINNED_USES.exec(line);
    const version = match ? versionOfSha(match[2]!) : undefined;
    return version ? `${line} # ${version}` : line;
  });
  return header.map((h) => `# ${h}`.trimEnd()).join('\n') + '\n' + lines.join('\n');
}

/** A path in the spec (relative to slipway.yaml) as a path from the repository root. */
export function repoPath(specPath: string, path: string): string {
  const joined = posix.normalize(posix.join(posix.dirname(specPath), path));
  return joined === '' ? '.' : joined;
}

/** A step id or job id from a service name: ids allow letters, digits, `-` and `_`. */
export function id(...parts: string[]): string {
  return parts.join('-').replace(/[^A-Za-z0-9_-]/g, '_');
}

/** `${{ expr }}`: keeps template literals readable where they hold GitHub expressions. */
export function expr(expression: string): string {
  return '${{ ' + expression + ' }}';
}
