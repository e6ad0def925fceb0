/**
 * Compose variable interpolation, by the Compose Specification's rules
 * (https://github.com/compose-spec/compose-spec/blob/main/spec.md#interpolation): `$VAR` and
 * `${VAR}`; `${VAR:-default}` (unset or empty) and `${VAR-default}` (unset); `${VAR:?error}` and
 * `${VAR?error}` (required); `${VAR:+alt}` and `${VAR+alt}`; `$$` for a literal `$`. Defaults may
 * themselves hold interpolations. Values come from the `.env` beside the compose file only: the
 * shell of whoever runs the import is not read, so a developer's environment never ends up in a
 * committed slipway.yaml. A variable with no value becomes "" (as Compose makes it) and is reported.
 */
import { isRecord } from './compose-fields.js';

export interface Unresolved {
  /** The variable, `TIMEZONE`. */
  name: string;
  /** The message of `${VAR:?message}`, when the compose file marks it required. */
  required?: string;
}

export interface Interpolated {
  value: string;
  /** Variables used without a value (each once). */
  unresolved: Unresolved[];
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** The index of the `}` closing a `${` that starts at `open` (nested `${...}` in defaults count). */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') {
      i++;
      continue;
    }
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

export function interpolate(text: string, variables: Readonly<Record<string, string>>): Interpolated {
  const unresolved: Unresolved[] = [];
  const missing = (u: Unresolved) => {
    if (!unresolved.some((x) => x.name === u.name)) unresolved.push(u);
  };
  const lookup = (name: string) => (Object.hasOwn(variables, name) ? variables[name] : undefined);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const end = closing(text, i);
      if (end < 0) {
        out += text.slice(i); // an unclosed ${ is kept as written
        break;
      }
      out += braced(text.slice(i + 2, end), lookup, missing, variables);
      i = end;
    } else {
      const name = NAME.exec(text.slice(i + 1))?.[0];
      if (!name) {
        out += '$';
        continue;
      }
      const value = lookup(name);
      if (value === undefined) missing({ name });
      out += value ?? '';
      i += name.length;
    }
  }
  return { value: out, unresolved };
}

/** `VAR`, `VAR:-default`, `VAR?error`, ... : the inside of `${...}`. */
function braced(
  body: string,
  lookup: (name: string) => string | undefined,
  missing: (u: Unresolved) => void,
  variables: Readonly<Record<string, string>>,
): string {
  const name = NAME.exec(body)?.[0] ?? '';
  const rest = body.slice(name.length);
  const value = lookup(name);
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  const arg = () => {
    const inner = interpolate(rest.slice(op?.length ?? 0), variables);
    inner.unresolved.forEach(missing);
    return inner.value;
  };
  const empty = value === undefined || (op?.startsWith(':') === true && value === '');
  switch (op) {
    case ':-':
    case '-':
      return empty ? arg() : (value ?? '');
    case ':?':
    case '?':
      if (empty) missing({ name, required: arg() || `${name} is required` });
      return value ?? '';
    case ':+':
    case '+':
      return empty ? '' : arg();
    default:
      if (value === undefined) missing({ name });
      return value ?? '';
  }
}

/** A path in the compose document and the variables it used without a value. */
export interface UnresolvedAt {
  path: (string | number)[];
  unresolved: Unresolved[];
}

/** Interpolates every string value of the document (keys are not interpolated, as in Compose). */
export function interpolateDocument(
  doc: unknown,
  variables: Readonly<Record<string, string>>,
): { doc: unknown; unresolved: UnresolvedAt[] } {
  const found: UnresolvedAt[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      const r = interpolate(node, variables);
      if (r.unresolved.length) found.push({ path, unresolved: r.unresolved });
      return r.value;
    }
    if (Array.isArray(node)) return node.map((v, i) => walk(v, [...path, i]));
    if (isRecord(node))
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    return node;
  };
  return { doc: walk(doc, []), unresolved: found };
}

/** The `.env` file's variables, each able to use the ones above it (as Compose reads it). */
export function dotenvVariables(entries: Record<string, string>): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [key, raw] of Object.entries(entries)) variables[key] = interpolate(raw, variables).value;
  return variables;
}
