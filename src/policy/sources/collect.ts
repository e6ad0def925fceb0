import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { parse } from '#yaml';
import { EXIT_BAD_INPUT, UserError, UserErrors, type Problem } from '../../errors.js';
import { parseManifests, type ParsedFile } from '../load/parse.js';
import {
  parseTerraform,
  parseTfvars,
  productionModule,
  tfvarsFiles,
  variableValue,
  type HclParse,
} from '../load/terraform.js';
import {
  callInstances,
  kubernetesObjects,
  moduleInstances,
  moduleInstantiation,
  type Instantiation,
  type KubernetesModulePart,
} from '../load/terraform-kubernetes.js';
import type { Manifest, ObjectRef, Path, Position } from '../types.js';
import type { InputHost } from './host.js';
import { placeAtOrigins, wrapperKustomization } from './kustomize-origins.js';

/**
 * Turns `slipway check PATHS...` into parsed files: plain YAML files and directories (recursively,
 * *.yaml and *.yml), `-` for stdin, Helm chart directories (rendered with `helm template`), kustomize
 * directories (`kubectl kustomize`), and slipway.yaml (rendered per environment by `renderSpec`).
 */
export interface CollectOptions {
  cwd: string;
  values: string[];
  set: string[];
  /** Unset: the chart's name. */
  releaseName?: string;
  namespace?: string;
  /** Renders a slipway.yaml into one YAML stream per environment (one with --env, else every declared one). */
  renderSpec?: (file: string) => Promise<SpecRendering[]>;
  /** Loads the HCL grammar for `.tf` files (once; the CLI's loads WebAssembly). */
  hcl?: () => Promise<HclParse>;
  /**
   * `--var name=value` and `--var-file file` (relative to cwd), in command-line order: for every
   * root module, over its own .tfvars files, as `terraform plan -var` and `-var-file` give them in
   * the module it runs in.
   */
  variables?: readonly VariableOption[];
  /** The environment, for `TF_VAR_<name>` (the lowest of a root module's variable values). */
  environment?: Readonly<Record<string, string | undefined>>;
}

/**
 * One environment of a slipway.yaml, rendered: the objects themselves (never a YAML stream parsed
 * back), and `place`, which puts a field of a rendered object on a line of slipway.yaml.
 */
export interface SpecRendering {
  environment: string;
  objects: ReadonlyArray<Record<string, unknown>>;
  place: (object: ObjectRef, path: Path) => Position;
  /**
   * The Terraform `render --format terraform` writes for this environment (paths below its output
   * directory), when the spec declares infrastructure; `placeResource` puts one of its resources on
   * a line of slipway.yaml (the dependency it is for, else `infrastructure:`).
   */
  terraform?: {
    files: ReadonlyMap<string, string>;
    production: boolean;
    placeResource: (resource: { kind: string; name: string }) => Position;
  };
}

export interface Collected {
  files: ParsedFile[];
  problems: Problem[];
}

/** `--var name=value` or `--var-file file`. */
export type VariableOption = { var: string } | { varFile: string };

const YAML_FILE = /\.ya?ml$/i;
const TERRAFORM_FILE = /\.tf$/i;
const KUSTOMIZATION = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SPEC_FILE = /^slipway\.ya?ml$/;
/** Files in a manifest directory that are not Kubernetes objects. */
const NOT_MANIFESTS = new Set(['.slipway-check.yaml', 'Chart.yaml', 'values.yaml', 'Chart.lock']);

