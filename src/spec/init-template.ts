/**
 * The text `slipway init` writes: a small, commented slipway.yaml whose first line points editors
 * (yaml-language-server) at the JSON Schema, and the same header over an imported Compose file.
 */
import { stringify } from '#yaml';
import type { ComposeImport } from './compose-import.js';
import { SCHEMA_ID } from './json-schema.js';

export const SCHEMA_COMMENT = `# yaml-language-server: $schema=${SCHEMA_ID}`;

export interface InitAnswers {
  name: string;
  image: string;
  /** Undefined for a worker without a port. */
  port?: number;
}

export function initSpecText(a: InitAnswers): string {
  const portBlock =
    a.port === undefined
      ? `    # No port: a worker. Give it a port (and health checks) to receive traffic.\n`
      : `    port: ${a.port}
    # Readiness gates traffic, liveness restarts a stuck process. A path is an HTTP GET;
    # { tcp: true } and { exec: [cmd, arg] } are the other kinds.
    health:
      readiness: /readyz
      liveness: /healthz
    # public: { host: ${a.name}.example.com, tls: true }
`;
  return `${SCHEMA_COMMENT}
# Slipway spec: https://github.com/slipway-dev/slipway/blob/main/docs/spec.md
# Check it with \`slipway validate\`; see one environment with \`slipway validate --env production --print\`.
app: ${a.name}

services:
  ${a.name}:
    # The tag defaults to \`version\` below (or --image-tag at deploy time); never an implicit latest.
    image: ${a.image}
${portBlock}    env:
      LOG_LEVEL: info
    # Names of values kept in the cluster Secret, never in this file.
    # secrets: [API_KEY]
    resources: { cpu: 100m, memory: 128Mi }

# Databases and queues run in the cluster next to the app; reference them from env, e.g.
#   env: { DATABASE_URL: \${db.url} }
# dependencies:
#   db: { type: postgres, version: "16", storage: 10Gi }

version: "0.1.0"

deploy:
  strategy: rolling   # rolling | blue-green | canary

# Each environment overrides any field: maps merge, lists replace (lists of named items merge by name),
# null removes a key.
environments:
  dev:
    replicas: 1
  staging:
    replicas: 2
  production:
    replicas: 3
    approval: required
`;
}

function commentLines(title: string, notes: ComposeImport['notes']): string {
  if (notes.length === 0) return '';
  return `#\n# ${title}\n${notes.map((n) => `#   ${n.path}: ${n.message}`).join('\n')}\n`;
}

/** The imported spec with the schema line, where it came from, and what to review. */
export function composeSpecText(result: ComposeImport, composeFile: string): string {
  const header = `${SCHEMA_COMMENT}
# Imported from ${composeFile} by \`slipway init --from-compose\`. Review it, then \`slipway validate\`.
${commentLines('Review (choices the importer made):', result.notes)}${commentLines('Not mapped (no slipway.yaml counterpart):', result.unmapped)}`;
  return `${header}${stringify(result.spec, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
