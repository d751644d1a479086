import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ceilDiv,
  greedyDedupe,
  minOverlap,
  prefixLength,
  reachesThreshold,
  similarityJoin,
  sizeBounds,
  toThreshold,
} from '../../src/memory/similarity.js';
import { buildWordSets, jaccard, setSize, splitWords, wordSet } from '../../src/memory/tokens.js';

// The rule as the SPEC states it, in floating point like the Python original; an empty word set is
// never a duplicate (which only matters at threshold 0, where 0 >= 0).
function similar(a: Set<string>, b: Set<string>, threshold: number): boolean {
  return a.size > 0 && b.size > 0 && jaccard(a, b) >= threshold;
}

function naiveKeep(texts: readonly string[], threshold: number): boolean[] {
  const kept: Set<string>[] = [];
  return texts.map((text) => {
    const words = wordSet(text);
    if (kept.some((k) => similar(words, k, threshold))) return false;
    kept.push(words);
    return true;
  });
}

function naivePairs(texts: readonly string[], threshold: number): string[] {
  const sets = texts.map(wordSet);
  const pairs: string[] = [];
  for (let j = 0; j < sets.length; j++) {
    for (let i = 0; i < j; i++) if (similar(sets[i]!, sets[j]!, threshold)) pairs.push(`${i},${j}`);
  }
  return pairs;
}

function joinPairs(texts: readonly string[], threshold: number): string[] {
  const flat = similarityJoin(buildWordSets(texts), threshold);
  const pairs: string[] = [];
  for (let k = 0; k < flat.length; k += 2) pairs.push(`${flat[k]},${flat[k + 1]}`);
  return pairs;
}

// A small vocabulary (so that near duplicates are common), repeated words, Unicode, odd spacing.
const VOCABULARY = ['the', 'deploy', 'fixed', 'bug', 'gateway', 'API', 'api', 'Api', 'memory', 'store', 'x',
  '修复', '部署', 'café', 'CAFÉ', 'naïve', '🚀', 'ΣΊΣΥΦΟΣ', 'σίσυφος', 'straße', 'İstanbul', 'a', 'b', 'c', 'd', 'e'];
const word = fc.constantFrom(...VOCABULARY);
const space = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u3000', '\x1c', '\u2003');
const text = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t') },
  { weight: 8, arbitrary: fc.array(fc.tuple(word, space), { maxLength: 14 }).map((parts) => parts.map(([w, s]) => w + s).join('')) },
);
// A store where many texts are edits of earlier ones: drop, add or repeat a word.
const store = fc
  .array(fc.tuple(text, fc.nat(), fc.constantFrom('keep', 'drop', 'add', 'repeat', 'fresh')), { minLength: 1, maxLength: 120 })
  .map((rows) => {
    const texts: string[] = [];
    for (const [fresh, pick, edit] of rows) {
      const base = texts.length > 0 && edit !== 'fresh' ? texts[pick % texts.length]! : fresh;
      const words = base.split(' ');
      if (edit === 'drop' && words.length > 1) words.splice(pick % words.length, 1);
      if (edit === 'add') words.push(VOCABULARY[pick % VOCABULARY.length]!);
      if (edit === 'repeat' && words.length > 0) words.push(words[pick % words.length]!);
      texts.push(words.join(' '));
    }
    return texts;
  });

const THRESHOLDS = [0.9, 0.85, 0.5, 0.3, 0.7, 0.75, 1, 0.05, 0.333333, 0];

describe('word sets', () => {
  it('split like Python: lower-cased, on Unicode whitespace, no empty words', () => {
    expect(splitWords('  Deploy\tthe\u00a0API\x1cnow \n')).toEqual(['deploy', 'the', 'api', 'now']);
    expect(splitWords('')).toEqual([]);
    expect(splitWords(' \n ')).toEqual([]);
    expect(wordSet('a A a b').size).toBe(2);
  });

  it('orders tokens rarest first and removes repeated words', () => {
    const sets = buildWordSets(['common rare common', 'common', 'common other', 42, undefined]);
    expect(sets.count).toBe(5);
    expect(Array.from(sets.offsets)).toEqual([0, 2, 3, 5, 5, 5]);
    const common = sets.tokens[2];
    expect(sets.tokens[1]).toBe(common);
    expect(sets.tokens[0]).toBeLessThan(common!);
  });
});