export async function collectInputs(
  paths: string[],
  host: InputHost,
  opts: CollectOptions,
): Promise<Collected> {
  const out: Collected = { files: [], problems: [] };
  // Paths below the working directory are shown relative to it (as SARIF wants), others as given.
  const display = (p: string) => {
    const rel = relative(opts.cwd, p);
    return rel.startsWith('..') ? p : rel || '.';
  };
  const walk: Walk = {
    add: (parsed: ParsedFile) => {
      out.files.push(parsed);
      out.problems.push(...parsed.problems);
    },
    terraform: new TerraformModules(),
  };
  const { add } = walk;
  for (const input of paths.length ? paths : ['.']) {
    if (input === '-') {
      add({ ...parseManifests(await host.readStdin(), '<stdin>'), editable: false });
      continue;
    }
    const abs = resolve(opts.cwd, input);
    if (!host.exists(abs))
      throw new UserError(`${input}: no such file or directory`, {
        code: 'check/no-input',
        hint: 'pass YAML files, directories, a Helm chart, a kustomize directory or slipway.yaml',
      });
    await collectPath(abs, true, host, opts, display, walk);
  }
  // The local modules the checked Terraform calls (`source = "../../modules/db"`) are judged too,
  // each directory once, however many roots call it; and as production when a production root does.
  for (let dirs = walk.terraform.unread(); dirs.length > 0; dirs = walk.terraform.unread()) {
    for (const dir of dirs) {
      walk.terraform.visit(dir);
      // A source that does not exist is terraform init's to report.
      if (!host.isDirectory(dir)) continue;
      for (const entry of host.listDirectory(dir))
        if (TERRAFORM_FILE.test(entry)) await collectPath(join(dir, entry), false, host, opts, display, walk);
    }
  }
  walk.terraform.productionThroughCalls();
  const options = variableOptions(opts, host, display);
  walk.terraform.instantiate(await rootValues(walk.terraform, options, host, opts, display, add), display);
  return out;
}

/** `--var` split at its first `=`, `--var-file` resolved and there: bad ones stop the check before anything is read. */
type Option = { name: string; value: string } | { file: string };

function variableOptions(opts: CollectOptions, host: InputHost, display: (p: string) => string): Option[] {
  return (opts.variables ?? []).map((o) => {
    if ('varFile' in o) {
      const file = resolve(opts.cwd, o.varFile);
      if (!host.exists(file) || host.isDirectory(file))
        throw new UserError(`--var-file ${display(file)}: no such file`, {
          code: 'check/no-var-file',
          hint: 'pass a .tfvars or .tfvars.json file, as terraform plan -var-file takes it',
        });
      return { file };
    }
    const eq = o.var.indexOf('=');
    if (eq <= 0)
      throw new UserError(`--var ${o.var}: expected name=value`, {
        code: 'check/bad-var',
        hint: 'e.g. --var replicas=3 or --var \'labels={ team = "web" }\', as terraform plan -var takes it',
      });
    return { name: o.var.slice(0, eq), value: o.var.slice(eq + 1) };
  });
}

/**
 * Each root module's variable values, in Terraform's order of precedence, each over the one
 * before: `TF_VAR_<name>` from the environment, the .tfvars files Terraform loads there by itself,
 * then `--var` and `--var-file` in command-line order. A `--var` no root module declares is bad
 * input, as for terraform plan; `TF_VAR_` of undeclared names are ignored, as Terraform does.
 */
