/**
 * An exact set-similarity join on Jaccard similarity (AllPairs/PPJoin family): tokens in a global
 * rarest-first order, prefix filter, length filter, positional filter, then verification. Every
 * bound is computed in integer arithmetic on a rational threshold p/q, so no true pair is lost to
 * floating-point rounding. An empty set is never similar to anything.
 */
import { setSize, type WordSets } from './tokens.js';

/** A Jaccard threshold as the exact fraction `p/q` (0 ≤ p ≤ q). */
export interface Threshold {
  readonly p: number;
  readonly q: number;
}

const MAX_DECIMALS = 6;

/**
 * The exact fraction a threshold written as a decimal means: 0.9 → 9/10, 0.85 → 17/20. Comparing
 * `q·overlap ≥ p·union` then agrees with the floating-point `overlap / union >= 0.85`, because a
 * correctly rounded quotient of small integers can only equal the rounded threshold when the exact
 * values are equal. At most six decimals keep every product below 2^53.
 */
export function toThreshold(value: number | Threshold): Threshold {
  if (typeof value !== 'number') return checkFraction(value);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`a similarity threshold must be a number from 0 to 1, got ${value}`);
  }
  const match = /^(\d)(?:\.(\d+))?$/.exec(String(value));
  if (!match || (match[2] ?? '').length > MAX_DECIMALS) {
    throw new RangeError(`a similarity threshold may have at most ${MAX_DECIMALS} decimal places, got ${value}`);
  }
  const decimals = match[2] ?? '';
  const q = 10 ** decimals.length;
  const p = Number(match[1]) * q + (decimals === '' ? 0 : Number(decimals));
  const divisor = gcd(p, q);
  return { p: p / divisor, q: q / divisor };
}

