/**
 * A small evaluator of which jobs GitHub Actions runs for an event, written from GitHub's
 * documentation (not from any runner's code), so tests can prove what a rendered workflow graph
 * does when a job fails:
 *
 * - `on.push` with `branches` and/or `tags`: a push of a branch runs the workflow only if `branches`
 *   matches it; a push of a tag only if `tags` matches it; with only one of the two filters, pushes
 *   of the other kind do not run it ("Using filters", workflow syntax). `*` matches any characters
 *   but `/`, `**` any characters. `workflow_call` runs only when another workflow calls it.
 * - A job with `needs` runs only when every needed job succeeded, unless its `if` uses a status
 *   check function (`always()`, `failure()`, `cancelled()`, `success()`); a job without a status
 *   function in `if` is evaluated as `success() && (if)` ("Defining prerequisite jobs",
 *   "Status check functions"). A skipped job's dependents are skipped too.
 * - A job that calls a reusable workflow (`uses: ./.github/workflows/x.yml`) succeeds when every
 *   job of the called workflow succeeded or was skipped, fails when one failed; the called
 *   workflow sees the caller's `github` context ("Reusing workflows").
 * - Expressions: string comparison with `==`/`!=` ignores case; `startsWith`, `endsWith`,
 *   `contains` ignore case; `!`, `&&`, `||`, parentheses ("Expressions").
 */
import { parse } from 'yaml';

export type JobResult = 'success' | 'failure' | 'skipped';

export interface PushEvent {
  name: 'push';
  /** `refs/heads/main` or `refs/tags/v1.2.3`. */
  ref: string;
}

export interface PullRequestEvent {
  name: 'pull_request';
  ref: string;
}

export type GitHubEvent = PushEvent | PullRequestEvent;

interface WorkflowDoc {
  on: Record<string, { branches?: string[]; tags?: string[] } | null>;
  jobs: Record<string, { needs?: string | string[]; if?: string; uses?: string; steps?: unknown[] }>;
}

