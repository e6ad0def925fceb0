/**
 * The real tools as judges: helm v4 and kubectl v1.33 from the npm layer package. Each check
 * writes the artifact to a temporary folder, runs the tool once per environment (two at a time)
 * and returns what render produced next to what the tool produced, both normalised alike.
 */
import type { NamedObject } from '@slipway/kube';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FormatInput } from '../../src/cli/formats.js';
import { writeHelmChart } from '../../src/render/helm/index.js';
import { installSecrets } from '../../src/render/install-secrets.js';
import { helm, kubectl } from '../helpers/kube-tools.js';
import { byIdentity, parseStream, plain, withoutHelmHooks, writeTree } from './compare.js';

export interface Judged {
  environment: string;
  expected: NamedObject[];
  actual: NamedObject[];
  /** What the tool made that render does not, by name: install Secrets (credentials; for kustomize also services') and the kustomize Namespace. */
  generated: string[];
  /** What installSecrets says it should make. */
  expectedGenerated: string[];
}

/** Splits the tool's objects into the install Secrets `names` and the rest. */
function splitGenerated(
  objects: NamedObject[],
  names: string[],
): { rest: NamedObject[]; generated: string[] } {
  const isGenerated = (o: NamedObject) =>
    (o.kind === 'Secret' || o.kind === 'Namespace') && names.includes(o.metadata.name);
  return {
    rest: objects.filter((o) => !isGenerated(o)),
    generated: objects
      .filter(isGenerated)
      .map((o) => o.metadata.name)
      .sort(),
  };
}

/** Runs `task` over `items`, at most `limit` at a time (the machine has two cores). */
export async function inPairs<T, R>(items: T[], task: (item: T) => Promise<R>, limit = 2): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-writers-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `helm lint --strict` with each values file; returns the lint output of any failure. */
export async function helmLint(chartDir: string, input: FormatInput): Promise<string[]> {
  const runs = [[], ...input.environments.map((e) => ['-f', join(chartDir, `values-${e.environment}.yaml`)])];
  const failures = await inPairs(runs, async (extra) => {
    try {
      await helm(['lint', '--strict', chartDir, ...extra]);
      return undefined;
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  });
  return failures.filter((f): f is string => f !== undefined);
}

export async function judgeHelm(input: FormatInput, chartDir: string): Promise<Judged[]> {
  await writeTree(chartDir, writeHelmChart(input).files);
  return inPairs(input.environments, async (env) => {
    const { stdout } = await helm([
      'template',
      input.spec.app,
      chartDir,
      '-f',
      join(chartDir, `values-${env.environment}.yaml`),
      '--namespace',
      env.app.namespace,
    ]);
    const names = installSecrets(env.app).credentials.map((c) => c.name);
    const { rest, generated } = splitGenerated(withoutHelmHooks(parseStream(stdout)), names);
    return {
      environment: env.environment,
      expected: byIdentity(plain(env.objects)),
      actual: byIdentity(rest),
      generated,
      expectedGenerated: [...names].sort(),
    };
  });
}

export async function judgeKustomize(
  input: FormatInput,
  dir: string,
  files: Map<string, string>,
): Promise<Judged[]> {
  // The env files a user writes from the examples beside them (the overlay's README.md).
  const filled = new Map(
    [...files].flatMap(([path, text]) => (path.endsWith('.env.example') ? [[path.slice(0, -8), text]] : [])),
  );
  await writeTree(dir, new Map([...files, ...filled]));
  return inPairs(input.environments, async (env) => {
    const { stdout } = await kubectl(['kustomize', join(dir, 'overlays', env.environment)]);
    const wanted = installSecrets(env.app);
    const names = [
      ...[...wanted.credentials, ...wanted.services].map((s) => s.name),
      ...(env.podSecurity ? [env.app.namespace] : []),
    ];
    const { rest, generated } = splitGenerated(parseStream(stdout), names);
    return {
      environment: env.environment,
      expected: byIdentity(plain(env.objects)),
      actual: byIdentity(rest),
      generated,
      expectedGenerated: [...names].sort(),
    };
  });
}