function checkFraction(t: Threshold): Threshold {
  const ok = Number.isSafeInteger(t.p) && Number.isSafeInteger(t.q) && t.p >= 0 && t.q >= 1 && t.p <= t.q && t.q <= 10 ** MAX_DECIMALS;
  if (!ok) throw new RangeError(`a similarity threshold fraction must be p/q with 0 ≤ p ≤ q ≤ 10^6, got ${t.p}/${t.q}`);
  return t;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** ⌈a / b⌉ for non-negative integers, exact (no floating-point division). */
export function ceilDiv(a: number, b: number): number {
  const remainder = a % b;
  return (a - remainder) / b + (remainder > 0 ? 1 : 0);
}

/** ⌊a / b⌋ for non-negative integers, exact. */
export function floorDiv(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/** True when two non-empty sets of the given sizes sharing `overlap` words reach the threshold. */
export function reachesThreshold(overlap: number, sizeA: number, sizeB: number, t: Threshold): boolean {
  if (sizeA === 0 || sizeB === 0) return false;
  return t.q * overlap >= t.p * (sizeA + sizeB - overlap);
}

/** The least overlap two sets of these sizes need: q·o ≥ p·(a+b−o) ⇔ o ≥ p(a+b)/(p+q). */
export function minOverlap(sizeA: number, sizeB: number, t: Threshold): number {
  return ceilDiv(t.p * (sizeA + sizeB), t.p + t.q);
}

/**
 * How many of a set's rarest tokens must be indexed/probed: a similar partner shares at least
 * ⌈t·size⌉ tokens with it, so it shares one among the first `size − ⌈t·size⌉ + 1`.
 */
export function prefixLength(size: number, t: Threshold): number {
  return size - ceilDiv(t.p * size, t.q) + 1;
}

/** Sizes a set similar to one of `size` can have: ⌈t·size⌉ … ⌊size/t⌋. */
export function sizeBounds(size: number, t: Threshold): { min: number; max: number } {
  return { min: ceilDiv(t.p * size, t.q), max: t.p === 0 ? Number.MAX_SAFE_INTEGER : floorDiv(t.q * size, t.p) };
}

/**
 * How many rarest tokens of a set suffice against partners no larger than itself: such a partner
 * shares at least ⌈2t·size/(1+t)⌉ tokens with it (PPJoin's "mid prefix").
 */
export function midPrefixLength(size: number, t: Threshold): number {
  return size - minOverlap(size, size, t) + 1;
}

/**
 * Postings for one part of every set's prefix, in compressed rows per token: set, position in the
 * set, set size (kept inline so the length filter touches no other memory). Capacity comes from
 * every set that may be added, so adding and probing allocate nothing.
 */
class PostingLists {
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly set: Int32Array;
  readonly position: Int32Array;
  readonly size: Int32Array;

  constructor(rowLengths: Int32Array, vocabularySize: number) {
    for (let token = 0; token < vocabularySize; token++) rowLengths[token + 1]! += rowLengths[token]!;
    this.start = rowLengths.subarray(0, vocabularySize);
    this.end = rowLengths.slice(0, vocabularySize);
    const total = rowLengths[vocabularySize]!;
    this.set = new Int32Array(total);
    this.position = new Int32Array(total);
    this.size = new Int32Array(total);
  }

  add(token: number, set: number, position: number, size: number): void {
    const slot = this.end[token]!++;
    this.set[slot] = set;
    this.position[slot] = position;
    this.size[slot] = size;
  }
}

/**
 * An inverted index over set prefixes. A pair is found through the smaller set's mid prefix and
 * the larger set's full prefix, so each indexed set's prefix is split in two posting lists: the
 * mid part (scanned for every partner) and the rest (scanned only by smaller partners' mid prefix).
 */
class PrefixIndex {
  private readonly head: PostingLists;
  private readonly tail: PostingLists;
  private readonly accumulator: Int32Array;
  private readonly touched: Int32Array;
  private readonly candidates: Int32Array;
  private touchedCount = 0;

  constructor(
    private readonly sets: WordSets,
    private readonly t: Threshold,
  ) {
    const { count, offsets, tokens, vocabularySize } = sets;
    const headRows = new Int32Array(vocabularySize + 1);
    const tailRows = new Int32Array(vocabularySize + 1);
    for (let i = 0; i < count; i++) {
      const first = offsets[i]!;
      const size = offsets[i + 1]! - first;
      if (size === 0) continue;
      const mid = midPrefixLength(size, t);
      const full = prefixLength(size, t);
      for (let k = 0; k < mid; k++) headRows[tokens[first + k]! + 1]!++;
      for (let k = mid; k < full; k++) tailRows[tokens[first + k]! + 1]!++;
    }
    this.head = new PostingLists(headRows, vocabularySize);
    this.tail = new PostingLists(tailRows, vocabularySize);
    this.accumulator = new Int32Array(count);
    this.touched = new Int32Array(count);
    this.candidates = new Int32Array(count);
  }

  /** Index the prefix of set `i` (an empty set is never indexed). */
  add(i: number): void {
    const { offsets, tokens } = this.sets;
    const first = offsets[i]!;
    const size = offsets[i + 1]! - first;
    if (size === 0) return;
    const mid = midPrefixLength(size, this.t);
    const full = prefixLength(size, this.t);
    for (let k = 0; k < mid; k++) this.head.add(tokens[first + k]!, i, k, size);
    for (let k = mid; k < full; k++) this.tail.add(tokens[first + k]!, i, k, size);
  }

  /**
   * Call `onSimilar(j)` for each indexed set `j` similar to set `i`, until it returns true.
   * Returns true when stopped that way.
   */
  probe(i: number, onSimilar: (j: number) => boolean): boolean {
    const { offsets, tokens } = this.sets;
    const t = this.t;
    const sizeX = offsets[i + 1]! - offsets[i]!;
    if (sizeX === 0) return false;
    const firstX = offsets[i]!;
    const { min: minSize, max: maxSize } = sizeBounds(sizeX, t);
    const mid = midPrefixLength(sizeX, t);
    const full = prefixLength(sizeX, t);
    this.touchedCount = 0;
    for (let position = 0; position < full; position++) {
      const token = tokens[firstX + position]!;
      const restX = sizeX - position - 1;
      if (position < mid) {
        // Within our mid prefix: every partner's mid part, and larger partners' tails.
        this.scan(this.head, token, sizeX, restX, minSize, maxSize);
        this.scan(this.tail, token, sizeX, restX, sizeX + 1, maxSize);
      } else {
        // Beyond it: only partners no larger than us, through their mid part.
        this.scan(this.head, token, sizeX, restX, minSize, sizeX);
      }
    }
    const accumulator = this.accumulator;
    let candidateCount = 0;
    for (let k = 0; k < this.touchedCount; k++) {
      const j = this.touched[k]!;
      if (accumulator[j]! > 0) this.candidates[candidateCount++] = j;
      accumulator[j] = 0;
    }
    for (let k = 0; k < candidateCount; k++) {
      const j = this.candidates[k]!;
      if (verify(this.sets, i, j, t) && onSimilar(j)) return true;
    }
    return false;
  }

  // Count prefix matches with the sets in one posting row whose size lies in [minSize, maxSize].
  private scan(lists: PostingLists, token: number, sizeX: number, restX: number, minSize: number, maxSize: number): void {
    const accumulator = this.accumulator;
    const t = this.t;
    const stop = lists.end[token]!;
    for (let slot = lists.start[token]!; slot < stop; slot++) {
      const sizeY = lists.size[slot]!;
      if (sizeY < minSize || sizeY > maxSize) continue;
      const j = lists.set[slot]!;
      const count = accumulator[j]!;
      if (count < 0) continue;
      if (count === 0) this.touched[this.touchedCount++] = j;
      // Positional filter: every shared word before this one has been counted, so the overlap is
      // at most what is counted plus this word plus what is left of the shorter remainder.
      const restY = sizeY - lists.position[slot]! - 1;
      const bound = count + 1 + (restX < restY ? restX : restY);
      accumulator[j] = bound >= minOverlap(sizeX, sizeY, t) ? count + 1 : -1;
    }
  }
}

// Merge two ascending token lists, giving up once the overlap can no longer reach the threshold.
function verify(sets: WordSets, x: number, y: number, t: Threshold): boolean {
  const { offsets, tokens } = sets;
  let a = offsets[x]!;
  let b = offsets[y]!;
  const endA = offsets[x + 1]!;
  const endB = offsets[y + 1]!;
  const sizeA = endA - a;
  const sizeB = endB - b;
  const needed = minOverlap(sizeA, sizeB, t);
  let overlap = 0;
  while (a < endA && b < endB) {
    const restA = endA - a;
    const restB = endB - b;
    if (overlap + (restA < restB ? restA : restB) < needed) return false;
    const ta = tokens[a]!;
    const tb = tokens[b]!;
    if (ta === tb) {
      overlap++;
      a++;
      b++;
    } else if (ta < tb) a++;
    else b++;
  }
  return reachesThreshold(overlap, sizeA, sizeB, t);
}

/** Options of {@link greedyDedupe}. */
export interface GreedyDedupeOptions {
  /**
   * The first `pinned` sets are kept unconditionally (and compared against); only the sets after
   * them can be dropped. memory_capture pins the existing store.
   */
  pinned?: number;
}

/**
 * Greedy duplicate removal in order: set `i` is dropped when it is similar (Jaccard ≥ threshold)
 * to a set kept before it. Identical to the loop
 * `for e of sets: if no kept k has jaccard(e, k) >= t: keep e`, but indexes only what it keeps.
 * Returns one flag per set, 1 = kept.
 */
export function greedyDedupe(sets: WordSets, threshold: number | Threshold, options: GreedyDedupeOptions = {}): Uint8Array {
  const t = toThreshold(threshold);
  const pinned = Math.min(options.pinned ?? 0, sets.count);
  const kept = new Uint8Array(sets.count).fill(1);
  if (t.p === 0) return keepFirstNonEmpty(sets, kept, pinned);
  const index = new PrefixIndex(sets, t);
  const found = () => true;
  for (let i = 0; i < sets.count; i++) {
    if (i >= pinned && index.probe(i, found)) kept[i] = 0;
    else index.add(i);
  }
  return kept;
}

// Threshold 0: any two non-empty sets are similar, so only the first non-empty one survives.
function keepFirstNonEmpty(sets: WordSets, kept: Uint8Array, pinned: number): Uint8Array {
  let seenNonEmpty = false;
  for (let i = 0; i < sets.count; i++) {
    if (setSize(sets, i) === 0) continue;
    if (i >= pinned && seenNonEmpty) kept[i] = 0;
    seenNonEmpty = true;
  }
  return kept;
}

/**
 * Every pair of sets with Jaccard similarity ≥ threshold, as a flat array
 * `[i0, j0, i1, j1, …]` with `i < j`, ordered by `j` (no object per pair).
 */
export function similarityJoin(sets: WordSets, threshold: number | Threshold): Int32Array {
  const t = toThreshold(threshold);
  let pairs = new Int32Array(1024);
  let length = 0;
  const push = (i: number, j: number) => {
    if (length + 2 > pairs.length) {
      const next = new Int32Array(pairs.length * 2);
      next.set(pairs);
      pairs = next;
    }
    pairs[length++] = i;
    pairs[length++] = j;
  };
  if (t.p === 0) {
    const nonEmpty: number[] = [];
    for (let j = 0; j < sets.count; j++) {
      if (setSize(sets, j) === 0) continue;
      for (const i of nonEmpty) push(i, j);
      nonEmpty.push(j);
    }
    return pairs.slice(0, length);
  }
  const index = new PrefixIndex(sets, t);
  const found: number[] = [];
  const collect = (i: number) => {
    found.push(i);
    return false;
  };
  for (let j = 0; j < sets.count; j++) {
    found.length = 0;
    index.probe(j, collect);
    found.sort((a, b) => a - b);
    for (const i of found) push(i, j);
    index.add(j);
  }
  return pairs.slice(0, length);
}
