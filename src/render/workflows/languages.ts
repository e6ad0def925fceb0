/**
 * Which toolchain lints and tests a service: `build.language` when the spec says, otherwise
 * detected from the marker files in the build context (go.mod, package.json, pyproject.toml or
 * requirements.txt, Cargo.toml, pom.xml/build.gradle). Detection needs to know which files
 * exist, which is I/O; the writer receives that knowledge as data (`RepositoryFiles`), so it
 * stays a pure function and tests pass a plain list.
 */
import { posix } from 'node:path';
import type { App } from '../../spec/schema.js';

export type Language = 'go' | 'node' | 'python' | 'java' | 'rust' | 'other';

/** Files that exist in the repository, as paths relative to the directory of slipway.yaml. */
export interface RepositoryFiles {
  has(path: string): boolean;
}

export function filesOf(paths: Iterable<string>): RepositoryFiles {
  const set = new Set([...paths].map((p) => posix.normalize(p)));
  return { has: (path) => set.has(posix.normalize(path)) };
}

/** First match wins: a Go module with a package.json for its web assets is still a Go service. */
export const LANGUAGE_MARKERS: readonly (readonly [file: string, language: Language])[] = [
  ['go.mod', 'go'],
  ['Cargo.toml', 'rust'],
  ['pyproject.toml', 'python'],
  ['requirements.txt', 'python'],
  ['package.json', 'node'],
  ['pom.xml', 'java'],
  ['build.gradle', 'java'],
  ['build.gradle.kts', 'java'],
];

export interface ServiceLanguage {
  language: Language;
  /** `spec` when build.language says so, `detected` from a marker file, `unknown` otherwise. */
  source: 'spec' | 'detected' | 'unknown';
  /** The marker files present in the context, relative to slipway.yaml (e.g. `api/package.json`). */
  markers: string[];
}

export function markerPaths(context: string): string[] {
  return LANGUAGE_MARKERS.map(([file]) => posix.join(context, file));
}

/** Every path detection may look at, so the CLI can read exactly those and nothing else. */
export function markerPathsOf(spec: App): string[] {
  const paths = new Set<string>();
  for (const service of Object.values(spec.services)) {
    if (service.build) for (const p of markerPaths(service.build.context)) paths.add(posix.normalize(p));
  }
  return [...paths];
}

export function serviceLanguage(
  context: string,
  declared: Language | undefined,
  files: RepositoryFiles,
): ServiceLanguage {
  const markers = markerPaths(context)
    .filter((p) => files.has(p))
    .map((p) => posix.normalize(p));
  if (declared) return { language: declared, source: 'spec', markers };
  for (const [file, language] of LANGUAGE_MARKERS) {
    if (files.has(posix.join(context, file))) return { language, source: 'detected', markers };
  }
  return { language: 'other', source: 'unknown', markers };
}
