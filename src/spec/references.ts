/**
 * `${name.output}` references in env values: parsing, and what each target offers. The renderer
 * resolves them to values or Secret keys; here they are only checked, so a typo fails at validate
 * time with its position instead of at deploy time.
 */
import type { App, Dependency } from './schema.js';
import { suggestion } from './suggest.js';

export interface ParsedReference {
  /** The text matched, `${db.url}`. */
  text: string;
  target: string;
  output: string;
  /** Offsets of the reference in the value (end exclusive). */
  start: number;
  end: number;
}

/** Anything that looks like a reference, loosely, so a malformed one can be reported instead of passed through. */
const LOOSE = /\$\{([^}]*)\}/g;
const WELL_FORMED = /^([a-z][-a-z0-9]*)\.([A-Za-z][A-Za-z0-9_]*)$/;

export interface MalformedReference {
  text: string;
  start: number;
  end: number;
}

/** Every `${target.output}` in a value. `$${...}` is an escaped literal and is skipped. */
export function parseReferences(value: string): ParsedReference[] {
  return scan(value).filter((r): r is ParsedReference => 'target' in r);
}

function scan(value: string): Array<ParsedReference | MalformedReference> {
  const found: Array<ParsedReference | MalformedReference> = [];
  for (const m of value.matchAll(LOOSE)) {
    const start = m.index;
    if (start > 0 && value[start - 1] === '$') continue;
    const end = start + m[0].length;
    const parts = WELL_FORMED.exec(m[1] ?? '');
    if (parts) found.push({ text: m[0], target: parts[1] ?? '', output: parts[2] ?? '', start, end });
    else found.push({ text: m[0], start, end });
  }
  return found;
}

/** Outputs of an in-cluster dependency, by type (the renderer's dependency kinds provide the same names). */
export const DEPENDENCY_OUTPUTS: Readonly<Record<Dependency['type'], readonly string[]>> = {
  postgres: ['url', 'host', 'port', 'user', 'password', 'database'],
  mysql: ['url', 'host', 'port', 'user', 'password', 'database'],
  redis: ['url', 'host', 'port', 'password'],
  kafka: ['url', 'host', 'port', 'bootstrap'],
  chromadb: ['url', 'host', 'port'],
  sqlite: ['url', 'path'],
};

/** What another service offers: its in-cluster URL, host and port (only when it has a port). */
export const SERVICE_OUTPUTS: readonly string[] = ['url', 'host', 'port'];

export interface ReferenceProblem {
  /** Offset of the offending text in the value. */
  start: number;
  message: string;
  hint?: string;
}

type Spec = Pick<App, 'services' | 'dependencies'>;

/** Check every reference in one value against the spec; `from` is the service whose env holds it. */
export function checkReferences(spec: Spec, value: string, from: string): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const services = spec.services ?? {};
  const dependencies = spec.dependencies ?? {};
  for (const ref of scan(value)) {
    if (!('target' in ref)) {
      problems.push({
        start: ref.start,
        message: `malformed reference ${ref.text}`,
        hint: 'write ${name.output}, e.g. ${db.url}; write $${...} for a literal ${...}',
      });
      continue;
    }
    const dependency = dependencies[ref.target];
    const service = services[ref.target];
    if (!dependency && !service) {
      const names = [...Object.keys(dependencies), ...Object.keys(services)];
      problems.push({
        start: ref.start,
        message: `${ref.text} names "${ref.target}", which is neither a service nor a dependency`,
        hint: suggestion(ref.target, names, 'declared'),
      });
      continue;
    }
    if (dependency?.external) continue; // every key of the external Secret is an output; the Secret is not ours to read
    if (service && !dependency && ref.target === from) {
      problems.push({
        start: ref.start,
        message: `${ref.text}: a service cannot reference itself`,
        hint: 'use localhost and the port directly',
      });
      continue;
    }
    if (service && !dependency && service.port === undefined && !service.ports?.length) {
      problems.push({
        start: ref.start,
        message: `${ref.text}: service "${ref.target}" has no port, so it offers no outputs`,
        hint: `give ${ref.target} a port`,
      });
      continue;
    }
    const outputs = dependency ? DEPENDENCY_OUTPUTS[dependency.type] : SERVICE_OUTPUTS;
    if (!outputs.includes(ref.output)) {
      const what = dependency ? `${dependency.type} dependency "${ref.target}"` : `service "${ref.target}"`;
      problems.push({
        start: ref.start,
        message: `${ref.text}: ${what} has no output "${ref.output}"`,
        hint: suggestion(ref.output, outputs, 'outputs'),
      });
    }
  }
  return problems;
}
