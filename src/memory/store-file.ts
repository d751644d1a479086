/**
 * The memory store, `memory/store.json`: a plain JSON array, read strictly (a file that cannot be
 * parsed is reported and never overwritten), updated under a lock with a `.bak` backup and an
 * atomic replace. The array is written in chunks, so a million entries never exist as one string.
 */
import { randomBytes } from 'node:crypto';
import { chmod, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '../errors.js';
import { withFileLock } from '../store/file-lock.js';
import { backupFile, readJsonFile } from '../store/json-file.js';

/** The store's path inside a workspace. */
export function storePath(workspace: string): string {
  return path.join(workspace, 'memory', 'store.json');
}

/** Read the store: undefined when missing; a corrupt or non-array file throws naming the file. */
export async function readStore(file: string): Promise<unknown[] | undefined> {
  const value = await readJsonFile(file);
  if (value === undefined || Array.isArray(value)) return value;
  const found = value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  throw new RunnerError('store.invalid', `${file}: the memory store must be a JSON array, found ${found}`, { file });
}

/** What an update of the store decided: the new entries (undefined: leave the file alone) and a result. */
export interface StoreChange<R> {
  next: unknown[] | undefined;
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
  options: { dryRun: boolean },
): Promise<R> {
  if (options.dryRun) return (await compute(await readStore(file))).result;
  return withFileLock(
    file,
    async () => {
      const current = await readStore(file);
      const { next, result } = await compute(current);
      if (next !== undefined) {
        if (current !== undefined) await backupFile(file);
        await writeJsonArrayAtomic(file, next);
      }
      return result;
    },
    STORE_LOCK_STALE_MS,
  );
}

const CHUNK_CHARS = 1 << 20;

/**
 * Write `entries` as `JSON.stringify(entries, null, 2)` plus a newline (the bytes the store helpers
 * write), to a temporary file that is fsynced and renamed into place, keeping the old file's mode.
 */
export async function writeJsonArrayAtomic(file: string, entries: readonly unknown[]): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const mode = await stat(file).then(
    (s) => s.mode & 0o7777,
    () => undefined,
  );
  const handle = await open(temporary, 'wx', 0o644);
  try {
    let chunk = '[';
    for (let i = 0; i < entries.length; i++) {
      const json = JSON.stringify(entries[i], null, 2) ?? 'null';
      chunk += `${i === 0 ? '' : ','}\n  ${json.includes('\n') ? json.replaceAll('\n', '\n  ') : json}`;
      if (chunk.length >= CHUNK_CHARS) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    chunk += entries.length === 0 ? ']\n' : '\n]\n';
    await handle.write(chunk);
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
