// "did you mean" hints: a typo in a key or a name is the most common config mistake.

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: { name: string; distance: number } | undefined;
  const lower = word.toLowerCase();
  // "prod" for "production" is an abbreviation, far in edits but obvious to a reader.
  const abbreviated = [...candidates].filter((name) => lower.length >= 3 && name.toLowerCase().startsWith(lower));
  if (abbreviated.length === 1) return abbreviated[0];
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

export const didYouMean = (word: string, candidates: Iterable<string>): string => {
  const match = closest(word, candidates);
  return match ? ` — did you mean '${match}'?` : '';
};

/**
 * One line per unknown key, each starting with the key itself so the issue formatter can append it
 * to the object's path ("suites.demo.retires: unknown key — did you mean 'retries'?").
 */
export const unknownKeyMessages = (keys: string[], known: string[]): string => keys.map((key) => `${key}: unknown key${didYouMean(key, known)}`).join('\n');
