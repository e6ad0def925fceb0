/**
 * Findings in a kustomize directory at the base or overlay file and line that declared the object,
 * never at a line of the build output under the directory's name. The directory is built through a
 * wrapper kustomization (`buildMetadata: [originAnnotations]`) in a scratch directory, so kustomize
 * records on every object the file it came from (`config.kubernetes.io/origin`), and the checker
 * places each field in that file's matching document. A field the base does not have (set by a patch
 * or a transformer of an overlay) points at the nearest enclosing field of the base document.
 */
import { dirname, resolve } from 'node:path';
import { parse } from '#yaml';
import { isObj } from '../access.js';
import { parseManifests } from '../load/parse.js';
import type { Manifest, Path } from '../types.js';
import type { InputHost } from './host.js';

export const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';

/** The wrapper's kustomization: the directory to build (relative: kustomize refuses absolute roots). */
export function wrapperKustomization(relativeTarget: string): string {
  return `resources:\n  - ${JSON.stringify(relativeTarget)}\nbuildMetadata: [originAnnotations]\n`;
}

/** The object without the annotation the wrapper added (rules see what kustomize alone would build). */
function withoutOrigin(body: Record<string, unknown>): Record<string, unknown> {
  const meta = isObj(body.metadata) ? body.metadata : undefined;
  const annotations = meta && isObj(meta.annotations) ? meta.annotations : undefined;
  if (!meta || !annotations || !(ORIGIN_ANNOTATION in annotations)) return body;
  const { [ORIGIN_ANNOTATION]: _origin, ...rest } = annotations;
  void _origin;
  const { annotations: _all, ...others } = meta;
  void _all;
  return { ...body, metadata: Object.keys(rest).length ? { ...others, annotations: rest } : others };
}

/** The absolute file an object's origin annotation names, when it names a local file. */
function originFile(body: Record<string, unknown>, scratch: string): string | undefined {
  const meta = isObj(body.metadata) ? body.metadata : undefined;
  const annotations = meta && isObj(meta.annotations) ? meta.annotations : undefined;
  const text = annotations?.[ORIGIN_ANNOTATION];
  if (typeof text !== 'string') return undefined;
  let origin: unknown;
  try {
    origin = parse(text);
  } catch {
    return undefined;
  }
  if (!isObj(origin) || origin.repo !== undefined) return undefined;
  const path = typeof origin.path === 'string' ? origin.path : origin.configuredIn;
  return typeof path === 'string' ? resolve(scratch, path) : undefined;
}

/**
 * Manifests of the build placed in their origin files: the document of the same kind whose name the
 * built name contains (namePrefix/nameSuffix), else the only one of that kind. Objects without a
 * readable origin point at the directory's kustomization file, line 1.
 */
export function placeAtOrigins(
  built: Manifest[],
  scratch: string,
  kustomization: string,
  host: InputHost,
  display: (p: string) => string,
): Manifest[] {
  const parsedFiles = new Map<string, Manifest[]>();
  const documentsOf = (file: string): Manifest[] => {
    if (!parsedFiles.has(file)) {
      const ok = host.exists(file) && !host.isDirectory(file);
      parsedFiles.set(file, ok ? parseManifests(host.readFile(file), display(file)).manifests : []);
    }
    return parsedFiles.get(file) ?? [];
  };
  return built.map((m) => {
    const body = withoutOrigin(m.body);
    const file = originFile(m.body, scratch);
    const candidates = file ? documentsOf(file).filter((d) => d.ref.kind === m.ref.kind) : [];
    const source =
      candidates.find((d) => d.ref.name === m.ref.name) ??
      candidates.find((d) => d.ref.name !== '' && m.ref.name.includes(d.ref.name)) ??
      (candidates.length === 1 ? candidates[0] : undefined);
    if (source) {
      return {
        ...m,
        body,
        file: source.file,
        via: display(dirname(kustomization)),
        start: source.start,
        locate: (path: Path) => source.locate(path),
      };
    }
    const where = display(file ?? kustomization);
    const top = { line: 1, column: 1 };
    return { ...m, body, file: where, start: top, locate: () => top };
  });
}
