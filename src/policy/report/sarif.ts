import type { Finding, RuleMeta, Severity } from '../types.js';

/**
 * SARIF 2.1.0 (OASIS), shaped for GitHub code scanning: rules in tool.driver.rules with help text,
 * results with a physical location relative to %SRCROOT% and a logical location naming the object.
 */
export interface SarifOptions {
  version: string;
  /** The project's home page (package.json `homepage`); rules link to docs/rules/<id>.md below it. Omitted when unknown. */
  informationUri?: string;
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
            fullName: 'Slipway policy checker',
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
              ...(opts.informationUri
                ? { helpUri: `${opts.informationUri.replace(/\/$/, '')}/blob/main/docs/rules/${r.id}.md` }
                : {}),
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
        originalUriBaseIds: { SRCROOT: { uri: 'file:///' } },
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
                artifactLocation: { uri: toUri(f.file), uriBaseId: 'SRCROOT' },
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
