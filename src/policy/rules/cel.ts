/**
 * CEL fragments shared by the `admission` forms of several rules (the CEL a rule exports, see
 * AdmissionCheck in types.ts). Each takes CEL expressions as text and returns CEL text; the
 * regular expressions are RE2, which Kubernetes' `matches` uses.
 */

/** apimachinery validation.IsQualifiedName with an optional DNS-subdomain prefix: a label or annotation key. */
export function labelKeyOk(key: string): string {
  return `(${key}.matches('^([a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$') && ${key}.lastIndexOf('/') <= 253)`;
}

/** apimachinery validation.IsValidLabelValue: empty, or at most 63 of [A-Za-z0-9-_.] starting and ending alphanumeric. */
export function labelValueOk(value: string): string {
  return `(${value} == '' || ${value}.matches('^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$'))`;
}

/** `m[field]` when `m` has it as a map, else `{}` (the checker's `obj(...) ?? {}`); `m` must be a map. */
export function mapOr(m: string, field: string): string {
  return `(has(${m}.${field}) && type(${m}.${field}) == map ? ${m}.${field} : {})`;
}

/** `m[field]` when `m` has it as a list, else `[]` (the checker's `arr(...)`); `m` must be a map. */
export function listOr(m: string, field: string): string {
  return `(has(${m}.${field}) && type(${m}.${field}) == list ? ${m}.${field} : [])`;
}

/** A scalar the checker's `strMap` turns into text with String() (a map or list never reaches a label). */
export function scalar(x: string): string {
  return `type(${x}) in [string, int, uint, double, bool]`;
}

/** `m.labels[key]` is there (the checker's `strMap(labels)[key] !== undefined`); `m` must be a map. Read it with string(). */
export function stringLabel(m: string, key: string): string {
  return `(has(${m}.labels) && type(${m}.labels) == map && '${key}' in ${m}.labels && ${scalar(`${m}.labels['${key}']`)})`;
}

/**
 * `s` as a CEL string literal: raw (`r'...'`, backslashes as written, as regular expressions read best)
 * when it holds no single quote, else single-quoted with backslashes and quotes escaped.
 */
export function celString(s: string): string {
  if (!s.includes("'") && !s.includes('\n')) return `r'${s}'`;
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
