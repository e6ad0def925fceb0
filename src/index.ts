/**
 * Slipway as a library (`import { ... } from 'slipway'`): load a spec, render it, check objects,
 * deploy an environment, from a build script or a test. These names are the package's public
 * surface (package.json `exports`); everything else may change between versions. docs/library.md
 * has a worked example.
 */
export { loadSpec } from './cli/load-spec.js';
export { parseSpec, resolveEnvironment, environmentNames, specJsonSchema } from './spec/index.js';
export type { App, ResolvedApp } from './spec/index.js';
export { renderApp, manifestsYaml, type RenderResult, type RenderOptions } from './render/index.js';
export type { FormatOutput, FormatWarning } from './cli/formats.js';
export {
  checkYaml,
  renderFormat,
  deployEnvironment,
  type CheckYamlOptions,
  type CheckYamlResult,
  type RenderFormatOptions,
  type DeployOptions,
} from './api.js';
export type { Finding, Severity } from './policy/types.js';
export type { DeployEvent } from './engine/context.js';
export type { DeployResult } from './engine/deploy.js';
export { UserError, UserErrors, type Problem } from './errors.js';
export type { KubeObject } from '@slipway/kube';
