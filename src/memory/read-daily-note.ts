/**
 * Read a daily note as UTF-8 text, or refuse it naming the file. Decoding leniently would turn a
 * UTF-16 note (which an editor on Windows may save) into text of NULs and replacement characters
 * in which nothing matches, and the run would report "0 of 0 items" as if the day had been empty.
 */
import { stat } from 'node:fs/promises';
import { RunnerError } from '../shared/errors.js';
import { readStoreBytes } from '../store/read-file.js';
import { overLimit } from './markdown-limits.js';

/**
 * The text of `file` (shown as `name`), without a UTF-8 byte-order mark; undefined when it does
 * not exist. Throws `memory.overLimit` when it is over `maxBytes` (checked before reading), and
 * `memory.unreadable` when it is not UTF-8.
 */
export async function readDailyNote(file: string, name: string, maxBytes: number): Promise<string | undefined> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readStoreBytes(file, maxBytes, name);
  } catch (error) {
    if (error instanceof RunnerError && error.code === 'store.tooLarge') {
      const { size } = await stat(file);
      throw overLimit(name, `the file is ${size.toLocaleString('en-US')} bytes`, maxBytes, 'maxFileBytes');
    }
    throw error;
  }
  return bytes === undefined ? undefined : decodeUtf8(bytes, name);
}

/** `bytes` decoded as UTF-8 (a leading byte-order mark dropped), or a `memory.unreadable` error naming `name`. */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  const utf16 = utf16Bom(bytes);
  if (utf16) throw unreadable(name, `it starts with a UTF-16 ${utf16} byte-order mark`);
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw unreadable(name, `it has a NUL byte on line ${lineAt(bytes, nul)} (UTF-16 without a byte-order mark, or not text)`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw unreadable(name, `it has a byte sequence that is not UTF-8 on line ${firstBadLine(bytes)}`);
  }
}

function unreadable(name: string, why: string): RunnerError {
  return new RunnerError('memory.unreadable', `${name} is not UTF-8: ${why}; save it as UTF-8 to have it captured`, {
    file: name,
    retryable: false,
  });
}

function utf16Bom(bytes: Uint8Array): 'LE' | 'BE' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'LE';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'BE';
  return undefined;
}

// 1-based line of the byte at `offset`.
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 10) line++;
  return line;
}

// The line of the first invalid sequence: where lenient decoding put its first replacement
// character (a note that is invalid UTF-8 is unlikely to also hold a genuine U+FFFD before it).
function firstBadLine(bytes: Uint8Array): number {
  const text = new TextDecoder('utf-8').decode(bytes);
  const bad = text.indexOf('\uFFFD');
  let line = 1;
  for (let i = 0; i < bad; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
