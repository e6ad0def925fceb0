import type { Node, Tree } from 'web-tree-sitter';
import { LineCounter, parseDocument } from '#yaml';
import type { Problem } from '../../errors.js';
import type { Manifest, Path, Position, TerraformSource } from '../types.js';
import {
  isKubernetesResource,
  kubernetesObjects,
  type KubernetesModulePart,
} from './terraform-kubernetes.js';
import type { DynamicBlock } from './terraform-scope.js';
import {
  isExpression,
  markWritten,
  parsedExpression,
  pathKey,
  type ForExpression,
  type Operation,
  type TerraformExpression,
} from './terraform-values.js';

/**
 * Reads Terraform (`.tf`) for `slipway check` through the tree-sitter HCL grammar, which keeps the
 * position of every node: each `resource` block becomes a Manifest whose kind is the resource type,
 * whose body is its arguments as plain data (nested blocks as lists of bodies, as `terraform show
 * -json` writes them), and whose `locate` finds any argument's line and column in the .tf text.
 * A value that is not a literal (a reference, a function call, an interpolation) is kept as
 * `{ expression: "<its text>" }`: rules read literals, and references only by their text.
 */

/** Parses HCL text into a tree-sitter tree; the CLI loads the grammar (WebAssembly) once. */
export type HclParse = (text: string) => Tree;

export const TERRAFORM_API = 'terraform';

export { isExpression, type TerraformExpression } from './terraform-values.js';

export interface ParsedTerraform {
  manifests: Manifest[];
  problems: Problem[];
  /**
   * The local modules the file calls: each `module` block's literal `source` that is a path
   * (`./x`, `../../modules/x`), relative to the file's directory. Registry and git sources are not.
   */
  calls: string[];
  /** What instantiating the file's kubernetes_* resources for a module call needs (kubernetesObjects). */
  kubernetes: KubernetesModulePart;
}

const LOCAL_SOURCE = /^\.\.?\//;

const at = (n: Node): Position => ({ line: n.startPosition.row + 1, column: n.startPosition.column + 1 });

/**
 * A directory deploys production when one of its path segments says so (`environments/production`,
 * `prod`, `prd`), as Slipway renders it and as most layouts name it.
 */
export function productionModule(module: string): boolean {
  return module.split(/[\\/]/).some((s) => /^(production|prod|prd)$/i.test(s));
}

