import type { Manifest, ObjectRef, Path, Position } from '../types.js';
import {
  camel,
  snake,
  KINDS,
  LISTS,
  NOT_FIELDS,
  NUMERIC_STRINGS,
  SINGLE_UNDER,
} from './terraform-kubernetes-schema.js';
import { expand } from './terraform-kubernetes-expand.js';
import { isExpression, isPlain, NAMED, pathKey } from './terraform-values.js';
import {
  absent,
  elementsOf,
  evaluate,
  ITERATOR,
  repetition,
  scopeOf,
  steps,
  type DynamicBlock,
  type Scope,
} from './terraform-scope.js';

/**
 * The Kubernetes object each resource of the hashicorp/kubernetes provider creates, so that the
 * Kubernetes rules judge `kubernetes_role_v1` as they judge a Role in YAML. The provider's schema
 * (terraform-kubernetes-schema.ts) writes every nested object as a block: a block becomes
 * an object, or a list when the Kubernetes field is one (`container` blocks are `containers`,
 * `rule` blocks `rules`), and its arguments go from snake_case to the API's camelCase. Attributes
 * keep their values as written (maps such as labels, data or limits keep their keys).
 *
 * What is known before a plan is put in: `var.*` (a module call's known arguments; for a root module
 * the values Terraform loads from its .tfvars files; else the variables' literal defaults),
 * `local.*` (the module's locals, evaluated with the same), members of those (`var.labels.app`,
 * `local.ports[0]`), operators over those (`var.base * 2`), `for` expressions over known values
 * (`{ for s in var.services : s.name => s }`),
 * a dynamic block's iterations over a known list, map or set, a reference
 * to the literal name or namespace of another kubernetes_* resource of the module. Any other
 * expression stays `{ expression }` at its place: the field is there, its value unknown, and
 * check() drops any finding on it (underExpression).
 */

const key = pathKey;

/** For each block and list item the converter wrote (by Kubernetes path), the Terraform path it came from. */
type Sources = Map<string, Path>;

/** A `module "name" { source = "./x" ... }` block: its arguments as the loader reads values. */
export interface ModuleCall {
  name: string;
  source: string;
  arguments: Record<string, unknown>;
  /** Where each argument, and each entry of its value, is written (by path key), in the calling file. */
  positions?: ReadonlyMap<string, Position>;
}

/** The arguments a call passed (not left to the variables' defaults), and where the call writes them. */
interface Passed {
  names: ReadonlySet<string>;
  positions: ReadonlyMap<string, Position>;
}

/** What kubernetesObjects needs from a file to instantiate its resources for a module call. */
export interface KubernetesModulePart {
  resources: Manifest[];
  dynamics: Map<Manifest, ReadonlyMap<string, DynamicBlock>>;
  /** The literal defaults of the file's `variable` blocks. */
  defaults: Record<string, unknown>;
  /** Every `variable` block of the file: its `type` as written (`number`, `list(string)`), or undefined. */
  declared: Record<string, string | undefined>;
  /** The file's `locals` blocks: each local as written, evaluated where a value names it. */
  locals: Record<string, unknown>;
  calls: ModuleCall[];
}

export interface Instantiation {
  dynamics?: ReadonlyMap<Manifest, ReadonlyMap<string, DynamicBlock>>;
  /** Values of `var.*` (a module call's known arguments over the variables' defaults). */
  variables?: Readonly<Record<string, unknown>>;
  /** The module's `local.*` as written (Terraform's own expressions, evaluated with the variables). */
  locals?: Readonly<Record<string, unknown>>;
  /** The module's variables, each with its declared `type` (undefined when none). */
  types?: Readonly<Record<string, string | undefined>>;
  /** The variables the call passed (not left to their defaults). */
  passed?: ReadonlySet<string>;
  /** The values are those `terraform plan` uses: Terraform's errors on them stop the check (Scope.planned). */
  planned?: boolean;
  /**
   * The call: its instance's address (`module.web`, `module.web["a"]`) prefixes the resources',
   * `module` names the input set; `passed`, its arguments, places a finding on a value that is
   * one of them at the call.
   */
  call?: { address: string; module: string; passed?: Passed };
}

export function isKubernetesResource(type: string): boolean {
  return type in KINDS || type === 'kubernetes_manifest';
}

/**
 * The Kubernetes objects of one module's resources (those of other providers give none), with
 * `var.*` and `local.*` (`how`) and the dynamic blocks iterating over known values resolved first.
 */
