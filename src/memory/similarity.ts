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

/** The non-empty sets among `from .. to` in ascending size order (a counting sort). */
function idsBySize(sets: WordSets, from: number, to: number): Int32Array {
  const { offsets } = sets;
  let maxSize = 0;
  for (let i = from; i < to; i++) maxSize = Math.max(maxSize, offsets[i + 1]! - offsets[i]!);
  const perSize = new Int32Array(maxSize + 1);
  for (let i = from; i < to; i++) perSize[offsets[i + 1]! - offsets[i]!]!++;
  const next = new Int32Array(maxSize + 1);
  let total = 0;
  for (let size = 1; size <= maxSize; size++) {
    next[size] = total;
    total += perSize[size]!;
  }
  const ids = new Int32Array(total);
  for (let i = from; i < to; i++) {
    const size = offsets[i + 1]! - offsets[i]!;
    if (size > 0) ids[next[size]!++] = i;
  }
  return ids;
}

// A bucket holds the postings of one token for sets of one size: its size, then the slot ranges
// of postings from the sets' mid prefixes ("head") and from the rest of their prefixes ("tail").
const BUCKET_FIELDS = 5;
const SIZE = 0;
const HEAD_START = 1;
const HEAD_END = 2;
const TAIL_START = 3;
const TAIL_END = 4;

/**
 * An inverted index over set prefixes. A similar pair always shares a token between the smaller
 * set's mid prefix and the larger set's full prefix, so a probe reads every partner's head
 * postings, and larger partners' tail postings only through its own mid prefix. Each token's
 * postings are cut into buckets by set size, ascending, so the length filter becomes a binary
 * search; a bucket's fields and a posting's set and position sit side by side, because the cost of
 * a probe is memory access. Capacities come from every set that may be added, so adding and
 * probing allocate nothing.
 */
class PrefixIndex {
  /** Buckets of token `t`: `bucketOffset[t] .. bucketOffset[t+1]`. */
  private readonly bucketOffset: Int32Array;
  private readonly buckets: Int32Array;
  /** Postings: set, position in the set. */
  private readonly slots: Int32Array;
  private readonly accumulator: Int32Array;
  private readonly touched: Int32Array;
  private readonly candidates: Int32Array;
  private touchedCount = 0;

