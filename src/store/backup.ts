import { createReadStream } from 'node:fs';
import { link, rename, stat, unlink } from 'node:fs/promises';
import { writeAtomic } from './atomic-write.js';

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

// Through the one atomic writer, streamed: a 300 MiB store is never read into memory at once.
async function copyThroughTemporary(file: string, backup: string): Promise<void> {
  const like = await stat(file);
  await writeAtomic(
    backup,
    async (sink) => {
      for await (const chunk of createReadStream(file)) await sink.write(chunk as Buffer);
    },
    { like },
  );
}

async function ignoreMissing(operation: Promise<void>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
