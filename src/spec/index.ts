/**
 * The spec module's public API: parse and validate slipway.yaml, resolve one environment, and the
 * JSON Schema for editors. Pure except loadSpec, which reads the file.
 */
export { parseSpec, sourceOf } from './parse.js';
export { resolveEnvironment, mergeEnvironment, environmentNames, DEFAULT_ENVIRONMENT } from './resolve.js';
export { withSpecPositions } from './located.js';
export { specJsonSchema, specJsonSchemaText } from './json-schema.js';
export {
  parseReferences,
  checkReferences,
  DEPENDENCY_OUTPUTS,
  SERVICE_OUTPUTS,
  type ParsedReference,
} from './references.js';
export * from './schema.js';
export type { ResolvedApp } from './resolved.js';
