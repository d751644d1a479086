import { parseJsonText } from './json-text.js';
import { topLevelSpans, type TopLevelSpans } from './json-spans.js';
import { readStoreBytes } from './read-file.js';

/**
 * A JSON file as read for an update: its parsed value, and its bytes with the position of each
 * top-level element, so that elements the update leaves alone are written back as they were.
 *
 * Decoding: the bytes are decoded as UTF-8 for `JSON.parse`, so a byte that is not valid UTF-8
 * (a Latin-1 `é` written by an old tool) is U+FFFD in the parsed value the task sees. The bytes
 * themselves are kept, and an element written back unchanged is copied from them, so such a byte
 * survives every rewrite; only an element the task replaces is written from its parsed value.
 */
export interface JsonDocument {
  file: string;
  bytes: Buffer;
  value: unknown;
  /** Undefined when the top-level value is not an array or an object; found on first use. */
  readonly spans: TopLevelSpans | undefined;
}

/**
 * Read and parse `file` (undefined when it does not exist); errors name it as `name` (see
 * readStoreBytes), `store.corrupt` with the line and column.
 */
export async function readJsonDocument(file: string, maxBytes: number, name = file): Promise<JsonDocument | undefined> {
  const bytes = await readStoreBytes(file, maxBytes, name);
  return bytes === undefined ? undefined : parseJsonDocument(bytes, name);
}

export function parseJsonDocument(bytes: Buffer, file: string): JsonDocument {
  const value = parseJsonText(bytes.toString('utf8'), file);
  // Scanning a large store costs a fraction of its parse: only done when an update needs it.
  let spans: TopLevelSpans | undefined | null = null;
  return {
    file,
    bytes,
    value,
    get spans() {
      if (spans === null) spans = topLevelSpans(bytes);
      return spans;
    },
  };
}

/** The exact bytes of top-level element `i`. */
export function rawElement(document: JsonDocument, i: number): Buffer {
  const spans = document.spans!;
  return document.bytes.subarray(spans.starts[i], spans.ends[i]);
}
