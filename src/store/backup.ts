import { randomBytes } from 'node:crypto';
import { copyFile, link, rename, unlink } from 'node:fs/promises';
import { removeStaleTemporaries } from './atomic-write.js';

/**
 * How many old versions of a store are kept: `<file>.bak` (the newest), `<file>.bak.1`, …,
 * `<file>.bak.<n-1>`. Three generations survive two bad runs in a row at no cost (see below).
 */
export const BACKUP_GENERATIONS = 3;

/**
 * Keep the current `file` as `<file>.bak`, shifting older backups one generation down and dropping
 * the oldest. Call it under the file's lock, right before the file is replaced.
 *
 * The backup is a hard link to the current file: the stores only ever replace a file by renaming a
 * new one over it, never write into it, so the linked bytes stay exactly the old version, and a
 * backup of a 300 MiB store costs one directory entry instead of a copy. Where the file system
 * cannot link, the file is copied instead (through a temporary name, so no half backup is left).
 */
export async function backupFile(file: string, generations = BACKUP_GENERATIONS): Promise<string> {
  const newest = `${file}.bak`;
  const names = [newest, ...Array.from({ length: generations - 1 }, (_, k) => `${newest}.${k + 1}`)];
  // Renaming over the oldest drops it; with one generation the old backup is simply removed.
  if (names.length === 1) await ignoreMissing(unlink(newest));
  for (let k = names.length - 1; k >= 1; k--) await ignoreMissing(rename(names[k - 1]!, names[k]!));
  try {
    await link(file, newest);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    await copyThroughTemporary(file, newest);
  }
  return newest;
}

async function copyThroughTemporary(file: string, backup: string): Promise<void> {
  await removeStaleTemporaries(backup);
  const temporary = `${backup}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await copyFile(file, temporary);
    await rename(temporary, backup);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

async function ignoreMissing(operation: Promise<void>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