async function rootValues(
  modules: TerraformModules,
  options: readonly Option[],
  host: InputHost,
  opts: CollectOptions,
  display: (p: string) => string,
  add: (parsed: ParsedFile) => void,
): Promise<Map<string, Record<string, unknown>>> {
  const values = new Map<string, Record<string, unknown>>();
  const roots = modules.roots();
  if (!roots.length) return values;
  const read = new Map<string, Record<string, unknown>>();
  const file = async (abs: string) => {
    let found = read.get(abs);
    if (!found) {
      const parsed = parseTfvars(host.readFile(abs), display(abs), await hclParser(opts, display(abs)));
      if (parsed.problems.length)
        add({ file: display(abs), text: '', documents: () => [], manifests: [], editable: false, ...parsed });
      read.set(abs, (found = parsed.values));
    }
    return found;
  };
  const problems: Problem[] = [];
  const typed = async (raw: string, type: string | undefined, source: string) => {
    const { value, problem } = variableValue(raw, type, source, await hclParser(opts, source));
    if (problem && !problems.some((p) => p.message === problem.message)) problems.push(problem);
    return value;
  };
  const used = new Set<string>();
  for (const dir of roots) {
    const declared = modules.declared(dir);
    const found: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(opts.environment ?? {})) {
      const name = key.startsWith('TF_VAR_') ? key.slice(7) : undefined;
      if (name === undefined || raw === undefined || !(name in declared)) continue;
      const value = await typed(raw, declared[name], key);
      if (value !== undefined) found[name] = value;
    }
    const entries = host.listDirectory(dir).filter((e) => !host.isDirectory(join(dir, e)));
    for (const name of tfvarsFiles(entries)) Object.assign(found, await file(join(dir, name)));
    for (const o of options) {
      if ('file' in o) {
        Object.assign(found, await file(o.file));
        continue;
      }
      if (!(o.name in declared)) continue;
      used.add(o.name);
      const value = await typed(o.value, declared[o.name], `--var ${o.name}`);
      if (value !== undefined) found[o.name] = value;
    }
    values.set(dir, found);
  }
  for (const o of options)
    if ('name' in o && !used.has(o.name))
      problems.push({
        message: `--var ${o.name}: no root module checked declares a variable "${o.name}"`,
        hint: `declare it (variable "${o.name}" {}) or drop the option, as terraform plan requires`,
      });
  if (problems.length) throw new UserErrors(problems, 'check/bad-var', EXIT_BAD_INPUT);
  return values;
}

/** Not an object a file's kubernetes_* resource declared as converted with that file alone (instances of a module call are kept). */
const notOwnObject = (m: Manifest) => !m.declaredBy || m.declaredBy.caller !== undefined;

/** What one `collectInputs` walk adds to, and the Terraform modules it has read. */
interface Walk {
  add(parsed: ParsedFile): void;
  terraform: TerraformModules;
}

/** The directories of .tf files a walk read, the local modules their files call, and their parsed files. */
class TerraformModules {
  private readonly files = new Map<string, ParsedFile[]>();
  private readonly calls = new Map<string, Set<string>>();
  private readonly production = new Set<string>();
  private readonly kubernetes = new Map<string, Array<{ file: ParsedFile; part: KubernetesModulePart }>>();

  /**
   * A parsed .tf file of the module `dir` (absolute), the directories it calls (absolute), and
   * whether its own path names production.
   */
  read(
    dir: string,
    file: ParsedFile,
    calls: readonly string[],
    production: boolean,
    kubernetes: KubernetesModulePart,
  ): void {
    this.visit(dir).push(file);
    if (
      kubernetes.resources.length ||
      kubernetes.calls.length ||
      Object.keys(kubernetes.declared).length ||
      Object.keys(kubernetes.defaults).length ||
      Object.keys(kubernetes.locals).length
    )
      this.kubernetes.set(dir, [...(this.kubernetes.get(dir) ?? []), { file, part: kubernetes }]);
    if (production) this.production.add(dir);
    const called = this.calls.get(dir) ?? new Set<string>();
    for (const c of calls) called.add(c);
    this.calls.set(dir, called);
  }

  /** Marks `dir` read (a called directory without .tf files too); its parsed files. */
  visit(dir: string): ParsedFile[] {
    let files = this.files.get(dir);
    if (!files) this.files.set(dir, (files = []));
    return files;
  }

  /** Called directories no file of this walk was read from. */
  unread(): string[] {
    const out = new Set<string>();
    for (const called of this.calls.values())
      for (const dir of called) if (!this.files.has(dir)) out.add(dir);
    return [...out];
  }

  /** Whether a module read holds kubernetes_* resources or calls a module. */
  hasKubernetes(): boolean {
    return this.kubernetes.size > 0;
  }

  /** Directories with kubernetes_* resources or module calls that no module of this walk calls: where `terraform plan` would run. */
  roots(): string[] {
    const called = new Set<string>();
    for (const [caller, parts] of this.kubernetes)
      for (const { part } of parts) for (const call of part.calls) called.add(resolve(caller, call.source));
    return [...this.kubernetes.keys()].filter((dir) => !called.has(dir));
  }