export function parseTerraform(
  text: string,
  file: string,
  parse: HclParse,
  source: TerraformSource,
  environment?: string,
): ParsedTerraform {
  return withTree(parse, text, (tree) => {
    const problems: Problem[] = [];
    syntaxErrors(tree.rootNode, file, problems);
    const manifests: Manifest[] = [];
    const calls: string[] = [];
    const kubernetes: KubernetesModulePart = {
      resources: [],
      dynamics: new Map(),
      defaults: {},
      declared: {},
      locals: {},
      calls: [],
    };
    if (problems.length) return { manifests, problems, calls, kubernetes };
    const body = tree.rootNode.namedChildren.find((c) => c?.type === 'body');
    for (const node of body?.namedChildren ?? []) {
      if (node?.type !== 'block') continue;
      const { type, labels, body: inner } = blockParts(node);
      if (type === 'module' && labels.length === 1) {
        const written = new Map<string, Position>();
        const { source, ...args } = bodyData(file, inner, [], written);
        if (args.count !== undefined && args.for_each !== undefined) {
          problems.push(countAndForEach(`module "${labels[0]}"`, file, at(node)));
          continue;
        }
        if (typeof source === 'string' && LOCAL_SOURCE.test(source)) {
          calls.push(source);
          // Each argument's place in this file: a finding on a value the call passes is placed here.
          const positions = new Map<string, Position>();
          for (const [k, p] of written) positions.set(k, { ...p, file });
          kubernetes.calls.push({ name: labels[0]!, source, arguments: args, positions });
        }
        continue;
      }
      if (type === 'variable' && labels.length === 1) {
        const { default: value, type: declared } = bodyData(file, inner, [], new Map());
        if (value !== undefined && !isExpression(value)) kubernetes.defaults[labels[0]!] = value;
        kubernetes.declared[labels[0]!] = isExpression(declared) ? declared.expression : undefined;
        continue;
      }
      if (type === 'locals' && labels.length === 0) {
        Object.assign(kubernetes.locals, bodyData(file, inner, [], new Map()));
        continue;
      }
      if (type !== 'resource' || labels.length !== 2) continue;
      const positions = new Map<string, Position>();
      const dynamics = new Map<string, DynamicBlock>();
      const data = bodyData(file, inner, [], positions, dynamics);
      const start = at(node);
      const [kind, name] = labels as [string, string];
      if (data.count !== undefined && data.for_each !== undefined) {
        problems.push(countAndForEach(`resource "${kind}" "${name}"`, file, start));
        continue;
      }
      const resource: Manifest = {
        file,
        start,
        ref: { apiVersion: TERRAFORM_API, kind, name },
        body: data,
        docPath: [],
        locate: (path: Path) => {
          for (let n = path.length; n > 0; n--) {
            const p = positions.get(key(path.slice(0, n)));
            if (p) return p;
          }
          return start;
        },
        docKey: `${file}#${kind}.${name}`,
        terraform: source,
        ...(environment ? { environment } : {}),
      };
      manifests.push(resource);
      if (isKubernetesResource(kind)) {
        kubernetes.resources.push(resource);
        if (dynamics.size) kubernetes.dynamics.set(resource, dynamics);
      }
    }
    // The Kubernetes objects of kubernetes_* resources, judged beside them (nothing for other providers),
    // with what this file knows (the module's other files and .tfvars: TerraformModules in
    // ../sources/collect.ts converts a module's resources again with all of them).
    if (kubernetes.resources.length)
      manifests.push(
        ...kubernetesObjects(kubernetes.resources, {
          dynamics: kubernetes.dynamics,
          variables: kubernetes.defaults,
          locals: kubernetes.locals,
          types: kubernetes.declared,
        }),
      );
    return { manifests, problems, calls, kubernetes };
  });
}

const key = pathKey;

/**
 * `read` of the tree of `text`, then the tree freed: web-tree-sitter keeps trees in WebAssembly
 * memory that JavaScript's collector does not see (about 36 MB of .tf read in one process without
 * freeing ended in an abort). Readers copy out what they keep (values, positions).
 */
function withTree<T>(parse: HclParse, text: string, read: (tree: Tree) => T): T {
  const tree = parse(text);
  try {
    return read(tree);
  } finally {
    tree.delete();
  }
}

/**
 * The files Terraform reads variable values from by itself in a root module, lowest precedence
 * first (`*.auto.tfvars` and `*.auto.tfvars.json` in name order): what `terraform plan` uses
 * without `-var` or `-var-file`.
 */
export function tfvarsFiles(entries: readonly string[]): string[] {
  const auto = entries.filter((e) => /\.auto\.tfvars(\.json)?$/.test(e)).sort();
  return [...['terraform.tfvars', 'terraform.tfvars.json'].filter((e) => entries.includes(e)), ...auto];
}

/**
 * The variable values of a `.tfvars` file (`name = value` arguments) or `.tfvars.json` (an object);
 * a value that is not a literal is left out (unknown). Syntax errors are problems at file:line:col.
 */