  /** Sets `from .. to` may be added; any set may probe. */
  private readonly sets: WordSets;
  private readonly t: Threshold;
  constructor(
    sets: WordSets,
    t: Threshold,
    from = 0,
    to = sets.count,
  ) {
    this.sets = sets;
    this.t = t;
    const { count, offsets, tokens, vocabularySize } = sets;
    const bySize = idsBySize(sets, from, to);
    const lastSize = new Int32Array(vocabularySize).fill(-1);
    const bucketOffset = new Int32Array(vocabularySize + 1);
    let postings = 0;
    for (let k = 0; k < bySize.length; k++) {
      const i = bySize[k]!;
      const size = offsets[i + 1]! - offsets[i]!;
      const full = prefixLength(size, t);
      for (let position = 0; position < full; position++) {
        const token = tokens[offsets[i]! + position]!;
        if (lastSize[token] !== size) {
          lastSize[token] = size;
          bucketOffset[token + 1]!++;
        }
      }
      postings += full;
    }
    for (let token = 0; token < vocabularySize; token++) bucketOffset[token + 1]! += bucketOffset[token]!;
    const bucketCount = bucketOffset[vocabularySize]!;
    const buckets = new Int32Array(bucketCount * BUCKET_FIELDS);
    // Second pass: give each bucket its size and count its head and tail capacity (kept in the
    // END fields for now).
    const nextBucket = bucketOffset.slice(0, vocabularySize);
    lastSize.fill(-1);
    for (let k = 0; k < bySize.length; k++) {
      const i = bySize[k]!;
      const size = offsets[i + 1]! - offsets[i]!;
      const mid = midPrefixLength(size, t);
      const full = prefixLength(size, t);
      for (let position = 0; position < full; position++) {
        const token = tokens[offsets[i]! + position]!;
        if (lastSize[token] !== size) {
          lastSize[token] = size;
          buckets[nextBucket[token]!++ * BUCKET_FIELDS + SIZE] = size;
        }
        buckets[(nextBucket[token]! - 1) * BUCKET_FIELDS + (position < mid ? HEAD_END : TAIL_END)]!++;
      }
    }
    let cursor = 0;
    for (let b = 0; b < bucketCount * BUCKET_FIELDS; b += BUCKET_FIELDS) {
      const head = buckets[b + HEAD_END]!;
      const tail = buckets[b + TAIL_END]!;
      buckets[b + HEAD_START] = buckets[b + HEAD_END] = cursor;
      buckets[b + TAIL_START] = buckets[b + TAIL_END] = cursor + head;
      cursor += head + tail;
    }
    this.bucketOffset = bucketOffset;
    this.buckets = buckets;
    this.slots = new Int32Array(postings * 2);
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
    for (let position = 0; position < full; position++) {
      const bucket = this.firstBucket(tokens[first + position]!, size) * BUCKET_FIELDS;
      const slot = this.buckets[bucket + (position < mid ? HEAD_END : TAIL_END)]!++;
      this.slots[slot * 2] = i;
      this.slots[slot * 2 + 1] = position;
    }
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
    const buckets = this.buckets;
    this.touchedCount = 0;
    for (let position = 0; position < full; position++) {
      const token = tokens[firstX + position]!;
      const restX = sizeX - position - 1;
      const inMid = position < mid;
      // Beyond our mid prefix only partners no larger than us can still be found.
      const largest = inMid ? maxSize : sizeX;
      const end = this.bucketOffset[token + 1]! * BUCKET_FIELDS;
      for (let b = this.firstBucket(token, minSize) * BUCKET_FIELDS; b < end; b += BUCKET_FIELDS) {
        const sizeY = buckets[b + SIZE]!;
        if (sizeY > largest) break;
        const needed = minOverlap(sizeX, sizeY, t);
        this.count(buckets[b + HEAD_START]!, buckets[b + HEAD_END]!, sizeY, restX, needed);
        if (inMid && sizeY > sizeX) this.count(buckets[b + TAIL_START]!, buckets[b + TAIL_END]!, sizeY, restX, needed);
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

  // Count prefix matches with the postings in slots [from, to), sets of `sizeY` words.
  private count(from: number, to: number, sizeY: number, restX: number, needed: number): void {
    const accumulator = this.accumulator;
    const slots = this.slots;
    for (let slot = from; slot < to; slot++) {
      const j = slots[slot * 2]!;
      const count = accumulator[j]!;
      if (count < 0) continue;
      if (count === 0) this.touched[this.touchedCount++] = j;
      // Positional filter: every shared word before this one has been counted, so the overlap is
      // at most what is counted plus this word plus the shorter of what is left.
      const restY = sizeY - slots[slot * 2 + 1]! - 1;
      const bound = count + 1 + (restX < restY ? restX : restY);
      accumulator[j] = bound >= needed ? count + 1 : -1;
    }
  }

  /** The first bucket of `token` for sets of at least `size` words. */
  private firstBucket(token: number, size: number): number {
    let lo = this.bucketOffset[token]!;
    let hi = this.bucketOffset[token + 1]!;
    while (lo < hi) {
      const middle = (lo + hi) >>> 1;
      if (this.buckets[middle * BUCKET_FIELDS + SIZE]! < size) lo = middle + 1;
      else hi = middle;
    }
    return lo;
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
  if (pinned > 0) dropSimilarToPinned(sets, t, pinned, kept);
  const index = new PrefixIndex(sets, t, pinned, sets.count);
  const found = () => true;
  for (let i = pinned; i < sets.count; i++) {
    if (kept[i] === 0 || index.probe(i, found)) kept[i] = 0;
    else index.add(i);
  }
  return kept;
}

// Pinned sets are many (a whole store) and the others few (one capture): index the few and let
// each pinned set probe them, instead of indexing the store.
function dropSimilarToPinned(sets: WordSets, t: Threshold, pinned: number, kept: Uint8Array): void {
  const index = new PrefixIndex(sets, t, pinned, sets.count);
  for (let i = pinned; i < sets.count; i++) index.add(i);
  const drop = (j: number) => {
    kept[j] = 0;
    return false;
  };
  for (let i = 0; i < pinned; i++) index.probe(i, drop);
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