describe('integer threshold arithmetic', () => {
  it('turns decimals into exact fractions', () => {
    expect(toThreshold(0.9)).toEqual({ p: 9, q: 10 });
    expect(toThreshold(0.85)).toEqual({ p: 17, q: 20 });
    expect(toThreshold(1)).toEqual({ p: 1, q: 1 });
    expect(toThreshold(0)).toEqual({ p: 0, q: 1 });
    expect(() => toThreshold(1.5)).toThrow(RangeError);
    expect(() => toThreshold(1 / 3)).toThrow(/decimal places/);
    expect(() => toThreshold(Number.NaN)).toThrow(RangeError);
  });

  it('computes bounds that a float ceil gets wrong', () => {
    // 0.55 * 100 is 55.00000000000001 in floating point: Math.ceil gives 56 and would drop a
    // 55-word set that is a subset of a 100-word one (Jaccard exactly 0.55).
    expect(Math.ceil(0.55 * 100)).toBe(56);
    const t = toThreshold(0.55);
    expect(sizeBounds(100, t).min).toBe(55);
    expect(prefixLength(100, t)).toBe(46);
    expect(reachesThreshold(55, 55, 100, t)).toBe(true);
    const subset = Array.from({ length: 55 }, (_, i) => `w${i}`).join(' ');
    const superset = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
    expect(Array.from(similarityJoin(buildWordSets([superset, subset]), 0.55))).toEqual([0, 1]);
    expect(ceilDiv(21, 7)).toBe(3);
    expect(ceilDiv(22, 7)).toBe(4);
  });

  it('agrees with the floating-point comparison for every small size', () => {
    for (const threshold of THRESHOLDS) {
      const t = toThreshold(threshold);
      for (let a = 1; a <= 40; a++) {
        for (let b = 1; b <= 40; b++) {
          for (let o = 0; o <= Math.min(a, b); o++) {
            expect(reachesThreshold(o, a, b, t)).toBe(o / (a + b - o) >= threshold);
            if (o / (a + b - o) >= threshold) expect(o).toBeGreaterThanOrEqual(minOverlap(a, b, t));
          }
        }
      }
    }
  });
});

describe('similarityJoin', () => {
  for (const threshold of THRESHOLDS) {
    it(`finds exactly the pairs brute force finds at ${threshold}`, () => {
      fc.assert(
        fc.property(store, (texts) => {
          expect(joinPairs(texts, threshold)).toEqual(naivePairs(texts, threshold));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('never pairs empty sets', () => {
    expect(joinPairs(['', ' ', 'a', 'a'], 0)).toEqual(['2,3']);
    expect(joinPairs(['', ''], 1)).toEqual([]);
  });
});

describe('greedyDedupe', () => {
  for (const threshold of THRESHOLDS) {
    it(`keeps exactly what the naive loop keeps at ${threshold}`, () => {
      fc.assert(
        fc.property(store, (texts) => {
          const kept = Array.from(greedyDedupe(buildWordSets(texts), threshold), (flag) => flag === 1);
          expect(kept).toEqual(naiveKeep(texts, threshold));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('keeps an entry that duplicates only a dropped entry', () => {
    // b is within 0.5 of a and dropped; c is within 0.5 of b but not of a, so c stays.
    const texts = ['w1 w2 w3 w4', 'w1 w2 w3 w4 w5 w6', 'w3 w4 w5 w6 w7 w8'];
    expect(Array.from(greedyDedupe(buildWordSets(texts), 0.5))).toEqual([1, 0, 1]);
    expect(naiveKeep(texts, 0.5)).toEqual([true, false, true]);
  });

  for (const threshold of [0.85, 0.9, 0.5]) {
    it(`with pinned sets, drops exactly what the naive capture loop drops at ${threshold}`, () => {
      fc.assert(
        fc.property(store, fc.nat(), (texts, cut) => {
          const pinned = cut % (texts.length + 1);
          const keptSets = texts.slice(0, pinned).map(wordSet);
          const expected = texts.map((text, i) => {
            if (i < pinned) return true;
            const words = wordSet(text);
            if (keptSets.some((k) => similar(words, k, threshold))) return false;
            keptSets.push(words);
            return true;
          });
          const kept = Array.from(greedyDedupe(buildWordSets(texts), threshold, { pinned }), (flag) => flag === 1);
          expect(kept).toEqual(expected);
          // The store's words that no new text has need no ids: same outcome.
          const closed = buildWordSets(texts, { closedBefore: pinned });
          expect(Array.from(greedyDedupe(closed, threshold, { pinned }), (flag) => flag === 1)).toEqual(expected);
          for (let i = 0; i < texts.length; i++) expect(setSize(closed, i)).toBe(wordSet(texts[i]!).size);
        }),
        { numRuns: 80 },
      );
    });
  }

  it('keeps pinned sets and compares later ones with them', () => {
    const texts = ['alpha beta gamma delta', 'alpha beta gamma delta', 'alpha beta gamma delta', 'other words here'];
    expect(Array.from(greedyDedupe(buildWordSets(texts), 0.85, { pinned: 2 }))).toEqual([1, 1, 0, 1]);
  });

  it('handles thousands of entries with many near duplicates', () => {
    const texts: string[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 3000; i++) {
      if (i > 0 && random() < 0.4) {
        const words = texts[Math.floor(random() * i)]!.split(' ');
        words[Math.floor(random() * words.length)] = `w${Math.floor(random() * 50)}`;
        texts.push(words.join(' '));
      } else {
        const length = 5 + Math.floor(random() * 30);
        texts.push(Array.from({ length }, () => `w${Math.floor(random() ** 3 * 400)}`).join(' '));
      }
    }
    for (const threshold of [0.9, 0.85, 0.6]) {
      const kept = Array.from(greedyDedupe(buildWordSets(texts), threshold), (flag) => flag === 1);
      expect(kept).toEqual(naiveKeep(texts, threshold));
    }
  });
});
