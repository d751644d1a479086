import type { FileHandle } from 'node:fs/promises';

/**
 * How much of a file is read at first, from the end backwards. A reader that wants the last few
 * records reads little; one that goes on is a long scan, so each read doubles, up to
 * {@link MAX_CHUNK_BYTES}, to save round trips to the thread pool (a third of a million-line scan
 * at 64 KiB a read).
 */
export const CHUNK_BYTES = 64 * 1024;
/** The largest read of a long scan. */
export const MAX_CHUNK_BYTES = 1024 * 1024;

/**
 * The longest line kept. A run record is a few hundred bytes; a longer line is garbage (a file
 * written by something else, a missing newline over megabytes) and is reported as unparseable
 * without being held in memory, so memory stays bounded whatever the file holds.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** One line of a file, read from the end. */
export interface BackwardLine {
  /** The line's text, without its newline; `undefined` for a line over {@link MAX_LINE_BYTES}. */
  text: string | undefined;
  /** False for the bytes after the file's last newline: a record a writer may still be appending. */
  terminated: boolean;
}

/**
 * Visit the lines of the first `end` bytes of a file, last line first, reading from the end
 * `chunks.first` bytes at first, then twice as much each time up to `chunks.max`. `visit` returns
 * `false` to stop. Lines are split on the byte `\n`, which never occurs inside a multi-byte UTF-8
 * character, and a line is decoded only once it is whole, so a chunk boundary cannot cut a
 * character. Empty lines are passed over.
 *
 * The visitor is synchronous and called once per line; only the reads are awaited, once per chunk,
 * which keeps a scan of a million lines from paying a promise per line.
 *
 * @returns false when the visitor stopped the scan, true when the start of the file was reached.
 */
export async function visitLinesBackward(
  handle: FileHandle,
  end: number,
  visit: (line: BackwardLine) => boolean | void,
  chunks: { first: number; max: number } = { first: CHUNK_BYTES, max: MAX_CHUNK_BYTES },
): Promise<boolean> {
  let buffer = Buffer.allocUnsafe(chunks.first);
  // Bytes of the line being assembled: it started in an earlier chunk than the one read last.
  let carry: Buffer = Buffer.alloc(0);
  let oversized = false;
  let atFileEnd = true;
  let pos = end;
  for (let first = true; pos > 0; first = false) {
    if (!first && buffer.length < chunks.max) buffer = Buffer.allocUnsafe(Math.min(buffer.length * 2, chunks.max));
    const size = Math.min(buffer.length, pos);
    pos -= size;
    await readFully(handle, buffer, size, pos);
    const chunk = carry.length > 0 ? Buffer.concat([buffer.subarray(0, size), carry]) : buffer.subarray(0, size);
    let lineEnd = chunk.length;
    for (let nl = lastNewline(chunk, lineEnd); nl !== -1; nl = lastNewline(chunk, lineEnd)) {
      const text = oversized || lineEnd - nl - 1 > MAX_LINE_BYTES ? undefined : chunk.toString('utf8', nl + 1, lineEnd);
      if (!emit(text, atFileEnd, visit)) return false;
      atFileEnd = false;
      oversized = false;
      lineEnd = nl;
    }
    // What precedes the first newline of this chunk continues in the next chunk read (before it).
    if (oversized || lineEnd > MAX_LINE_BYTES) {
      oversized = true;
      carry = Buffer.alloc(0);
    } else {
      carry = Buffer.from(chunk.subarray(0, lineEnd));
    }
  }
  if (carry.length > 0 || oversized) return emit(oversized ? undefined : carry.toString('utf8'), atFileEnd, visit);
  return true;
}

// A line of only whitespace (a stray blank line) is neither a record nor worth reporting.
function emit(text: string | undefined, atFileEnd: boolean, visit: (line: BackwardLine) => boolean | void): boolean {
  if (text !== undefined && text.trim() === '') return true;
  return visit({ text, terminated: !atFileEnd }) !== false;
}

// Buffer#lastIndexOf treats a negative offset as counted from the end, so an empty prefix is handled here.
function lastNewline(chunk: Buffer, before: number): number {
  return before <= 0 ? -1 : chunk.lastIndexOf(10, before - 1);
}

async function readFully(handle: FileHandle, buffer: Buffer, size: number, position: number): Promise<void> {
  let done = 0;
  while (done < size) {
    const { bytesRead } = await handle.read(buffer, done, size - done, position + done);
    // The file was truncated under us: treat the missing bytes as empty rather than stale buffer content.
    if (bytesRead === 0) {
      buffer.fill(0x0a, done, size);
      return;
    }
    done += bytesRead;
  }
}