  /** The variables a module declares in any of its files, each with its `type` as written. */
  declared(dir: string): Record<string, string | undefined> {
    return Object.assign({}, ...(this.kubernetes.get(dir) ?? []).map((p) => p.part.declared));
  }

  /**
   * The Kubernetes objects converted again with what is known beyond one file: each root module's
   * with the `variable` defaults and `locals` of all its files and, over the defaults, its variable
   * values (`values`, by directory: rootValues); then, from each root down, each instance of a
   * call of a module (its `for_each` or `count`) with the call's arguments (the calling instance's
   * `var.*` and `local.*` put in them), in place of the module's own objects whose values are its
   * variables: Slipway's modules/namespace is judged with the rules each environment passes it.
   * A module no root reaches (only modules calling each other) keeps its own objects.
   */
  instantiate(values: ReadonlyMap<string, Record<string, unknown>>, display: (p: string) => string): void {
    const scopes = new Map<string, Instantiation>();
    for (const dir of this.roots()) {
      const parts = this.kubernetes.get(dir) ?? [];
      const scope: Instantiation = {
        variables: Object.assign({}, ...parts.map((p) => p.part.defaults), values.get(dir)),
        locals: Object.assign({}, ...parts.map((p) => p.part.locals)),
        types: this.declared(dir),
        planned: true,
      };
      scopes.set(dir, scope);
      if (!parts.some((p) => p.part.resources.length)) continue;
      const objects = kubernetesObjects(
        parts.flatMap((p) => p.part.resources),
        { ...scope, dynamics: new Map(parts.flatMap((p) => [...p.part.dynamics])) },
      );
      const files = new Map(parts.map(({ file }) => [file.file, file]));
      for (const file of files.values()) file.manifests = file.manifests.filter(notOwnObject);
      for (const m of objects) files.get(m.file)?.manifests.push(m);
    }
    const called = new Set<string>();
    for (const dir of this.roots()) this.instantiateCalls(dir, scopes.get(dir)!, '', [dir], display, called);
    for (const dir of called)
      for (const { file } of this.kubernetes.get(dir) ?? [])
        file.manifests = file.manifests.filter(notOwnObject);
  }

  /**
   * The objects of the modules `caller` calls, one set per instance of each call (a module block's
   * `for_each` or `count`: callInstances), with the call's arguments as what the calling instance
   * knows (`known`) gives them, named `<prefix>module.<call><key>.<address>`; then the modules
   * those call, per instance, as Terraform composes addresses (`module.a["x"].module.b[0]`).
   * `chain` holds the directories from the root: a module calling back into one of them (which
   * Terraform refuses) is not followed. Every directory instantiated is added to `called`.
   */
  private instantiateCalls(
    caller: string,
    known: Instantiation,
    prefix: string,
    chain: readonly string[],
    display: (p: string) => string,
    called: Set<string>,
  ): void {
    for (const { part } of this.kubernetes.get(caller) ?? [])
      for (const written of part.calls) {
        const dir = resolve(caller, written.source);
        const callee = this.kubernetes.get(dir);
        if (!callee || chain.includes(dir)) continue;
        called.add(dir);
        const files = new Map(callee.map((c) => [c.file.file, c.file]));
        const resources = callee.flatMap((c) => c.part.resources);
        for (const { key, call } of callInstances(written, known)) {
          const address = `${prefix}module.${written.name}${key}`;
          const parts = callee.map((c) => c.part);
          const how = { ...moduleInstantiation(call, parts, display(caller), address), planned: true };
          if (resources.length)
            for (const m of kubernetesObjects(resources, how)) files.get(m.file)?.manifests.push(m);
          this.instantiateCalls(dir, how, `${address}.`, [...chain, dir], display, called);
        }
      }
  }

  /** A module a production module calls, directly or through others, deploys production too. */
  productionThroughCalls(): void {
    const production = [...this.production];
    const seen = new Set(production);
    for (let i = 0; i < production.length; i++)
      for (const callee of this.calls.get(production[i]!) ?? [])
        if (!seen.has(callee)) {
          seen.add(callee);
          production.push(callee);
        }
    for (const dir of seen)
      for (const file of this.files.get(dir) ?? [])
        for (const m of file.manifests)
          if (m.terraform && !m.terraform.production) m.terraform = { ...m.terraform, production: true };
  }
}

