/**
 * Word sets as the SPEC defines them (Python's `set(text.lower().split())`), interned to integer
 * ids and laid out in typed arrays so that a million sets cost a few arrays, not a million objects.
 */

/** The words of `text`: lower-cased and split on whitespace, as Python's `text.lower().split()`. */
export function splitWords(text: string): string[] {
  const lower = text.toLowerCase();
  const words: string[] = [];
  let start = -1;
  for (let k = 0; k <= lower.length; k++) {
    const space = k === lower.length || isWhitespace(lower.charCodeAt(k));
    if (space && start >= 0) {
      words.push(lower.slice(start, k));
      start = -1;
    } else if (!space && start < 0) start = k;
  }
  return words;
}

/** The word set of `text` (lower-cased, whitespace-split). */
export function wordSet(text: string): Set<string> {
  return new Set(splitWords(text));
}

/**
 * Jaccard similarity of two word sets; 0 when either is empty (an empty set is never a duplicate).
 * This is the reference the fast join must agree with.
 */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let overlap = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const word of small) if (large.has(word)) overlap++;
  return overlap / (a.size + b.size - overlap);
}

/**
 * Many word sets in compressed form: set `i` is `tokens[offsets[i] .. offsets[i+1])`, each token a
 * rank in a global rarest-first order (0 is the rarest word), ascending within a set.
 */
export interface WordSets {
  readonly count: number;
  readonly offsets: Int32Array;
  readonly tokens: Int32Array;
  readonly vocabularySize: number;
}

/** Size of set `i` of `sets`. */
export function setSize(sets: WordSets, i: number): number {
  return sets.offsets[i + 1]! - sets.offsets[i]!;
}

/**
 * Build the word sets of `texts` (a text that is not a string counts as empty), with tokens ordered
 * rarest first by document frequency, as prefix filtering wants.
 */
export function buildWordSets(texts: readonly unknown[]): WordSets {
  const count = texts.length;
  const offsets = new Int32Array(count + 1);
  const interner = new WordInterner();
  let raw = new Int32Array(Math.max(16, count * 8));
  let length = 0;
  const push = (id: number) => {
    if (length === raw.length) raw = grow(raw, length + 1);
    raw[length++] = id;
  };
  for (let i = 0; i < count; i++) {
    offsets[i] = length;
    const text = texts[i];
    if (typeof text === 'string' && text.length > 0) interner.addText(text, i, push);
  }
  offsets[count] = length;
  const vocabularySize = interner.size;
  const rank = rarestFirstRanks(interner.frequency, vocabularySize);
  const tokens = raw.length === length ? raw : raw.slice(0, length);
  for (let k = 0; k < length; k++) tokens[k] = rank[tokens[k]!]!;
  for (let i = 0; i < count; i++) sortRange(tokens, offsets[i]!, offsets[i + 1]!);
  return { count, offsets, tokens, vocabularySize };
}

// The characters Python's `str.split()` treats as whitespace (`str.isspace`), which differ from
// JavaScript's `\s`: Python also splits on \x1c-\x1f and \x85, but not on \ufeff.
function isWhitespace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/**
 * Interns words straight from the characters of a text into integer ids (open addressing over a
 * character pool), so a million texts do not cost twenty million substrings and map lookups.
 * Gives the same words as {@link splitWords}.
 */
class WordInterner {
  size = 0;
  frequency = new Int32Array(1024);
  private lastSeen = new Int32Array(1024).fill(-1);
  private wordHash = new Int32Array(1024);
  private wordStart = new Int32Array(1024);
  private wordLength = new Int32Array(1024);
  private pool = new Uint16Array(1 << 16);
  private poolLength = 0;
  private slots = new Int32Array(2048);

