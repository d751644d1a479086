/**
 * Where each element of a top-level JSON array (or each member of a top-level object) sits in the
 * file's bytes, so that a rewrite can copy the elements it did not change byte for byte: their
 * exact number spelling (`1234567890123456789`, `1e400`), escapes, spacing and even bytes that are
 * not valid UTF-8 survive, which a parse and stringify would not keep.
 *
 * The scanner works on raw bytes and assumes the text is valid JSON (it is only called after
 * `JSON.parse` accepted it). Bytes of multi-byte UTF-8 characters are all ≥ 0x80, so they can never
 * be mistaken for the ASCII structure characters it looks for.
 */

export interface TopLevelSpans {
  kind: 'array' | 'object';
  /** Offset just after the opening bracket (a BOM and blanks before it included). */
  open: number;
  /** Element i (for an object: member i, `"key": value`) is bytes [starts[i], ends[i]). */
  starts: Uint32Array;
  ends: Uint32Array;
  /** For an object: where the key of member i ends (after its closing quote). */
  keyEnds: Uint32Array | undefined;
  count: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The spans of a valid JSON text's top-level array or object; undefined for a scalar. */
export function topLevelSpans(bytes: Uint8Array): TopLevelSpans | undefined {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (isBlank(bytes[i]!)) i++;
  const first = bytes[i];
  if (first !== 0x5b && first !== 0x7b) return undefined;
  const kind = first === 0x5b ? 'array' : 'object';
  const open = i + 1;
  const starts = new Growable();
  const ends = new Growable();
  const keyEnds = kind === 'object' ? new Growable() : undefined;
  i = skipBlanks(bytes, open);
  // Valid JSON: either the container closes at once, or elements separated by commas follow.
  while (bytes[i] !== 0x5d && bytes[i] !== 0x7d) {
    starts.push(i);
    if (keyEnds) {
      const keyEnd = skipString(bytes, i);
      keyEnds.push(keyEnd);
      i = skipBlanks(bytes, keyEnd);
      if (bytes[i] !== COLON) throw new Error(`JSON spans: expected ':' at byte ${i}`);
      i = skipBlanks(bytes, i + 1);
    }
    i = skipValue(bytes, i);
    ends.push(i);
    i = skipBlanks(bytes, i);
    if (bytes[i] === COMMA) i = skipBlanks(bytes, i + 1);
  }
  return { kind, open, starts: starts.done(), ends: ends.done(), keyEnds: keyEnds?.done(), count: starts.length };
}

/**
 * A top-level array's elements as one block (count 1; 0 when empty), found without scanning them:
 * enough to append after them, which is all memory_capture does, at no cost per element.
 */
export function arrayAsOneBlock(bytes: Uint8Array): TopLevelSpans | undefined {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (isBlank(bytes[i]!)) i++;
  if (bytes[i] !== 0x5b) return undefined;
  const open = i + 1;
  const start = skipBlanks(bytes, open);
  let end = bytes.length;
  while (isBlank(bytes[end - 1]!)) end--;
  end--; // the closing bracket
  while (end > start && isBlank(bytes[end - 1]!)) end--;
  const count = end > start ? 1 : 0;
  return { kind: 'array', open, starts: Uint32Array.of(start), ends: Uint32Array.of(end), keyEnds: undefined, count };
}

function skipBlanks(bytes: Uint8Array, i: number): number {
  while (isBlank(bytes[i]!)) i++;
  return i;
}

// Keys and short values end within a few bytes, where a plain loop is fastest; longer strings
// (the entries' texts) are searched with the native indexOf.
const SHORT_STRING = 24;

/** `i` at an opening quote: the offset after the closing one. */
function skipString(bytes: Uint8Array, i: number): number {
  let j = i + 1;
  for (const end = j + SHORT_STRING; j < end; ) {
    const c = bytes[j]!;
    if (c === QUOTE) return j + 1;
    j += c === BACKSLASH ? 2 : 1;
  }
  // Every escape before j is complete, so a quote ends the string unless an odd number of
  // backslashes (counted back to j) precedes it.
  for (;;) {
    const quote = bytes.indexOf(QUOTE, j);
    let backslashes = 0;
    while (quote - 1 - backslashes >= j && bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    j = quote + 1;
  }
}

/** `i` at the first byte of a value: the offset after its last byte. */
function skipValue(bytes: Uint8Array, i: number): number {
  const c = bytes[i]!;
  if (c === QUOTE) return skipString(bytes, i);
  if (c !== 0x5b && c !== 0x7b) {
    // A number or a literal: it ends at a blank, a comma or a closing bracket.
    let j = i + 1;
    for (;;) {
      const d = bytes[j];
      if (d === undefined || d === COMMA || d === 0x5d || d === 0x7d || isBlank(d)) return j;
      j++;
    }
  }
  let depth = 0;
  let j = i;
  for (;;) {
    const d = bytes[j]!;
    if (d === QUOTE) {
      j = skipString(bytes, j);
      continue;
    }
    if (d === 0x5b || d === 0x7b) depth++;
    else if (d === 0x5d || d === 0x7d) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
}

/** A Uint32Array that grows as offsets are pushed (a store has up to millions of elements). */
class Growable {
  private array = new Uint32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.array.length) {
      const bigger = new Uint32Array(this.array.length * 2);
      bigger.set(this.array);
      this.array = bigger;
    }
    this.array[this.length++] = value;
  }

  done(): Uint32Array {
    return this.array.subarray(0, this.length);
  }
}