async function collectPath(
  abs: string,
  explicit: boolean,
  host: InputHost,
  opts: CollectOptions,
  display: (p: string) => string,
  walk: Walk,
  bases?: ReadonlySet<string>,
): Promise<void> {
  const { add } = walk;
  if (host.isDirectory(abs)) {
    const entries = host.listDirectory(abs);
    if (entries.includes('Chart.yaml')) return add(await renderHelm(abs, host, opts, display));
    const kustomization = KUSTOMIZATION.find((k) => entries.includes(k));
    if (kustomization) {
      // Walking a tree (`deploy/kustomize`), a base that an overlay found in the same walk builds on is
      // checked through that overlay, not again on its own.
      if (!explicit && bases?.has(abs)) return;
      return add(await renderKustomize(abs, host, display));
    }
    const referenced = bases ?? kustomizeBases(abs, host);
    for (const entry of entries) {
      if (entry.startsWith('.') || entry === 'node_modules') continue;
      const child = join(abs, entry);
      if (host.isDirectory(child)) await collectPath(child, false, host, opts, display, walk, referenced);
      else if (YAML_FILE.test(entry) && !NOT_MANIFESTS.has(entry))
        await collectPath(child, false, host, opts, display, walk, referenced);
      else if (TERRAFORM_FILE.test(entry)) await collectPath(child, false, host, opts, display, walk);
    }
    return;
  }
  if (SPEC_FILE.test(basename(abs))) {
    if (!opts.renderSpec)
      throw new UserError(`${display(abs)}: checking slipway.yaml directly is not available yet`, {
        code: 'check/spec-unavailable',
        hint: 'run `slipway render` and check its output directory instead',
      });
    const file = display(abs);
    const renderings = await opts.renderSpec(abs);
    for (const { environment, terraform } of renderings)
      if (terraform) add(await renderedTerraform(file, environment, terraform, opts));
    for (const { environment, objects, place } of renderings)
      add({
        file,
        text: '',
        documents: () => [],
        problems: [],
        manifests: objects.map((o, index) => {
          const body = definedOnly(o) as Record<string, unknown>;
          const meta = (body.metadata ?? {}) as { name?: string; namespace?: string };
          const ref: ObjectRef = {
            apiVersion: String(body.apiVersion),
            kind: String(body.kind),
            name: meta.name ?? '',
            ...(meta.namespace ? { namespace: meta.namespace } : {}),
          };
          return {
            file,
            start: place(ref, []),
            ref,
            body,
            docPath: [],
            locate: (path: Path) => place(ref, path),
            docKey: `${file}#${environment}#${index}`,
            environment,
          };
        }),
        editable: false,
        environment,
      });
    return;
  }
  if (TERRAFORM_FILE.test(abs)) {
    const file = display(abs);
    const module = display(dirname(abs));
    const parsed = parseTerraform(host.readFile(abs), file, await hclParser(opts, file), {
      module,
      production: productionModule(module),
    });
    const { calls, kubernetes, ...judged } = parsed;
    const read: ParsedFile = { file, text: '', documents: () => [], editable: false, ...judged };
    walk.terraform.read(
      dirname(abs),
      read,
      calls.map((c) => resolve(dirname(abs), c)),
      productionModule(module),
      kubernetes,
    );
    return add(read);
  }
  if (!explicit && !YAML_FILE.test(abs)) return;
  const text = host.readFile(abs);
  // Walking a directory, YAML that is plainly not Kubernetes (docker-compose.yml, CI workflows) is skipped.
  if (!explicit && !/^(apiVersion|kind):/m.test(text)) return;
  add(parseManifests(text, display(abs)));
}

