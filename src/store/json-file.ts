import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomic } from './atomic-write.js';
import { backupFile } from './backup.js';
import { withFileLock } from './lock.js';
import { isUnchanged, writeContainer } from './json-container-writer.js';
import { readJsonDocument } from './json-document.js';
import { planRewrite, snapshotElements } from './json-rewrite.js';
import { parseJsonText } from './json-text.js';
import { READ_LIMITS, readStoreBytes } from './read-file.js';

export { backupFile } from './backup.js';

/** Options shared by the write helpers. */
export interface WriteOptions {
  /** When true nothing is written. */
  dryRun?: boolean;
}

export interface ReadJsonFileOptions {
  /** Refuse a file larger than this (default `READ_LIMITS.json`, 64 MiB). */
  maxBytes?: number;
}

export interface UpdateJsonFileOptions extends WriteOptions, ReadJsonFileOptions {
  /** Keep the current file as `<file>.bak` (older ones as `.bak.1`, `.bak.2`) before replacing it. */
  backup?: boolean;
  /** Indentation of the written JSON (default 2, as the Python tools wrote). */
  indent?: number;
}

/**
 * Read and parse a JSON file. Resolves to `undefined` when the file does not exist; a file that
 * cannot be parsed rejects with `store.corrupt` naming the file and position; anything but a
 * regular file, or a file over the size limit, rejects naming the file.
 */
export async function readJsonFile<T = unknown>(file: string, options: ReadJsonFileOptions = {}): Promise<T | undefined> {
  const bytes = await readStoreBytes(file, options.maxBytes ?? READ_LIMITS.json);
  return bytes === undefined ? undefined : (parseJsonText(bytes.toString('utf8'), file) as T);
}

/** Serialise as the Python tools did (indent 2), with a trailing newline. */
export function formatJson(value: unknown, indent = 2): string {
  return `${JSON.stringify(value, null, indent)}\n`;
}

/**
 * Read-modify-write a JSON file under its own lock: read strictly (a corrupt file rejects and is
 * left untouched), let `update` compute the new value, back up the old file if asked, replace
 * atomically. A symbolic link is followed: the target is locked and replaced, the link stays.
 * Top-level elements the update left unchanged are written back byte for byte (see
 * json-rewrite.ts); an update that changes nothing writes nothing. In dry-run `update` runs on
 * the current value and nothing is written.
 */
export async function updateJsonFile<T>(
  file: string,
  update: (current: T | undefined) => T | Promise<T>,
  options: UpdateJsonFileOptions = {},
): Promise<T> {
  const maxBytes = options.maxBytes ?? READ_LIMITS.json;
  if (options.dryRun) return update(await readJsonFile<T>(file, { maxBytes }));
  const indent = options.indent ?? 2;
  return withFileLock(file, async (lock) => {
    const current = await readJsonDocument(lock.file, maxBytes, file);
    const snapshot = current && snapshotElements(current);
    const next = await update(current?.value as T | undefined);
    const plan = planRewrite(current, snapshot, next, indent);
    if (plan && isUnchanged(plan)) return next;
    lock.assertHeld();
    if (options.backup && current !== undefined) await backupFile(lock.file);
    await writeAtomic(lock.file, (sink) => (plan ? writeContainer(sink, plan) : sink.write(formatJson(next, indent))), {
      beforeRename: () => lock.assertHeld(),
    });
    return next;
  });
}

/** Append text to a file, creating it and its folder when missing. */
export async function appendTextFile(file: string, text: string, options: WriteOptions = {}): Promise<void> {
  if (options.dryRun) return;
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, text, 'utf8');
}
