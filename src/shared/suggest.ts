/**
 * Names close to a mistyped one, best first: by edit distance (a swap of two neighbouring letters
 * counts as one edit), within about a third of the name's length, or names that start with it.
 */
export function suggestNames(input: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(1, Math.floor(input.length / 3));
  return [...new Set(candidates)]
    .map((name) => ({ name, distance: editDistance(input, name) }))
    .filter(({ name, distance }) => distance <= limit || (input.length >= 2 && name.startsWith(input)))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, max)
    .map(({ name }) => name);
}

/** ` Did you mean "a"?` (or `"a" or "b"`) for an error message, or an empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const names = suggestNames(input, candidates).map((name) => `"${name}"`);
  if (names.length === 0) return '';
  const last = names.pop()!;
  return ` Did you mean ${names.length > 0 ? `${names.join(', ')} or ${last}` : last}?`;
}

/** Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one substring). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
