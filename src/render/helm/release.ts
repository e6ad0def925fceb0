/**
 * What a chart takes from its release: the namespace (`.Release.Namespace`), the instance label
 * (`.Release.Name`) and the prefix of every object name (the `<chart>.fullname` helper, as
 * `helm create` and the Bitnami charts define it). Render writes `<app>-<part>`, namespace `<ns>`
 * and instance `<app>`; before the templates are built, those spots are marked, and the emitter
 * prints each marked string as a template expression. With release name = app name and
 * `--namespace <ns>` the chart yields render's objects exactly (fullname = release name when the
 * release name contains the chart name).
 *
 * Marked spots, and only these (a literal the user wrote, say a database called like the app or
 * a public host, stays as written):
 * - `metadata.name` and the fields that reference another object by name (NAME_REFERENCES) when
 *   the value starts with `<app>-`;
 * - `metadata.namespace` equal to the environment's namespace;
 * - the label `app.kubernetes.io/instance` equal to the app name, in labels and selectors alike;
 * - Service DNS names `<app>-<part>.<ns>.svc` of the app's own Services inside any other string
 *   (env values, args), except ConfigMap data, which is the user's file content.
 */
import type { NamedObject } from '@slipway/kube';

// Private-use code points: never in rendered text, so a marker cannot collide with content.
const OPEN = '\u{F0000}';
const CLOSE = '\u{F0001}';
export const FULLNAME = `${OPEN}F${CLOSE}`;
export const NAMESPACE = `${OPEN}N${CLOSE}`;
export const RELEASE = `${OPEN}R${CLOSE}`;
const MARKER = /\u{F0000}([FNR])\u{F0001}/gu;

export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** Keys whose value names another object of the app (when it starts with `<app>-`). */
const NAME_REFERENCES = new Set(['serviceAccountName', 'serviceName', 'secretName', 'claimName']);
/** Parents under which `name` names another object (secretKeyRef.name, scaleTargetRef.name, ...). */
const NAME_PARENTS = new Set([
  'secretKeyRef',
  'configMapKeyRef',
  'secretRef',
  'configMapRef',
  'configMap',
  'secret',
  'scaleTargetRef',
  'service',
]);

export interface ReleaseNames {
  app: string;
  namespace: string;
  /** Names of the app's Services, whose `<name>.<ns>.svc` DNS names are marked in strings. */
  services: Set<string>;
}

export function hasMarker(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(OPEN);
  if (Array.isArray(value)) return value.some(hasMarker);
  if (isPlainObject(value)) return Object.values(value).some(hasMarker);
  return false;
}

export function markRelease(object: NamedObject, names: ReleaseNames): NamedObject {
  const hosts = serviceHostPattern(names);
  const prefix = `${names.app}-`;
  const nameLike = (v: unknown) =>
    typeof v === 'string' && v.startsWith(prefix) ? FULLNAME + v.slice(names.app.length) : v;
  const walk = (value: unknown, path: string[]): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)]));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) out[key] = walkEntry(key, v, [...path, key]);
      return out;
    }
    if (typeof value === 'string' && hosts && !(object.kind === 'ConfigMap' && path[0] === 'data'))
      return value.replace(hosts, (_, part: string) => `${FULLNAME}${part}.${NAMESPACE}.svc`);
    return value;
  };
  const walkEntry = (key: string, value: unknown, path: string[]): unknown => {
    const parent = path[path.length - 2];
    if (path.length === 2 && path[0] === 'metadata') {
      if (key === 'name') return nameLike(value);
      if (key === 'namespace' && value === names.namespace) return NAMESPACE;
    }
    if (key === INSTANCE_LABEL && value === names.app) return RELEASE;
    if (NAME_REFERENCES.has(key)) return nameLike(value);
    if (key === 'name' && parent !== undefined && NAME_PARENTS.has(parent)) return nameLike(value);
    return walk(value, path);
  };
  return walk(object, []) as NamedObject;
}

function serviceHostPattern(names: ReleaseNames): RegExp | undefined {
  const parts = [...names.services]
    .filter((s) => s.startsWith(`${names.app}-`))
    .map((s) => escape(s.slice(names.app.length)))
    .sort((a, b) => b.length - a.length);
  if (parts.length === 0) return undefined;
  return new RegExp(
    `(?<![A-Za-z0-9.-])${escape(names.app)}(${parts.join('|')})\\.${escape(names.namespace)}\\.svc(?![A-Za-z0-9-])`,
    'g',
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pieces(marked: string): (string | { marker: string })[] {
  const out: (string | { marker: string })[] = [];
  let last = 0;
  for (const m of marked.matchAll(MARKER)) {
    if (m.index > last) out.push(marked.slice(last, m.index));
    out.push({ marker: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < marked.length) out.push(marked.slice(last));
  return out;
}

/** The Go template expression for a marker, with `$` as the chart's root context. */
function markerExpr(marker: string, chart: string): string {
  if (marker === 'F') return `(include ${JSON.stringify(`${chart}.fullname`)} $)`;
  if (marker === 'N') return '$.Release.Namespace';
  return '$.Release.Name';
}

/** A marked string as one template expression (a pipeline whose value is the string). */
export function releaseExpr(marked: string, chart: string): string {
  const parts = pieces(marked);
  if (parts.length === 1 && typeof parts[0] !== 'string') return markerExpr(parts[0]!.marker, chart);
  const format = parts.map((p) => (typeof p === 'string' ? p.replace(/%/g, '%%') : '%s')).join('');
  const args = parts.flatMap((p) => (typeof p === 'string' ? [] : [markerExpr(p.marker, chart)]));
  return `printf ${JSON.stringify(format)} ${args.join(' ')}`;
}

/**
 * A marked value as text for Helm's `tpl`: JSON of the value, markers as actions, and any `{{`
 * of the content printed by an action so tpl leaves it as it is.
 */
export function releaseTplText(value: unknown, chart: string): string {
  const json = JSON.stringify(value);
  // A lone `{` just before an action, or `}` just after one, would join its delimiter: printed too.
  return pieces(json)
    .map((p) =>
      typeof p === 'string'
        ? p.replace(/\{\{|\}\}|^\}|\{$/g, (d) => `{{ \`${d}\` }}`)
        : `{{ ${markerExpr(p.marker, chart).replace(/"/g, '`')} }}`,
    )
    .join('');
}
