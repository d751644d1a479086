/**
 * The memory store, `memory/store.json`: a plain JSON array, read strictly (a file that cannot be
 * parsed is reported and never overwritten), updated under a lock with a `.bak` backup and an
 * atomic replace. The array is written in chunks, so a million entries never exist as one string,
 * and appending keeps the existing bytes instead of serialising them again.
 */
import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '../errors.js';
import { withFileLock } from '../store/file-lock.js';
import { backupFile } from '../store/json-file.js';
import { parseJsonText } from '../store/json-text.js';

/** The store's path inside a workspace. */
export function storePath(workspace: string): string {
  return path.join(workspace, 'memory', 'store.json');
}

/** Read the store: undefined when missing; a corrupt or non-array file throws naming the file. */
export async function readStore(file: string): Promise<unknown[] | undefined> {
  return (await readStoreFile(file, false))?.entries;
}

interface StoreFile {
  entries: unknown[];
  /** The file's bytes when asked for, so that appending can keep them instead of serialising them again. */
  bytes: Buffer | undefined;
}

async function readStoreFile(file: string, keepBytes: boolean): Promise<StoreFile | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value = parseJsonText(bytes.toString('utf8'), file);
  // Holding a large file's bytes through a whole consolidation would only add to the peak memory.
  if (Array.isArray(value)) return { entries: value, bytes: keepBytes ? bytes : undefined };
  const found = value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  throw new RunnerError('store.invalid', `${file}: the memory store must be a JSON array, found ${found}`, { file });
}

/**
 * What an update of the store decided, besides its result: `next` replaces every entry; `append`
 * adds entries at the end, keeping the existing text as it is; neither leaves the file alone.
 */
export interface StoreChange<R> {
  next?: unknown[];
  append?: unknown[];
  result: R;
}

// The run holds the lock while it parses and dedupes; a large store can keep the event loop busy
// for seconds, longer than the lock helper's default staleness.
const STORE_LOCK_STALE_MS = 60_000;

/**
 * Read-modify-write the store under its lock: `compute` sees the current entries (undefined when
 * there is no store) and decides; when it returns entries they replace the store, after the old
 * file is copied to `store.json.bak`. In dry-run nothing is locked or written.
 */
export async function updateStore<R>(
  file: string,
  compute: (current: unknown[] | undefined) => StoreChange<R> | Promise<StoreChange<R>>,
  options: { dryRun: boolean; /** Keep the file's bytes for an `append`. */ appending?: boolean },
): Promise<R> {
  if (options.dryRun) return (await compute(await readStore(file))).result;
  return withFileLock(
    file,
    async () => {
      const current = await readStoreFile(file, options.appending ?? false);
      const { next, append, result } = await compute(current?.entries);
      const changed = next !== undefined || (append !== undefined && append.length > 0);
      if (!changed) return result;
      if (current !== undefined) await backupFile(file);
      if (next !== undefined) await writeJsonArrayAtomic(file, next);
      else if (current?.bytes === undefined) await writeJsonArrayAtomic(file, [...(current?.entries ?? []), ...append!]);
      else await appendJsonArrayAtomic(file, current.entries, current.bytes, append!);
      return result;
    },
    STORE_LOCK_STALE_MS,
  );
}

// Entries are serialised a slice at a time: one native JSON.stringify per slice is much cheaper
// than one per entry, and a slice's text is small enough to write and forget.
const SLICE_ENTRIES = 4096;

/**
 * Write `entries` as `JSON.stringify(entries, null, 2)` plus a newline (the bytes the store helpers
 * write), to a temporary file that is fsynced and renamed into place, keeping the old file's mode.
 */
export async function writeJsonArrayAtomic(file: string, entries: readonly unknown[]): Promise<void> {
  await writeAtomic(file, async (handle) => {
    if (entries.length === 0) await handle.write('[]\n');
    for (let from = 0; from < entries.length; from += SLICE_ENTRIES) {
      const slice = JSON.stringify(entries.slice(from, from + SLICE_ENTRIES), null, 2);
      // `[\n  a,\n  b\n]` is exactly how these entries look inside the whole array.
      const inner = slice.slice(2, -2);
      const last = from + SLICE_ENTRIES >= entries.length;
      await handle.write(`${from === 0 ? '[\n' : ',\n'}${inner}${last ? '\n]\n' : ''}`);
    }
  });
}

/**
 * Append `added` to the array in `bytes` (parsed as `entries`) by writing them up to the closing bracket and then
 * the new entries, formatted as {@link writeJsonArrayAtomic} would: entries already there keep
 * their exact text, and a large store is not serialised again.
 */
async function appendJsonArrayAtomic(file: string, entries: readonly unknown[], bytes: Buffer, added: readonly unknown[]): Promise<void> {
  const close = closingBracket(bytes);
  const inner = JSON.stringify(added, null, 2).slice(2, -2);
  await writeAtomic(file, async (handle) => {
    await handle.write(bytes.subarray(0, close.contentEnd));
    const separator = entries.length === 0 ? '\n' : ',\n';
    await handle.write(`${separator}${inner}\n]\n`);
  });
}

// The parsed text is an array, so its last non-blank byte is the closing bracket; what matters is
// where the content before it ends (dropping the blank bytes between).
function closingBracket(bytes: Buffer): { contentEnd: number } {
  let end = bytes.length - 1;
  while (end >= 0 && isBlank(bytes[end]!)) end--;
  let contentEnd = end;
  while (contentEnd > 0 && isBlank(bytes[contentEnd - 1]!)) contentEnd--;
  return { contentEnd };
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

async function writeAtomic(file: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const mode = await stat(file).then(
    (s) => s.mode & 0o7777,
    () => undefined,
  );
  const handle = await open(temporary, 'wx', 0o644);
  try {
    await write(handle);
    await handle.sync();
    await handle.close();
    if (mode !== undefined) await chmod(temporary, mode);
    await rename(temporary, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
