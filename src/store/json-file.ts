import { copyFile, mkdir, readFile, rename, appendFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomicModule from 'write-file-atomic';
import { withFileLock } from './file-lock.js';
import { parseJsonText } from './json-text.js';

/** Options shared by the write helpers. */
export interface WriteOptions {
  /** When true nothing is written. */
  dryRun?: boolean;
}

export interface UpdateJsonFileOptions extends WriteOptions {
  /** Copy the current file to `<file>.bak` (atomically) before replacing it. */
  backup?: boolean;
  /** Indentation of the written JSON (default 2, as the Python tools wrote). */
  indent?: number;
}

/**
 * Read and parse a JSON file. Resolves to `undefined` when the file does not exist; a file that
 * cannot be parsed rejects with `store.corrupt` naming the file and position.
 */
export async function readJsonFile<T = unknown>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseJsonText(text, file) as T;
}

/** Write `data` to `file` through a temporary file renamed into place, so readers never see half a file. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomicModule(file, data, { fsync: true });
}

/** Serialise as the Python tools did (indent 2), with a trailing newline. */
export function formatJson(value: unknown, indent = 2): string {
  return `${JSON.stringify(value, null, indent)}\n`;
}

/**
 * Read-modify-write a JSON file under its own lock: read strictly (a corrupt file rejects and is
 * left untouched), let `update` compute the new value, back up the old file if asked, replace
 * atomically. In dry-run `update` runs on the current value and nothing is written.
 */
export async function updateJsonFile<T>(
  file: string,
  update: (current: T | undefined) => T | Promise<T>,
  options: UpdateJsonFileOptions = {},
): Promise<T> {
  if (options.dryRun) return update(await readJsonFile<T>(file));
  return withFileLock(file, async () => {
    const current = await readJsonFile<T>(file);
    const next = await update(current);
    if (options.backup && current !== undefined) await backupFile(file);
    await writeFileAtomic(file, formatJson(next, options.indent));
    return next;
  });
}

/** Copy `file` to `<file>.bak` through a temporary name, so a crash never leaves a half backup. */
export async function backupFile(file: string): Promise<string> {
  const backup = `${file}.bak`;
  const temporary = `${backup}.${process.pid}.tmp`;
  await copyFile(file, temporary);
  await rename(temporary, backup);
  return backup;
}

/** Append text to a file, creating it and its folder when missing. */
export async function appendTextFile(file: string, text: string, options: WriteOptions = {}): Promise<void> {
  if (options.dryRun) return;
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, text, 'utf8');
}
