import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, RuleMeta, Severity } from '../types.js';

/**
 * SARIF 2.1.0 (OASIS), shaped for GitHub code scanning: rules in tool.driver.rules with help text,
 * results with a physical location relative to %SRCROOT% and a logical location naming the object.
 */
export interface SarifOptions {
  version: string;
  /** The tool's home page (tool.driver.informationUri). Omitted when unknown. */
  informationUri?: string;
  /** Where rule pages live (`https://github.com/o/r/blob/main/docs/rules/`): each rule's helpUri is `<this><id>.md`. */
  rulesUri?: string;
  /**
   * %SRCROOT%: the absolute directory finding paths are made relative to (the repository root, else
   * the working directory; the CLI finds it). Files outside it get absolute `file://` URIs.
   */
  srcRoot: string;
  /** The directory relative finding paths are relative to. */
  cwd: string;
  /** tool.driver.fullName (default: the policy checker). */
  fullName?: string;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, _d: string, c: string) => c.toUpperCase());
}

/** A relative path as a URI reference (spaces and non-ASCII percent-encoded, separators kept). */
export function toUri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

/** A directory as an absolute file URI ending in `/` (SARIF §3.14.14: a base URI names a directory). */
function directoryUri(dir: string): string {
  const uri = pathToFileURL(dir).href;
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/**
 * Where a finding's file is: relative to %SRCROOT% when inside it (what code scanning maps onto the
 * repository), else an absolute `file://` URI (SARIF1004: a URI without a base must be absolute).
 * Pseudo-files (`<stdin>`) stay relative references under %SRCROOT%.
 */
export function artifactLocation(file: string, opts: Pick<SarifOptions, 'srcRoot' | 'cwd'>) {
  if (/^<.*>$/.test(file)) return { uri: toUri(file), uriBaseId: 'SRCROOT' };
  const abs = isAbsolute(file) ? file : resolve(opts.cwd, file);
  const rel = relative(opts.srcRoot, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return { uri: pathToFileURL(abs).href };
  return { uri: toUri(rel.split(sep).join(posix.sep)), uriBaseId: 'SRCROOT' };
}

function sentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export function formatSarif(
  findings: readonly Finding[],
  rules: readonly RuleMeta[],
  opts: SarifOptions,
): string {
  const used = rules.filter((r) => findings.some((f) => f.rule === r.id) || r.enabledByDefault);
  const indexOf = new Map(used.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'slipway',
            fullName: opts.fullName ?? 'Slipway policy checker',
            ...(opts.informationUri ? { informationUri: opts.informationUri } : {}),
            version: opts.version,
            semanticVersion: opts.version,
            rules: used.map((r) => ({
              id: r.id,
              name: pascal(r.id),
              shortDescription: { text: sentence(r.title) },
              fullDescription: { text: sentence(r.checks) },
              help: {
                text: `${sentence(r.rationale)} ${sentence(r.remediation)}`,
                markdown: `**Why:** ${sentence(r.rationale)}\n\n**Fix:** ${sentence(r.remediation)}`,
              },
              ...(opts.rulesUri ? { helpUri: `${opts.rulesUri}${r.id}.md` } : {}),
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                category: r.category,
                tags: ['kubernetes', r.category],
                precision: 'high',
                'problem.severity': r.severity === 'info' ? 'recommendation' : r.severity,
              },
            })),
          },
        },
        originalUriBaseIds: {
          SRCROOT: {
            uri: directoryUri(opts.srcRoot),
            description: { text: 'The repository root (or the working directory outside a repository).' },
          },
        },
        columnKind: 'unicodeCodePoints',
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: indexOf.get(f.rule) ?? -1,
          level: LEVEL[f.severity],
          message: {
            text: sentence(
              `${f.environment ? `[${f.environment}] ` : ''}${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}: ${f.message}`,
            ),
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(f.file, opts),
                region: { startLine: f.line, startColumn: f.column },
              },
              logicalLocations: [
                {
                  fullyQualifiedName: `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}${f.field ? `/${f.field}` : ''}`,
                  kind: 'object',
                },
              ],
            },
          ],
          partialFingerprints: {
            'slipwayFinding/v1': `${f.environment ? `${f.environment}:` : ''}${f.rule}:${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}:${f.field}`,
          },
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