function glob(pattern: string): RegExp {
  const body = pattern
    .split('**')
    .map((part) =>
      part
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*'),
    )
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** Whether `event` starts a run of this workflow. */
export function triggers(workflow: WorkflowDoc, event: GitHubEvent): boolean {
  if (!(event.name in workflow.on)) return false;
  if (event.name !== 'push') return true;
  const filter = workflow.on.push ?? {};
  if (!filter.branches && !filter.tags) return true;
  const branch = /^refs\/heads\/(.+)$/.exec(event.ref)?.[1];
  const tag = /^refs\/tags\/(.+)$/.exec(event.ref)?.[1];
  if (branch !== undefined) return (filter.branches ?? []).some((p) => glob(p).test(branch));
  if (tag !== undefined) return (filter.tags ?? []).some((p) => glob(p).test(tag));
  return false;
}

export interface RunInput {
  /** Every workflow file by its path in the repository (`.github/workflows/ci.yml`). */
  files: Map<string, string>;
  event: GitHubEvent;
  /** What each job that runs steps ends with; jobs not named succeed. Keys: `workflow.yml#job`. */
  outcomes?: Record<string, JobResult>;
}

/** Every job's result (`cd.yml#deploy-staging`), jobs of called workflows as `cd.yml>ci.yml#test-api`. */
export function simulate(path: string, input: RunInput): Map<string, JobResult> {
  const results = new Map<string, JobResult>();
  const workflow = parse(input.files.get(path)!) as WorkflowDoc;
  if (!triggers(workflow, input.event)) return results;
  runJobs(path, workflow, input, results, '');
  return results;
}

function runJobs(
  path: string,
  workflow: WorkflowDoc,
  input: RunInput,
  results: Map<string, JobResult>,
  prefix: string,
): Map<string, JobResult> {
  const file = path.split('/').pop()!;
  const own = new Map<string, JobResult>();
  const pending = new Set(Object.keys(workflow.jobs));
  while (pending.size) {
    const ready = [...pending].find((name) => needsOf(workflow.jobs[name]!).every((n) => own.has(n)));
    if (!ready) throw new Error(`${path}: a cycle or unknown job in needs among ${[...pending].join(', ')}`);
    pending.delete(ready);
    const job = workflow.jobs[ready]!;
    const needs = Object.fromEntries(needsOf(job).map((n) => [n, own.get(n)!]));
    const context: Context = {
      github: { ref: input.event.ref, event_name: input.event.name },
      needs: Object.fromEntries(Object.entries(needs).map(([k, v]) => [k, { result: v }])),
      status: Object.values(needs),
    };
    const condition = job.if ?? 'success()';
    const expression = /\b(success|failure|always|cancelled)\(\)/.test(condition)
      ? condition
      : `success() && (${condition})`;
    let result: JobResult;
    if (!truthy(evaluate(expression.replace(/^\$\{\{|\}\}$/g, ''), context))) result = 'skipped';
    else if (job.uses?.startsWith('./')) {
      const called = job.uses.slice(2);
      const text = input.files.get(called);
      if (!text) throw new Error(`${path}#${ready}: ${called} does not exist`);
      const inner = runJobs(called, parse(text) as WorkflowDoc, input, results, `${prefix}${file}>`);
      result = [...inner.values()].includes('failure') ? 'failure' : 'success';
    } else result = input.outcomes?.[`${file}#${ready}`] ?? 'success';
    own.set(ready, result);
    results.set(`${prefix}${file}#${ready}`, result);
  }
  return own;
}

function needsOf(job: { needs?: string | string[] }): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

interface Context {
  github: Record<string, string>;
  needs: Record<string, { result: JobResult }>;
  status: JobResult[];
}

type Value = string | number | boolean | null | undefined | Record<string, unknown>;

function truthy(v: Value): boolean {
  return v !== false && v !== null && v !== undefined && v !== 0 && v !== '';
}

function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

const TOKEN = /\s*(?:('(?:[^']|'')*')|(&&|\|\||==|!=|!|\(|\)|,)|([A-Za-z_][\w.-]*)|(\d+(?:\.\d+)?))/y;

/** Evaluates a GitHub expression of the subset the rendered workflows use. */
export function evaluate(source: string, context: Context): Value {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  const text = source.trim();
  while (TOKEN.lastIndex < text.length) {
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`cannot read expression at ${TOKEN.lastIndex}: ${text}`);
    tokens.push(m[0].trim());
  }
  let i = 0;
  const peek = () => tokens[i];
  const take = (t?: string) => {
    const tok = tokens[i++];
    if (t !== undefined && tok !== t) throw new Error(`expected ${t}, got ${tok} in ${text}`);
    return tok!;
  };
  const or = (): Value => {
    let v = and();
    while (peek() === '||') {
      take();
      const r = and();
      v = truthy(v) ? v : r;
    }
    return v;
  };
  const and = (): Value => {
    let v = comparison();
    while (peek() === '&&') {
      take();
      const r = comparison();
      v = truthy(v) ? r : v;
    }
    return v;
  };
  const comparison = (): Value => {
    const v = unary();
    if (peek() === '==' || peek() === '!=') {
      const op = take();
      const r = unary();
      return op === '==' ? equal(v, r) : !equal(v, r);
    }
    return v;
  };
  const unary = (): Value => {
    if (peek() === '!') {
      take();
      return !truthy(unary());
    }
    return primary();
  };
  const primary = (): Value => {
    const tok = take();
    if (tok === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (tok.startsWith("'")) return tok.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(tok)) return Number(tok);
    if (tok === 'true' || tok === 'false') return tok === 'true';
    if (tok === 'null') return null;
    if (peek() === '(') {
      take('(');
      const args: Value[] = [];
      while (peek() !== ')') {
        args.push(or());
        if (peek() === ',') take(',');
      }
      take(')');
      return call(tok, args, context);
    }
    let v: unknown = context;
    for (const part of tok.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
    return v as Value;
  };
  const value = or();
  if (i !== tokens.length) throw new Error(`unexpected ${tokens[i]} in ${text}`);
  return value;
}

function call(name: string, args: Value[], context: Context): Value {
  const str = (v: Value) => String(v ?? '').toLowerCase();
  switch (name) {
    case 'success':
      return context.status.every((s) => s === 'success');
    case 'failure':
      return context.status.includes('failure');
    case 'always':
      return true;
    case 'cancelled':
      return false;
    case 'startsWith':
      return str(args[0]).startsWith(str(args[1]));
    case 'endsWith':
      return str(args[0]).endsWith(str(args[1]));
    case 'contains':
      return str(args[0]).includes(str(args[1]));
    default:
      throw new Error(`function ${name}() is not modelled`);
  }
}