async function hclParser(opts: CollectOptions, file: string): Promise<HclParse> {
  if (!opts.hcl)
    throw new UserError(`${file}: checking Terraform needs the HCL grammar, which this caller did not load`, {
      code: 'check/terraform-unavailable',
    });
  return opts.hcl();
}

/**
 * The Terraform rendered for one environment of slipway.yaml, judged like a .tf directory; findings
 * are placed in slipway.yaml and name the rendered file they are about.
 */
async function renderedTerraform(
  file: string,
  environment: string,
  terraform: NonNullable<SpecRendering['terraform']>,
  opts: CollectOptions,
): Promise<ParsedFile> {
  const parse = await hclParser(opts, file);
  const manifests: Manifest[] = [];
  const problems: Problem[] = [];
  const dir = `environments/${environment}/`;
  const read = (path: string, text: string, module: string) => {
    const parsed = parseTerraform(
      text,
      path,
      parse,
      { module, production: terraform.production },
      environment,
    );
    // A parse problem here is a bug of the renderer, reported at the rendered file's position.
    problems.push(...parsed.problems);
    return parsed;
  };
  const place = (m: Manifest, path: string) => {
    // A Kubernetes object a kubernetes_* resource declares is placed where that resource would be.
    const at = terraform.placeResource(
      m.declaredBy ? { kind: m.declaredBy.type, name: m.declaredBy.name } : m.ref,
    );
    manifests.push({
      ...m,
      file,
      start: at,
      locate: () => at,
      docKey: `${file}#${environment}#${path}#${m.docKey.slice(path.length + 1)}`,
      via: `render --format terraform: ${path}:${m.start.line}`,
    });
  };
  for (const [path, text] of terraform.files) {
    if (!path.startsWith(dir) || !TERRAFORM_FILE.test(path)) continue;
    const parsed = read(path, text, dir);
    for (const m of parsed.manifests) place(m, path);
    // The Kubernetes objects of the modules it calls (modules/namespace), with the call's arguments.
    for (const call of parsed.kubernetes.calls) {
      const callee = posix.join(posix.dirname(path), call.source);
      const parts = [...terraform.files]
        .filter(([p]) => posix.dirname(p) === callee && TERRAFORM_FILE.test(p))
        .map(([p, text]) => read(p, text, callee).kubernetes);
      for (const { key, call: instance } of callInstances(call))
        for (const m of moduleInstances(instance, parts, dir, `module.${call.name}${key}`)) place(m, m.file);
    }
  }
  return { file, text: '', documents: () => [], problems, manifests, editable: false, environment };
}

async function renderHelm(
  dir: string,
  host: InputHost,
  opts: CollectOptions,
  display: (p: string) => string,
): Promise<ParsedFile> {
  // Without --release-name the chart's own name, as a team installing its chart would (`helm install
  // <app> ./chart`): object names in findings are then the ones the cluster will hold.
  const release = opts.releaseName ?? chartName(host.readFile(join(dir, 'Chart.yaml'))) ?? 'release';
  const args = ['template', release, dir];
  for (const v of opts.values) args.push('--values', resolve(opts.cwd, v));
  for (const s of opts.set) args.push('--set', s);
  if (opts.namespace) args.push('--namespace', opts.namespace);
  let text: string;
  const helm = host.helmPath();
  try {
    text = await host.run(helm, args, opts.cwd);
  } catch (error) {
    toolMissing(host, error, 'helm', helm, display(dir));
    throw new UserErrors(
      [
        {
          message: `helm template failed: ${(error as Error).message}`,
          location: { file: display(join(dir, 'Chart.yaml')), line: 1, column: 1 },
        },
      ],
      'check/helm-failed',
    );
  }
  // `# Source: <chart name>/templates/x.yaml`: the first segment is the chart name, not the directory.
  // Positions are mapped into the template file (a packaged subchart's templates cannot be read: line 1).
  const inChart = (source: string) => join(dir, source.split('/').slice(1).join('/'));
  const parsed = parseManifests(text, display(dir), {
    sourceFile: (source) => display(inChart(source)),
    templateText: (source) => {
      const file = inChart(source);
      return host.exists(file) && !host.isDirectory(file) ? host.readFile(file) : undefined;
    },
  });
  return { ...parsed, manifests: parsed.manifests.map((m) => ({ ...m, build: display(dir) })) };
}