export function kubernetesObjects(resources: readonly Manifest[], how: Instantiation = {}): Manifest[] {
  const scope = scopeOf(how);
  // Names first (a binding names its role by reference), twice: a namespace's name may be a variable.
  for (let pass = 0; pass < 2; pass++)
    for (const r of resources) {
      if (!(r.ref.kind in KINDS)) continue;
      const meta = firstBlock(r.body.metadata);
      scope.names.set(`${r.ref.kind}.${r.ref.name}`, {
        name: evaluate(meta?.name, scope),
        namespace: evaluate(meta?.namespace, scope),
      });
    }
  const out: Manifest[] = [];
  for (const r of resources)
    for (const instance of instancesOf(r, scope)) {
      const object = convert(
        r,
        { ...scope, ...instance.scope, dynamics: how.dynamics?.get(r) },
        how.call,
        instance.address,
      );
      if (object) out.push(object);
    }
  return out;
}

interface Instance {
  /** Terraform's instance key after the resource address: `["web"]` (for_each), `[1]` (count). */
  address: string;
  scope: Pick<Scope, 'iterators' | 'countIndex'>;
}

/**
 * The instances a resource creates, as Terraform expands it: one per element of a known `for_each`
 * (a map, or a set of strings: `toset(var.names)`), with `each.key` and `each.value`; a known
 * `count` gives that many, with `count.index`, addressed as Terraform addresses them (`[0]`,
 * `[1]`...: a `count` of 1 too, `r[0]`). Otherwise one object, named as written; an unknown
 * `for_each` or `count` leaves `each.*` or `count.index` unknown.
 */
function instancesOf(r: Manifest, scope: Scope): Instance[] {
  const single: Instance[] = [{ address: '', scope: { iterators: scope.iterators } }];
  const made = repetition(r.body.for_each, r.body.for_each === undefined ? r.body.count : undefined, scope);
  if (!made) return single;
  if ('each' in made)
    return made.each.map(([k, value]) => ({
      address: `[${JSON.stringify(k)}]`,
      scope: { iterators: { ...scope.iterators, each: { key: k, value } } },
    }));
  if (made.count < 1) return single;
  return Array.from({ length: made.count }, (_, i) => ({
    address: `[${i}]`,
    scope: { iterators: scope.iterators, countIndex: i },
  }));
}

function convert(
  r: Manifest,
  scope: Scope,
  call: Instantiation['call'],
  instance = '',
): Manifest | undefined {
  if (absent(r.body.count, scope)) return undefined;
  const sources: Sources = new Map();
  let body: Record<string, unknown>;
  if (r.ref.kind === 'kubernetes_manifest') {
    // The object itself, written as an HCL object: its keys are the API's already.
    const manifest = r.body.manifest;
    if (!isPlain(manifest) || typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string')
      return undefined;
    body = evaluate(manifest, scope) as Record<string, unknown>;
    sources.set(key([]), ['manifest']);
  } else {
    const kind = KINDS[r.ref.kind];
    if (!kind) return undefined;
    sources.set(key([]), []);
    body = { apiVersion: kind.apiVersion, kind: kind.kind, ...block(r.body, '', [], [], sources, scope) };
    expand(body, r.ref.kind);
  }
  const meta = isPlain(body.metadata) ? body.metadata : {};
  const ref: ObjectRef = {
    apiVersion: String(body.apiVersion),
    kind: String(body.kind),
    name: nameOf(meta.name ?? meta.generateName),
  };
  if (meta.namespace !== undefined) ref.namespace = nameOf(meta.namespace);
  const start = r.start;
  return {
    file: r.file,
    start,
    ref,
    body,
    docPath: [],
    // Only blocks and list items are recorded (an attribute is one step below its block, found by
    // its Terraform name); asked for a finding's position only, not built for every field.
    locate: (path: Path): Position => {
      const verbatim = r.ref.kind === 'kubernetes_manifest';
      for (let n = path.length; n >= 0; n--) {
        const from = sources.get(key(path.slice(0, n)));
        if (!from) continue;
        let tfPath = from;
        if (n < path.length) {
          const [field, ...rest] = path.slice(n);
          tfPath = [...from, typeof field === 'string' && !verbatim ? snake(field) : field!, ...rest];
        }
        return (call?.passed && passedAt(r.body, tfPath, call.passed)) || r.locate(tfPath);
      }
      return start;
    },
    docKey: `${r.docKey}${instance}#kubernetes${call ? `#${call.address}@${call.module}` : ''}`,
    declaredBy: {
      type: call ? `${call.address}.${r.ref.kind}` : r.ref.kind,
      name: `${r.ref.name}${instance}`,
      module: call ? call.module : (r.terraform?.module ?? ''),
      ...(call ? { caller: call.module } : {}),
    },
    ...(r.environment ? { environment: r.environment } : {}),
  };
}

/** A module block's meta-arguments: Terraform's own, not variables of the called module. */
const MODULE_META = new Set(['count', 'for_each', 'depends_on', 'providers', 'version']);

/** One instance of a module call: its instance key and its arguments with the caller's values put in. */
export interface CallInstance {
  /** After `module.<name>`: `["web"]` (for_each), `[0]` (count), '' (neither, or not known). */
  key: string;
  call: ModuleCall;
}

/**
 * The instances a module block creates, as Terraform expands it: one per element of a known
 * `for_each` (the same forms as a resource's: a map, `toset()` of a list of strings), addressed
 * `module.<name>["<key>"]`, with `each.key` and `each.value`; one per index of a known `count`,
 * `module.<name>[<index>]` (a count of 1 too, as Terraform addresses it), with `count.index`; none
 * for a count of 0. Otherwise one, `module.<name>`, whose `each.*` stays unknown. Each instance's
 * arguments have what the calling module knows put in (`namespace = local.namespace` passes the
 * local's value). An argument that is `each.key` or `each.value` (or a member of it) is placed
 * at its element of the `for_each` map when the block writes that map, else at `for_each`.
 */
export function callInstances(call: ModuleCall, caller: Instantiation = {}): CallInstance[] {
  const scope = scopeOf(caller);
  const { for_each: forEach, count } = call.arguments;
  const made = repetition(forEach, forEach === undefined ? count : undefined, scope);
  const instance = (
    key: string,
    iterators: Scope['iterators'],
    countIndex?: number,
    each?: string,
  ): CallInstance => {
    const inner: Scope = { ...scope, iterators, ...(countIndex === undefined ? {} : { countIndex }) };
    const args: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(call.arguments))
      if (!MODULE_META.has(k)) args[k] = evaluate(v, inner);
    const positions = each !== undefined && call.positions ? eachPlaced(call, each) : call.positions;
    return { key, call: { ...call, arguments: args, ...(positions ? { positions } : {}) } };
  };
  if (!made) return [instance('', {})];
  if ('each' in made)
    return made.each.map(([k, value]) =>
      instance(`[${JSON.stringify(k)}]`, { each: { key: k, value } }, undefined, k),
    );
  return Array.from({ length: made.count }, (_, i) => instance(`[${i}]`, {}, i));
}