export function parseTfvars(
  text: string,
  file: string,
  parse: HclParse,
): { values: Record<string, unknown>; problems: Problem[] } {
  const problems: Problem[] = [];
  const values: Record<string, unknown> = {};
  if (file.endsWith('.json')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      // JSON.parse names no position; the yaml library, reading JSON as the YAML it is, says where it goes wrong.
      const lines = new LineCounter();
      const error = parseDocument(text, { schema: 'json', lineCounter: lines }).errors[0];
      const { line, col } = lines.linePos(error?.pos[0] ?? 0);
      problems.push({
        message: 'not valid JSON',
        location: { file, line, column: col },
        hint: 'a .tfvars.json file holds one JSON object of variable values',
      });
      return { values, problems };
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      problems.push({
        message: 'a .tfvars.json file must hold one JSON object of variable values',
        location: { file, line: 1, column: 1 },
      });
    else Object.assign(values, data);
    return { values, problems };
  }
  return withTree(parse, text, (tree) => {
    syntaxErrors(tree.rootNode, file, problems);
    if (problems.length) return { values, problems };
    const body = tree.rootNode.namedChildren.find((c) => c?.type === 'body');
    for (const node of body?.namedChildren ?? []) {
      if (node?.type === 'block') {
        const p = at(node);
        problems.push({
          message: `a block (${blockParts(node).type}) in a variable values file`,
          location: { file, line: p.line, column: p.column },
          hint: 'a .tfvars file holds only `name = value` arguments, as terraform plan reads them',
        });
        continue;
      }
      if (node?.type !== 'attribute') continue;
      const [name, expr] = node.namedChildren as [Node, Node];
      const v = value(file, expr, [], new Map());
      if (!isExpression(v)) values[name.text] = v;
    }
    return { values, problems };
  });
}

/**
 * The value of a variable given as text on the command line (`-var name=value`) or in the
 * environment (`TF_VAR_name`), as Terraform reads it for a variable of type `type` (the declaration's
 * text): a primitive type, or none, takes the text literally (converted to a number or bool when the
 * type says so); any other type (`list(string)`, `map(any)`, `object({...})`, `any`) parses it as
 * an HCL expression (`["a", "b"]`, `{ app = "web" }`). `source` names where the text came from
 * (`--var replicas=...`, `TF_VAR_replicas`) in a problem, as is a value that is not a literal
 * (a reference or a function call), which Terraform refuses there too.
 */
export function variableValue(
  raw: string,
  type: string | undefined,
  source: string,
  parse: HclParse,
): { value: unknown; problem?: undefined } | { value?: undefined; problem: Problem } {
  switch (type?.replace(/\s+/g, '')) {
    case undefined:
    case 'string':
      return { value: raw };
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      return Number.isFinite(n)
        ? { value: n }
        : {
            problem: {
              message: `${source}: "${raw}" is not a number`,
              hint: 'the variable is declared with type = number',
            },
          };
    }
    case 'bool':
      if (raw === 'true' || raw === '1') return { value: true };
      if (raw === 'false' || raw === '0') return { value: false };
      return {
        problem: {
          message: `${source}: "${raw}" is not a bool`,
          hint: 'the variable is declared with type = bool: pass true or false',
        },
      };
    default: {
      const { values, problems } = parseTfvars(`value = ${raw}\n`, source, parse);
      if (problems.length)
        return {
          problem: {
            message: `${source}: not a valid Terraform value for a variable of type ${type}: ${raw}`,
            hint: 'write it as HCL, as in a .tfvars file (["a", "b"], { app = "web" }), and quote it for the shell',
          },
        };
      // Terraform takes no references or function calls here ("Variables not allowed").
      if (!('value' in values))
        return {
          problem: {
            message: `${source}: ${raw} is not a literal value (Terraform refuses references and function calls in -var and TF_VAR_)`,
            hint: 'write the value itself, as in a .tfvars file',
          },
        };
      return { value: values.value };
    }
  }
}

function syntaxErrors(node: Node, file: string, problems: Problem[]): void {
  if (!node.hasError && !node.isMissing) return;
  if (node.isError || node.isMissing) {
    const p = at(node);
    problems.push({
      message: node.isMissing
        ? `Terraform syntax: missing ${node.type}`
        : `Terraform syntax: unexpected ${JSON.stringify(node.text.split('\n')[0]!.slice(0, 40))}`,
      location: { file, line: p.line, column: p.column },
      hint: 'terraform validate shows the same place; fix the HCL and check again',
    });
    return;
  }
  for (const c of node.children) if (c) syntaxErrors(c, file, problems);
}