async function renderKustomize(
  dir: string,
  host: InputHost,
  display: (p: string) => string,
): Promise<ParsedFile> {
  const kubectl = host.kubectlPath();
  const kustomization = join(dir, KUSTOMIZATION.find((k) => host.exists(join(dir, k))) ?? KUSTOMIZATION[0]!);
  // Built through a wrapper that asks kustomize to record each object's file (kustomize-origins.ts).
  let traced: { text: string; scratch: string } | undefined;
  try {
    traced = await host.withScratchDir(async (scratch, write) => {
      write('kustomization.yaml', wrapperKustomization(relative(scratch, dir)));
      return { text: await host.run(kubectl, ['kustomize', scratch], dir), scratch };
    });
  } catch (error) {
    toolMissing(host, error, 'kubectl', kubectl, display(dir));
    traced = undefined; // an older kustomize, or a failing build: the plain build reports it
  }
  let text: string;
  if (traced) text = traced.text;
  else
    try {
      text = await host.run(kubectl, ['kustomize', dir], dir);
    } catch (error) {
      throw new UserErrors(
        [
          {
            message: `kubectl kustomize ${display(dir)} failed: ${(error as Error).message}`,
            location: { file: display(kustomization), line: 1, column: 1 },
          },
        ],
        'check/kustomize-failed',
      );
    }
  const parsed = parseManifests(text, display(dir));
  const manifests = traced
    ? placeAtOrigins(parsed.manifests, traced.scratch, kustomization, host, display)
    : parsed.manifests;
  return {
    ...parsed,
    manifests: manifests.map((m) => ({ ...m, build: display(dir) })),
    editable: false,
  };
}

/** A tool that is not there (SLIPWAY_HELM naming a missing file): what to install, not a spawn error. */
function toolMissing(
  host: InputHost,
  error: unknown,
  tool: 'helm' | 'kubectl',
  path: string,
  input: string,
): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return;
  throw new UserError(
    `${input}: ${tool === 'helm' ? 'checking a Helm chart runs `helm template`' : 'checking a kustomize directory runs `kubectl kustomize`'}, and ${path} does not exist (everything else in Slipway needs only Node.js)`,
    { code: 'tool-missing', hint: host.toolHint(tool) },
  );
}

/** Directories under `root` that a kustomization under `root` names in resources, bases or components. */
function kustomizeBases(root: string, host: InputHost): Set<string> {
  const bases = new Set<string>();
  const walk = (dir: string) => {
    const entries = host.listDirectory(dir);
    const file = KUSTOMIZATION.find((k) => entries.includes(k));
    if (file) {
      let doc: unknown;
      try {
        doc = parse(host.readFile(join(dir, file)));
      } catch {
        doc = undefined; // kubectl kustomize reports it when the directory is built
      }
      const fields = doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : {};
      for (const key of ['resources', 'bases', 'components']) {
        const list = fields[key];
        if (!Array.isArray(list)) continue;
        for (const item of list) {
          if (typeof item !== 'string') continue;
          const target = resolve(dir, item);
          if (host.exists(target) && host.isDirectory(target)) bases.add(target);
        }
      }
    }
    for (const entry of entries) {
      if (entry.startsWith('.') || entry === 'node_modules') continue;
      const child = join(dir, entry);
      if (host.isDirectory(child)) walk(child);
    }
  };
  walk(root);
  return bases;
}

/** The `name:` of a Chart.yaml, when it is a valid release name. */
function chartName(text: string): string | undefined {
  const name = /^name:\s*["']?([a-z0-9]([-a-z0-9]*[a-z0-9])?)["']?\s*$/m.exec(text)?.[1];
  return name && name.length <= 53 ? name : undefined;
}

/** A rendered object as a parsed manifest holds it: fields whose value is undefined are absent. */
function definedOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(definedOnly);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = definedOnly(v);
  return out;
}