  /** Intern the distinct words of `text` (set number `setIndex`), calling `emit` with each new id. */
  addText(text: string, setIndex: number, emit: (id: number) => void): void {
    // Fast path: ASCII text is lower-cased character by character; anything else goes through
    // toLowerCase, whose Unicode rules (and length changes) we must not second-guess.
    let source = text;
    let ascii = true;
    for (let k = 0; k < text.length; k++) {
      if (text.charCodeAt(k) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) source = text.toLowerCase();
    const n = source.length;
    let k = 0;
    while (k < n) {
      while (k < n && isWhitespace(source.charCodeAt(k))) k++;
      if (k >= n) break;
      const start = k;
      let hash = 0x811c9dc5 | 0;
      while (k < n) {
        let c = source.charCodeAt(k);
        if (isWhitespace(c)) break;
        if (ascii && c >= 65 && c <= 90) c += 32;
        hash = Math.imul(hash ^ c, 0x01000193);
        k++;
      }
      const id = this.intern(source, start, k, hash, ascii);
      if (this.lastSeen[id] === setIndex) continue;
      this.lastSeen[id] = setIndex;
      this.frequency[id]!++;
      emit(id);
    }
  }

  private intern(source: string, start: number, end: number, hash: number, ascii: boolean): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) {
        const id = this.newWord(source, start, end, hash, ascii);
        this.slots[slot] = id + 1;
        if (this.size * 2 > this.slots.length) this.rehash();
        return id;
      }
      const id = entry - 1;
      if (this.wordHash[id] === hash && this.wordLength[id] === length && this.sameChars(id, source, start, length, ascii)) {
        return id;
      }
    }
  }

  private sameChars(id: number, source: string, start: number, length: number, ascii: boolean): boolean {
    const at = this.wordStart[id]!;
    for (let k = 0; k < length; k++) {
      let c = source.charCodeAt(start + k);
      if (ascii && c >= 65 && c <= 90) c += 32;
      if (this.pool[at + k] !== c) return false;
    }
    return true;
  }

  private newWord(source: string, start: number, end: number, hash: number, ascii: boolean): number {
    const id = this.size++;
    if (id >= this.wordHash.length) {
      this.wordHash = grow(this.wordHash, id + 1);
      this.wordStart = grow(this.wordStart, id + 1);
      this.wordLength = grow(this.wordLength, id + 1);
      this.frequency = grow(this.frequency, id + 1);
      this.lastSeen = grow(this.lastSeen, id + 1, -1);
    }
    const length = end - start;
    if (this.poolLength + length > this.pool.length) {
      const pool = new Uint16Array(Math.max(this.poolLength + length, this.pool.length * 2));
      pool.set(this.pool);
      this.pool = pool;
    }
    for (let k = 0; k < length; k++) {
      let c = source.charCodeAt(start + k);
      if (ascii && c >= 65 && c <= 90) c += 32;
      this.pool[this.poolLength + k] = c;
    }
    this.wordHash[id] = hash;
    this.wordStart[id] = this.poolLength;
    this.wordLength[id] = length;
    this.poolLength += length;
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.wordHash[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

// rank[id]: position of the word in the order (document frequency, first appearance), so rare
// words come first and ties break deterministically.
function rarestFirstRanks(frequency: Int32Array, vocabularySize: number): Int32Array {
  const keys = new Float64Array(vocabularySize);
  for (let id = 0; id < vocabularySize; id++) keys[id] = frequency[id]! * vocabularySize + id;
  keys.sort();
  const rank = new Int32Array(vocabularySize);
  for (let r = 0; r < vocabularySize; r++) rank[keys[r]! % vocabularySize] = r;
  return rank;
}

function sortRange(a: Int32Array, from: number, to: number): void {
  if (to - from > 32) {
    a.subarray(from, to).sort();
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const value = a[i]!;
    let j = i - 1;
    while (j >= from && a[j]! > value) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = value;
  }
}

function grow(a: Int32Array, minimum: number, fill = 0): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(minimum, a.length * 2));
  next.set(a);
  if (fill !== 0) next.fill(fill, a.length);
  return next;
}
