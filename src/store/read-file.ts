import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { RunnerError } from '../shared/errors.js';
import { assertRegularFile } from './regular-file.js';

/**
 * Size limits of the stores' reads. A store is read whole into memory, so a file bigger than this
 * is refused instead of exhausting memory; the limits sit far above any real store.
 */
export const READ_LIMITS = {
  /** `memory/store.json`: a million entries are about 300 MiB. */
  memoryStore: 512 * 1024 * 1024,
  /** `alerts/pending.json`: thousands of alerts are well under 1 MiB. */
  alerts: 16 * 1024 * 1024,
  /** Any other JSON file read through `readJsonFile`/`ctx.readJson`/`ctx.updateJson`. */
  json: 64 * 1024 * 1024,
} as const;

const CHUNK_BYTES = 1024 * 1024;

/**
 * The one way the stores read a file: resolves to its bytes, or undefined when it does not exist.
 * Anything but a regular file is refused (a FIFO would block forever, `/dev/zero` would never end):
 * the file is opened with O_NONBLOCK, so opening a FIFO cannot hang, and the descriptor (not the
 * path, which could be swapped) is checked with fstat before a byte is read. Reading stops with an
 * error past `maxBytes`, even if the file grows while it is read. Errors name the file as `name`
 * (the path the user gave, when `file` is that path with its links resolved).
 */
export async function readStoreBytes(file: string, maxBytes: number, name = file): Promise<Buffer | undefined> {
  const opened = await openRegularFileForReading(file, name);
  if (opened === undefined) return undefined;
  const { handle, stats } = opened;
  try {
    if (stats.size > maxBytes) throw tooLarge(name, maxBytes);
    return await readUpTo(handle, stats.size, maxBytes, name);
  } finally {
    await handle.close();
  }
}

async function readUpTo(handle: FileHandle, size: number, maxBytes: number, file: string): Promise<Buffer> {
  // One spare byte tells a file that grew past its fstat size from one that did not.
  let buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) throw tooLarge(file, maxBytes);
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length + CHUNK_BYTES, maxBytes + 1));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
  }
}

/**
 * Open `file` for reading, without waiting on a FIFO put in its place (`O_NONBLOCK`), with the
 * descriptor's stats for the caller to check (not the path's, which could be swapped); undefined
 * when it does not exist. The caller closes the handle.
 */
export async function openForReading(file: string): Promise<{ handle: FileHandle; stats: Stats } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return { handle, stats: await handle.stat() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * {@link openForReading}, refusing anything but a regular file: a FIFO, a device or a folder in its
 * place throws `store.notAFile` naming the file as `name`. Undefined when it does not exist.
 */
export async function openRegularFileForReading(file: string, name = file): Promise<{ handle: FileHandle; stats: Stats } | undefined> {
  const opened = await openForReading(file);
  if (opened === undefined) return undefined;
  try {
    assertRegularFile(opened.stats, name, 'read');
  } catch (error) {
    await opened.handle.close();
    throw error;
  }
  return opened;
}

function tooLarge(file: string, maxBytes: number): RunnerError {
  return new RunnerError('store.tooLarge', `refusing to read ${file}: larger than the limit of ${maxBytes} bytes`, { file, retryable: false });
}
