import type { Problem } from '../errors.js';
import type { ResolvedApp } from '../spec/resolved.js';
import type { RenderWarning } from './kube.js';

export interface RenderOptions {
  /**
   * Image tag per service (a tag such as `1.4.2`, or a digest `sha256:...`). Else the tag in the
   * spec's image, else the app version; with none of these render fails rather than use `latest`.
   */
  images?: Record<string, string>;
  /** Contents of config files named by `config[].from`, keyed by that path (read by the CLI, not by render). */
  files?: Record<string, string>;
}

/** What every render function may consult and where it reports; rendering stays a pure function. */
export interface RenderContext {
  app: ResolvedApp;
  opts: RenderOptions;
  warnings: RenderWarning[];
  problems: Problem[];
}

export function newContext(app: ResolvedApp, opts: RenderOptions = {}): RenderContext {
  return { app, opts, warnings: [], problems: [] };
}

export function warn(ctx: RenderContext, path: string, message: string): void {
  ctx.warnings.push({ path, message });
}

export function fail(ctx: RenderContext, path: string, message: string, hint?: string): void {
  ctx.problems.push({ path, message, hint });
}
