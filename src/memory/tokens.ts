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

/** Options of {@link buildWordSets}. */
export interface BuildWordSetsOptions {
  /**
   * Sets before this index get a closed vocabulary: their words that occur in no later text are
   * kept only as placeholders that count towards the set's size and match nothing. That is all
   * comparing them with the later sets needs (never with each other), and spares interning the
   * whole vocabulary of a large store to compare it with a few new texts.
   */
  closedBefore?: number;
}

/**
 * Build the word sets of `texts` (a text that is not a string counts as empty), with tokens ordered
 * rarest first by document frequency, as prefix filtering wants.
 */
export function buildWordSets(texts: readonly unknown[], options: BuildWordSetsOptions = {}): WordSets {
  const count = texts.length;
  const closedBefore = Math.min(options.closedBefore ?? 0, count);
  const offsets = new Int32Array(count + 1);
  const interner = new WordInterner(closedBefore > 0 ? 1024 : count * 16);
  if (closedBefore > 0) {
    for (let i = closedBefore; i < count; i++) interner.learn(texts[i]);
  }
  for (let i = 0; i < count; i++) {
    offsets[i] = interner.length;
    interner.closed = i < closedBefore;
    const text = texts[i];
    if (typeof text === 'string' && text.length > 0) interner.addText(text, i);
  }
  const length = interner.length;
  offsets[count] = length;
  const vocabularySize = interner.size;
  const rank = rarestFirstRanks(interner.frequency, vocabularySize);
  const tokens = interner.output.length === length ? interner.output : interner.output.slice(0, length);
  for (let k = 0; k < length; k++) tokens[k] = rank[tokens[k]!]!;
  for (let i = 0; i < count; i++) sortRange(tokens, offsets[i]!, offsets[i + 1]!);
  return { count, offsets, tokens, vocabularySize };
}

// The characters Python's `str.split()` treats as whitespace (`str.isspace`), which differ from
// JavaScript's `\s`: Python also splits on \x1c-\x1f and \x85, but not on \ufeff.
function isWhitespace(c: number): boolean {
  if (c < 0x80) return ASCII_CLASS[c] === WHITESPACE;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

const WHITESPACE = 1;
const UPPER_CASE = 2;
// Every other ASCII character (class 0) is part of a word.
const ASCII_CLASS = new Uint8Array(128);
for (const c of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20]) ASCII_CLASS[c] = WHITESPACE;
for (let c = 65; c <= 90; c++) ASCII_CLASS[c] = UPPER_CASE;

/**
 * Interns words straight from the characters of a text into integer ids (open addressing over a
 * character pool), so a million texts do not cost twenty million substrings and map lookups.
 * Gives the same words as {@link splitWords}. The distinct word ids of each text are appended to
 * `output`.
 */
class WordInterner {
  /** Id 0 stands for every word outside a closed vocabulary; real words start at 1. */
  size = 1;
  /** When true, unknown words are not interned but counted as {@link FOREIGN}. */
  closed = false;
  private learning = false;
  frequency = new Int32Array(1024);
  output: Int32Array;
  length = 0;
  private lastSeen = new Int32Array(1024).fill(-1);
  private wordHash = new Int32Array(1024);
  private wordStart = new Int32Array(1024);
  private wordLength = new Int32Array(1024);
  private pool = new Uint16Array(1 << 16);
  private poolLength = 0;
  private slots = new Int32Array(2048);

  // Distinct foreign words of the text being read: slots stamped with the current generation
  // point into the start/length/hash arrays.
  private foreignGeneration = 0;
  private foreignStamp = new Int32Array(64);
  private foreignSlot = new Int32Array(64);
  private foreignStart = new Int32Array(32);
  private foreignLength = new Int32Array(32);
  private foreignHash = new Int32Array(32);
  private foreignCount = 0;

  constructor(expectedWords: number) {
    this.output = new Int32Array(Math.max(16, expectedWords));
  }

  /** Intern the words of `text` (if a string) without counting them for any set. */
  learn(text: unknown): void {
    if (typeof text !== 'string' || text.length === 0) return;
    this.learning = true;
    this.addText(text, -2);
    this.learning = false;
  }

  /** Append the ids of the distinct words of `text`, set number `setIndex`. */
  addText(text: string, setIndex: number): void {
    // ASCII text is lower-cased character by character. At the first other character the words
    // appended so far are taken back and the text is read again through toLowerCase, whose
    // Unicode rules (and length changes) must not be second-guessed.
    const start = this.length;
    this.startForeignWords();
    if (this.scanAscii(text, setIndex)) return;
    for (let k = start; k < this.length; k++) {
      const id = this.output[k]!;
      if (id === FOREIGN) continue;
      this.frequency[id]!--;
      this.lastSeen[id] = -1;
    }
    this.length = start;
    this.startForeignWords();
    this.scanUnicode(text.toLowerCase(), setIndex);
  }