function blockParts(node: Node): { type: string; labels: string[]; body: Node | undefined } {
  const parts = node.namedChildren.filter((c): c is Node => c !== null);
  const type = parts[0]?.text ?? '';
  const labels = parts
    .slice(1)
    .filter((c) => c.type === 'string_lit' || c.type === 'identifier')
    .map((c) => (c.type === 'string_lit' ? stringText(c) : c.text));
  return { type, labels, body: parts.find((c) => c.type === 'body') };
}

function stringText(node: Node): string {
  // The text between the quotes: the grammar's template_literal leaves out leading and trailing
  // spaces (" " had no literal at all, and read as "").
  const quoted = node.text;
  if (quoted.length >= 2 && quoted.startsWith('"') && quoted.endsWith('"'))
    return unescape(quoted.slice(1, -1));
  return unescape(
    node.namedChildren
      .filter((c): c is Node => c?.type === 'template_literal')
      .map((c) => c.text)
      .join(''),
  );
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** HCL's quoted-string escapes (`\"`, `\\`, `\n`, `\uNNNN`) and the doubled `$${` / `%%{`. */
function unescape(text: string): string {
  return text.replace(
    /\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|\$\$\{|%%\{/g,
    (all, esc: string | undefined) => {
      if (esc === undefined) return all.slice(1);
      if (esc.length > 1) return String.fromCodePoint(parseInt(esc.slice(1), 16));
      return ESCAPES[esc] ?? all;
    },
  );
}

function bodyData(
  file: string,
  body: Node | undefined,
  path: Path,
  positions: Map<string, Position>,
  dynamics?: Map<string, DynamicBlock>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const node of body?.namedChildren ?? []) {
    if (!node) continue;
    if (node.type === 'attribute') {
      const [name, expr] = node.namedChildren as [Node, Node];
      positions.set(key([...path, name.text]), at(node));
      out[name.text] = value(file, expr, [...path, name.text], positions);
    } else if (node.type === 'block') {
      const parts = blockParts(node);
      const labels = parts.labels;
      let { type, body: inner } = parts;
      // `dynamic "x" { content { ... } }` generates `x` blocks: judged as the block it generates,
      // its for_each kept for kubernetesObjects, which expands it when the value is known.
      let dynamic: DynamicBlock | undefined;
      if (type === 'dynamic' && labels[0]) {
        const content = inner?.namedChildren.find(
          (c) => c?.type === 'block' && blockParts(c).type === 'content',
        );
        const { for_each: forEach, iterator } = bodyData(file, inner, [], new Map());
        dynamic = { forEach, iterator: isExpression(iterator) ? iterator.expression : labels[0] };
        type = labels[0];
        inner = content ? blockParts(content).body : undefined;
      }
      const list = (out[type] ??= []) as unknown[];
      const blockPath = [...path, type, list.length];
      if (dynamic && dynamics) dynamics.set(key(blockPath), dynamic);
      if (!positions.has(key([...path, type]))) positions.set(key([...path, type]), at(node));
      positions.set(key(blockPath), at(node));
      list.push(bodyData(file, inner, blockPath, positions, dynamics));
    }
  }
  return out;
}

/**
 * The value `expr` writes; a tuple or an expression is remembered with where it is written
 * (writtenAt), for an error Terraform reports on it.
 */
function value(file: string, expr: Node, path: Path, positions: Map<string, Position>): unknown {
  const v = literal(file, expr, path, positions);
  if (typeof v === 'object' && v !== null && (Array.isArray(v) || isExpression(v)))
    markWritten(v, { file, ...at(expr) });
  return v;
}

function literal(file: string, expr: Node, path: Path, positions: Map<string, Position>): unknown {
  // `(x)` is an expression holding an expression.
  let inner = expr;
  while (inner.type === 'expression' && inner.namedChildCount === 1) inner = inner.namedChildren[0]!;
  if (inner.type === 'literal_value') {
    const lit = inner.namedChildren[0]!;
    if (lit.type === 'bool_lit') return lit.text === 'true';
    if (lit.type === 'numeric_lit') return Number(lit.text);
    if (lit.type === 'null_lit') return null;
    if (lit.type === 'string_lit') return stringText(lit);
  }
  if (inner.type === 'template_expr') {
    const quoted = inner.namedChildren[0];
    if (
      quoted?.type === 'quoted_template' &&
      quoted.namedChildren.every(
        (c) => c?.type !== 'template_interpolation' && c?.type !== 'template_directive',
      )
    )
      return stringText(quoted);
    const template = quoted?.type === 'quoted_template' ? templateParts(file, quoted) : undefined;
    if (template) return parsedExpression(expr.text, { template });
  }
  // `name(args)`: still an expression, with its arguments read, so that the evaluator can
  // compute it when they are known (terraform-scope.ts); `f(a, list...)` expands its last argument.
  if (inner.type === 'function_call') {
    const [name, args] = inner.namedChildren;
    const parts = args?.type === 'function_arguments' ? args.namedChildren : [];
    const expanded = parts.at(-1)?.type === 'ellipsis';
    const written = expanded ? parts.slice(0, -1) : parts;
    if (name?.type === 'identifier' && written.every((c) => c?.type === 'expression'))
      return parsedExpression(expr.text, {
        call: name.text,
        args: written.map((c) => value(file, c!, [], new Map())),
        ...(expanded ? { expanded } : {}),
      });
  }
  // `a + b`, `!a`, `c ? a : b`: their operands read as values, for the evaluator to compute.
  if (inner.type === 'conditional') {
    const parts = inner.namedChildren;
    if (parts.length === 3 && parts.every((c) => c?.type === 'expression'))
      return parsedExpression(expr.text, {
        operation: { operator: '?:', operands: parts.map((c) => value(file, c!, [], new Map())) },
      });
  }
  if (inner.type === 'operation' && inner.namedChildren[0]) {
    const operation = parsedOperation(file, inner.namedChildren[0]);
    if (operation) return parsedExpression(expr.text, { operation });
  }
  if (inner.type === 'for_expr') {
    const parsed = forExpression(file, inner);
    if (parsed) return parsedExpression(expr.text, { for: parsed });
  }
  if (inner.type === 'collection_value') {
    const coll = inner.namedChildren[0]!;
    if (coll.type === 'tuple')
      return coll.namedChildren
        .filter((c): c is Node => c?.type === 'expression')
        .map((c, i) => {
          positions.set(key([...path, i]), at(c));
          return value(file, c, [...path, i], positions);
        });
    if (coll.type === 'object') {
      const out: Record<string, unknown> = {};
      for (const elem of coll.namedChildren) {
        if (elem?.type !== 'object_elem') continue;
        const k = elem.childForFieldName('key');
        const v = elem.childForFieldName('val');
        if (!k || !v) continue;
        const name = objectKey(file, k);
        if (name === undefined) continue;
        positions.set(key([...path, name]), at(elem));
        out[name] = value(file, v, [...path, name], positions);
      }
      return out;
    }
  }
  return { expression: expr.text } satisfies TerraformExpression;
}

/**
 * A quoted template's parts: its literal text (from the source between the interpolations: the
 * grammar's template_literal leaves out spaces at its ends) and each interpolation read as a value.
 * Undefined with a directive (`%{if}`) or a strip marker (`${~ x}`), which are not computed.
 */
function templateParts(file: string, quoted: Node): unknown[] | undefined {
  const parts: unknown[] = [];
  const text = quoted.text;
  let literal = 1; // after the opening quote
  for (const child of quoted.namedChildren) {
    if (!child || child.type === 'template_literal' || child.type.startsWith('quoted_template_')) continue;
    const inner = child.namedChildren;
    const expression = inner.length === 3 ? inner[1] : undefined; // ${, the expression, }
    if (child.type !== 'template_interpolation' || expression?.type !== 'expression') return undefined;
    const start = child.startIndex - quoted.startIndex;
    if (start > literal) parts.push(unescape(text.slice(literal, start)));
    parts.push(value(file, expression, [], new Map()));
    literal = child.endIndex - quoted.startIndex;
  }
  if (text.length - 1 > literal) parts.push(unescape(text.slice(literal, -1)));
  return parts;
}

/**
 * A unary or binary operation's operator and operands: the grammar writes the operator as an
 * unnamed child between the operands' nodes. An operand of one node is read as a value; a
 * reference with its steps (`var.m["k"]`: a variable_expr, then index and get_attr nodes) is the
 * expression its text is.
 */
function parsedOperation(file: string, node: Node): Operation | undefined {
  if (node.type !== 'binary_operation' && node.type !== 'unary_operation') return undefined;
  const children = node.children.filter((c): c is Node => c !== null);
  const at = children.findIndex((c) => !c.isNamed && OPERATORS.has(c.type));
  if (at < 0 || (node.type === 'unary_operation') !== (at === 0)) return undefined;
  // Parentheses are unnamed nodes beside the expression they hold.
  const sides = (at === 0 ? [children.slice(1)] : [children.slice(0, at), children.slice(at + 1)]).map(
    (nodes) => nodes.filter((c) => c.isNamed),
  );
  if (sides.some((nodes) => !nodes.length)) return undefined;
  const operand = (nodes: Node[]): unknown =>
    nodes.length === 1
      ? value(file, nodes[0]!, [], new Map())
      : {
          expression: node.text.slice(
            nodes[0]!.startIndex - node.startIndex,
            nodes.at(-1)!.endIndex - node.startIndex,
          ),
        };
  return { operator: children[at]!.type, operands: sides.map(operand) };
}

const OPERATORS = new Set(['!', '-', '*', '/', '%', '+', '>', '>=', '<', '<=', '==', '!=', '&&', '||']);

/**
 * `{ for k, v in X : K => V... if C }` or `[for v in X : V if C]`: its symbols and parts read as
 * values (no positions: one text stands for every element), for the evaluator to compute.
 */
function forExpression(file: string, node: Node): ForExpression | undefined {
  const form = node.namedChildren[0];
  const intro = form?.namedChildren.find((c) => c?.type === 'for_intro');
  if (!form || !intro) return undefined;
  const symbols = intro.namedChildren.filter((c) => c?.type === 'identifier').map((c) => c!.text);
  const collection = intro.namedChildren.find((c) => c?.type === 'expression');
  const parts = form.namedChildren.filter((c): c is Node => c?.type === 'expression');
  const condition = form.namedChildren
    .find((c) => c?.type === 'for_cond')
    ?.namedChildren.find((c) => c?.type === 'expression');
  const object = form.type === 'for_object_expr';
  if (!collection || symbols.length < 1 || symbols.length > 2 || parts.length !== (object ? 2 : 1))
    return undefined;
  const read = (n: Node) => value(file, n, [], new Map());
  return {
    ...(symbols.length === 2 ? { keySymbol: symbols[0]! } : {}),
    valueSymbol: symbols[symbols.length - 1]!,
    collection: read(collection),
    ...(object ? { key: read(parts[0]!) } : {}),
    value: read(parts[parts.length - 1]!),
    ...(condition ? { condition: read(condition) } : {}),
    grouped: form.namedChildren.some((c) => c?.type === 'ellipsis'),
  };
}

function objectKey(file: string, k: Node): string | undefined {
  const v = value(file, k, [], new Map());
  if (typeof v === 'string') return v;
  if (isExpression(v) && /^[A-Za-z_][\w-]*$/.test(v.expression)) return v.expression;
  return undefined;
}

/** A module or resource block with both `count` and `for_each`: Terraform refuses it, and so does check. */
function countAndForEach(block: string, file: string, p: Position): Problem {
  return {
    message: `${block} sets both count and for_each, which Terraform refuses (Invalid combination of "count" and "for_each")`,
    location: { file, line: p.line, column: p.column },
    hint: 'keep one: for_each for one instance per element of a map or set, count for a number of instances',
  };
}