/**
 * The call's positions for its instance of `for_each` element `element`: an argument written as
 * `each.key` or `each.value` (or a member, `each.value.image`) is at that element of the map the
 * block's `for_each` writes (its entries too); when the map is not written there (a variable,
 * `toset()`), at the `for_each` argument.
 */
function eachPlaced(call: ModuleCall, element: string): ReadonlyMap<string, Position> {
  const written = call.positions!;
  const out = new Map(written);
  for (const [name, v] of Object.entries(call.arguments)) {
    const it = isExpression(v) ? ITERATOR.exec(v.expression) : null;
    if (!it || it[1] !== 'each' || (it[2] === 'key' && it[3])) continue;
    const from: Path = ['for_each', element, ...(it[2] === 'value' ? steps(it[3]!) : [])];
    const below = key([...from, '']);
    for (const [k, p] of written) if (k.startsWith(below)) out.set(key([name, k.slice(below.length)]), p);
    let at: Position | undefined;
    for (let n = from.length; n >= 1 && !at; n--) at = written.get(key(from.slice(0, n)));
    if (at) out.set(key([name]), at);
  }
  return out;
}

/** What the called module knows in one call: `var.*` from the call's known arguments over its defaults, its locals. */
export function moduleInstantiation(
  call: ModuleCall,
  callee: readonly KubernetesModulePart[],
  caller: string,
  address = `module.${call.name}`,
): Instantiation & Required<Pick<Instantiation, 'variables' | 'locals'>> {
  const variables: Record<string, unknown> = Object.assign({}, ...callee.map((p) => p.defaults));
  const names = new Set<string>();
  for (const [k, v] of Object.entries(call.arguments)) {
    if (MODULE_META.has(k)) continue;
    // An argument passed but not known is unknown in the module, not the variable's default.
    if (isExpression(v)) delete variables[k];
    else {
      variables[k] = v;
      names.add(k);
    }
  }
  return {
    dynamics: new Map(callee.flatMap((p) => [...p.dynamics])),
    variables,
    locals: Object.assign({}, ...callee.map((p) => p.locals)),
    types: Object.assign({}, ...callee.map((p) => p.declared)),
    passed: names,
    call: {
      address,
      module: caller,
      ...(call.positions ? { passed: { names, positions: call.positions } } : {}),
    },
  };
}