  // False (having stopped) at the first non-ASCII character.
  private scanAscii(source: string, setIndex: number): boolean {
    const n = source.length;
    let k = 0;
    while (k < n) {
      let c = source.charCodeAt(k);
      if (c >= 0x80) return false;
      if (ASCII_CLASS[c] === WHITESPACE) {
        k++;
        continue;
      }
      const start = k;
      let hash = 0x811c9dc5 | 0;
      for (;;) {
        const kind = ASCII_CLASS[c];
        if (kind === WHITESPACE) break;
        if (kind === UPPER_CASE) c += 32;
        hash = Math.imul(hash ^ c, 0x01000193);
        if (++k === n) break;
        c = source.charCodeAt(k);
        if (c >= 0x80) return false;
      }
      this.count(this.intern(source, start, k, hash, true), setIndex, source, start, k, hash, true);
    }
    return true;
  }

  private scanUnicode(source: string, setIndex: number): void {
    const n = source.length;
    let k = 0;
    while (k < n) {
      if (isWhitespace(source.charCodeAt(k))) {
        k++;
        continue;
      }
      const start = k;
      let hash = 0x811c9dc5 | 0;
      while (k < n) {
        const c = source.charCodeAt(k);
        if (isWhitespace(c)) break;
        hash = Math.imul(hash ^ c, 0x01000193);
        k++;
      }
      this.count(this.intern(source, start, k, hash, false), setIndex, source, start, k, hash, false);
    }
  }

  // `id` is -1 for a word outside the closed vocabulary: it counts once per distinct word.
  private count(id: number, setIndex: number, source: string, start: number, end: number, hash: number, ascii: boolean): void {
    if (this.learning) return;
    if (id < 0) {
      if (this.isNewForeignWord(source, start, end, hash, ascii)) this.emit(FOREIGN);
      return;
    }
    if (this.lastSeen[id] === setIndex) return;
    this.lastSeen[id] = setIndex;
    this.frequency[id]!++;
    this.emit(id);
  }

  private emit(id: number): void {
    if (this.length === this.output.length) this.output = grow(this.output, this.length + 1);
    this.output[this.length++] = id;
  }

  private startForeignWords(): void {
    this.foreignGeneration++;
    this.foreignCount = 0;
  }

  private isNewForeignWord(source: string, start: number, end: number, hash: number, ascii: boolean): boolean {
    if ((this.foreignCount + 1) * 2 > this.foreignSlot.length) this.growForeignTable();
    const mask = this.foreignSlot.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      if (this.foreignStamp[slot] !== this.foreignGeneration) {
        const k = this.foreignCount++;
        this.foreignStamp[slot] = this.foreignGeneration;
        this.foreignSlot[slot] = k;
        this.foreignStart[k] = start;
        this.foreignLength[k] = length;
        this.foreignHash[k] = hash;
        return true;
      }
      const k = this.foreignSlot[slot]!;
      if (this.foreignHash[k] === hash && this.foreignLength[k] === length && sameWord(source, this.foreignStart[k]!, start, length, ascii)) {
        return false;
      }
    }
  }

  private growForeignTable(): void {
    const size = this.foreignSlot.length * 2;
    this.foreignStart = grow(this.foreignStart, size / 2);
    this.foreignLength = grow(this.foreignLength, size / 2);
    this.foreignHash = grow(this.foreignHash, size / 2);
    this.foreignSlot = new Int32Array(size);
    this.foreignStamp = new Int32Array(size);
    const mask = size - 1;
    for (let k = 0; k < this.foreignCount; k++) {
      let slot = this.foreignHash[k]! & mask;
      while (this.foreignStamp[slot] === this.foreignGeneration) slot = (slot + 1) & mask;
      this.foreignStamp[slot] = this.foreignGeneration;
      this.foreignSlot[slot] = k;
    }
  }

  private intern(source: string, start: number, end: number, hash: number, ascii: boolean): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) {
        if (this.closed) return -1;
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
    for (let id = 1; id < this.size; id++) {
      let slot = this.wordHash[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

const FOREIGN = 0;

// Two occurrences of a word in the same text (lower-cased on the fly when `ascii`).
function sameWord(source: string, a: number, b: number, length: number, ascii: boolean): boolean {
  for (let k = 0; k < length; k++) {
    let x = source.charCodeAt(a + k);
    let y = source.charCodeAt(b + k);
    if (ascii) {
      if (x >= 65 && x <= 90) x += 32;
      if (y >= 65 && y <= 90) y += 32;
    }
    if (x !== y) return false;
  }
  return true;
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
