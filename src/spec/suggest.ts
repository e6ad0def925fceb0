/** "Did you mean" for misspelt keys, names and outputs: the closest candidate by edit distance. */

/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/** The closest candidate within a distance that still looks like a typo (a third of the word, at least 2). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** `did you mean "image"?`, else the list of what is allowed (short lists only). */
export function suggestion(
  word: string,
  candidates: readonly string[],
  what = 'allowed',
): string | undefined {
  const near = closest(word, candidates);
  if (near) return `did you mean "${near}"?`;
  if (candidates.length === 0) return undefined;
  const sorted = [...candidates].sort();
  return sorted.length <= 12
    ? `${what}: ${sorted.join(', ')}`
    : `${what}: ${sorted.slice(0, 12).join(', ')}, ...`;
}
