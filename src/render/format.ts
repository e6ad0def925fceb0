/**
 * What a format writer is: a pure function from the rendered environments to files (see
 * formats.ts, the registry). Writers import these types and helpers from here, never the registry.
 */
import type { NamedObject } from '@slipway/kube';
import type { ResolvedApp } from '../spec/resolved.js';
import type { App } from '../spec/schema.js';
import type { PodSecurityLevel } from './objects/namespace.js';

export interface RenderedEnvironment {
  environment: string;
  app: ResolvedApp;
  objects: NamedObject[];
  /**
   * The strictest Pod Security Standards level every pod of `objects` meets (the CLI computes it
   * with the policy's evaluator); writers label the namespace with it. Absent: no namespace labels.
   */
  podSecurity?: PodSecurityLevel;
}

export interface FormatInput {
  /** The spec as written (before environment overlays), for names, version and descriptions. */
  spec: App;
  /** Every environment the writer's scope asks for, in the order the spec declares them. */
  environments: RenderedEnvironment[];
  /** Repository files the spec names (`config[].from`), read by the CLI next to slipway.yaml. */
  files?: Record<string, string>;
  /** The directories among the writer's `wants` (paths ending in `/`) that exist next to slipway.yaml. */
  directories?: string[];
  /** slipway.yaml relative to the repository root, for writers that emit commands run from it (workflows). */
  specPath?: string;
  /** The Slipway that renders: the version (and tarball integrity) the workflows install; the workflows writer needs it. */
  slipway?: SlipwayRelease;
}

/** A Slipway version and, when npm installed it, the integrity of its tarball (`sha512-...`). */
export interface SlipwayRelease {
  version: string;
  integrity?: string;
}

/** A field the target format cannot express, named so the user can act on it. */
export interface FormatWarning {
  format: string;
  /** Dotted path of the field (`services.api.volumes`) or the object (`Deployment/api`). */
  path: string;
  message: string;
}

export interface FormatOutput {
  /** Relative path -> file content. Sorted insertion order, so output is deterministic. */
  files: Map<string, string>;
  warnings: FormatWarning[];
}

export interface FormatWriter {
  name: string;
  description: string;
  /**
   * `environment`: the one environment named by --env (or the only one declared); `each`: that, or
   * with --out and no --env every environment, a file each; `all`: every environment, one artifact.
   */
  scope: 'environment' | 'each' | 'all';
  /** Whether the output is one stream that may go to stdout when no --out is given. */
  stdout: boolean;
  /**
   * Repository files (relative to slipway.yaml) the writer wants to see when they exist, such as
   * go.mod or package.json for language detection; the CLI adds those present to `files`. A path
   * ending in `/` names a directory: the CLI lists it in `directories` when it exists.
   */
  wants?(spec: App): string[];
  write(input: FormatInput): FormatOutput;
}

/** Objects as JSON data: render leaves optional fields `undefined`, which are not fields at all. */
export function plainObjects<T>(objects: T[]): T[] {
  return JSON.parse(JSON.stringify(objects)) as T[];
}