/**
 * The objects a module call (one instance of it: callInstances) creates: the called module's
 * kubernetes_* resources with `var.*` set from the call's literal arguments (else the variables'
 * literal defaults), named `<address>.<resource address>` (`module.web`, `module.web["a"]`,
 * `module.a[0].module.b`) and judged in the caller's module.
 */
export function moduleInstances(
  call: ModuleCall,
  callee: readonly KubernetesModulePart[],
  caller: string,
  address = `module.${call.name}`,
): Manifest[] {
  return kubernetesObjects(
    callee.flatMap((p) => p.resources),
    moduleInstantiation(call, callee, caller, address),
  );
}

/**
 * Where the call writes the value at `tfPath` of a resource, when the resource's argument along the
 * path is exactly `var.<name>` (or a member of it, `var.labels.app`) and the call passed `<name>`:
 * the entry of the argument's value the rest of the path leads to, else the argument itself. A
 * value from a default, a local or an interpolation is the module's own (undefined).
 */
function passedAt(body: Record<string, unknown>, tfPath: Path, passed: Passed): Position | undefined {
  let v: unknown = body;
  for (let i = 0; i < tfPath.length; i++) {
    const step = tfPath[i]!;
    v = Array.isArray(v) ? v[step as number] : isPlain(v) ? v[step] : undefined;
    if (v === undefined) return undefined;
    if (!isExpression(v)) continue;
    const named = NAMED.exec(v.expression);
    if (!named || named[1] !== 'var' || !passed.names.has(named[2]!)) return undefined;
    const into: Path = [named[2]!, ...steps(named[3]!), ...tfPath.slice(i + 1)];
    for (let n = into.length; n > 0; n--) {
      const p = passed.positions.get(key(into.slice(0, n)));
      if (p) return p;
    }
    return undefined;
  }
  return undefined;
}

/** A name known only as an expression is shown as Terraform would interpolate it. */
function nameOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isExpression(v)) {
    const text = v.expression;
    return text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : `\${${text}}`;
  }
  return '';
}

function block(
  tf: Record<string, unknown>,
  parent: string,
  tfPath: Path,
  kubePath: Path,
  sources: Sources,
  scope: Scope,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name in tf) {
    if (parent === '' && NOT_FIELDS.has(name)) continue;
    const value = tf[name];
    if (isBlocks(value)) {
      const from = [...tfPath, name];
      // A ServiceAccount's `secret` blocks are its secrets; a volume's `secret` is one source.
      const list =
        name === 'secret' && parent === ''
          ? 'secrets'
          : SINGLE_UNDER[name]?.includes(parent)
            ? undefined
            : LISTS[name];
      const at = [...kubePath, list ?? camel(name)];
      if (list) {
        sources.set(key(at), from);
        const items: Array<Record<string, unknown>> = [];
        value.forEach((b, i) => {
          for (const inner of generated(scope, [...from, i])) {
            sources.set(key([...at, items.length]), [...from, i]);
            items.push(block(b, name, [...from, i], [...at, items.length], sources, inner));
          }
        });
        out[list] = items;
      } else {
        sources.set(key(at), [...from, 0]);
        out[at[at.length - 1] as string] = block(value[0]!, name, [...from, 0], at, sources, scope);
      }
    } else {
      out[camel(name)] = attribute(name, value, scope);
    }
  }
  return out;
}

/**
 * The scopes a block is generated in: one for a plain block or a dynamic one over an unknown
 * collection (its values stay unknown), one per element of a known list, map or set of strings
 * (a `for` expression's result too).
 */
function generated(scope: Scope, at: Path): Scope[] {
  const dynamic = scope.dynamics?.get(key(at));
  if (!dynamic) return [scope];
  const entries = elementsOf(dynamic.forEach, scope);
  if (!entries) return [scope];
  return entries.map(([k, value]) => ({
    ...scope,
    iterators: { ...scope.iterators, [dynamic.iterator]: { key: k, value } },
  }));
}

/** Nested blocks as the loader reads them: a list of bodies (attributes never hold objects in a list here). */
function isBlocks(v: unknown): v is Array<Record<string, unknown>> {
  return Array.isArray(v) && v.length > 0 && v.every(isPlain);
}

function firstBlock(v: unknown): Record<string, unknown> | undefined {
  return Array.isArray(v) && isPlain(v[0]) ? v[0] : undefined;
}

function attribute(name: string, value: unknown, scope: Scope): unknown {
  const v = evaluate(value, scope);
  // The provider parses these strings (intstr.Parse, strconv.Atoi): "8080" is the number 8080.
  if (NUMERIC_STRINGS.has(name) && typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return v;
}
