import { isCollection, isScalar, type Document } from '#yaml';
import type { PlannedFix } from '../engine.js';
import type { ParsedFile } from '../load/parse.js';
import type { Path } from '../types.js';

/**
 * `--fix`: applies planned edits to the YAML Document of each affected `---` section (yaml's Document
 * API keeps comments, key order, quoting and blank lines) and splices only those sections back into the
 * original text, so untouched documents stay byte-identical. Returns undefined when nothing changed.
 */
export function applyFixes(
  file: ParsedFile,
  fixes: readonly PlannedFix[],
): { text: string; applied: number } | undefined {
  const byDoc = new Map<number, PlannedFix[]>();
  for (const f of fixes) {
    const hash = f.docKey.lastIndexOf('#');
    if (f.docKey.slice(0, hash) !== file.file) continue;
    const index = Number(f.docKey.slice(hash + 1));
    byDoc.set(index, [...(byDoc.get(index) ?? []), f]);
  }
  if (byDoc.size === 0) return undefined;
  const indentSeq = detectIndentSeq(file.text);
  const flowCollectionPadding = /[[{] \S/.test(file.text);
  let text = file.text;
  let applied = 0;
  const documents = file.documents();
  // Splice from the last document backwards so earlier offsets stay valid.
  for (const index of [...byDoc.keys()].sort((a, b) => b - a)) {
    const doc = documents[index];
    if (!doc) continue;
    for (const fix of byDoc.get(index) ?? [])
      for (const op of fix.ops) applied += setPath(doc, op.path, op.value) ? 1 : 0;
    // Document.toString also writes the comments above the document's range (which yaml attaches to the
    // document or its contents), so the replaced section starts where the previous document ends.
    const start = index > 0 ? (documents[index - 1]?.range[2] ?? doc.range[0]) : 0;
    const end = doc.range[2];
    const original = text.slice(start, end);
    let rendered = doc.toString({ lineWidth: 0, indentSeq, flowCollectionPadding, directives: null });
    // Document.toString re-emits the `---` marker only if the source had one; keep the original's choice.
    if (!/^---/.test(original.trimStart()) && rendered.startsWith('---\n')) rendered = rendered.slice(4);
    if (!original.endsWith('\n') && rendered.endsWith('\n')) rendered = rendered.slice(0, -1);
    text = text.slice(0, start) + rendered + text.slice(end);
  }
  return applied > 0 ? { text, applied } : undefined;
}

/** Sets `value` at `path`, creating missing (or null) parents as mappings. Returns false if already equal. */
function setPath(doc: Document.Parsed, path: Path, value: unknown): boolean {
  const current = doc.getIn(path);
  if (JSON.stringify(current) === JSON.stringify(value)) return false;
  for (let i = 1; i < path.length; i++) {
    const parent = doc.getIn(path.slice(0, i), true);
    if (parent === undefined || (isScalar(parent) && (parent.value === null || parent.value === undefined))) {
      doc.setIn(path.slice(0, i), doc.createNode({}));
    } else if (!isCollection(parent)) return false;
  }
  doc.setIn(path, doc.createNode(value));
  return true;
}

/** Does the file indent block sequences under their key (`key:\n  - a`) or not (`key:\n- a`)? */
function detectIndentSeq(text: string): boolean {
  const m = /^( *)[^\s#-][^\n]*:[ \t]*\n( *)- /m.exec(text);
  return m ? (m[2] as string).length > (m[1] as string).length : true;
}
