import { statSync } from 'node:fs';
import { readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Keeps the compiled-module cache from growing for ever: every edit of a task file leaves its old
 * compiled forms behind. Pruning walks the folder, so it runs at most once a day (a stamp file's
 * time says when it last ran), not on every run.
 *
 * What goes: entries unused for `maxAgeDays` (a use refreshes an entry's time, see module-cache.ts),
 * temporary files left by a run killed mid-write, and, while the folder is over `maxBytes`, the
 * least recently used entries. An entry used within the last day is never removed, so a concurrent
 * run never loses a module it is about to import; the size cap is therefore a soft one.
 */

export interface PruneOptions {
  /** Remove entries unused for this many days (default 30). */
  maxAgeDays?: number;
  /** Remove the least recently used entries while the cache is larger than this (default 64 MiB). */
  maxBytes?: number;
  /** The current time (default now). */
  now?: number;
  /** Prune even when the last pruning was less than a day ago. */
  force?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const STAMP = '.last-prune';
/** A temporary file older than this belongs to a run that died mid-write. */
const TEMPORARY_MAX_AGE_MS = 60 * 60 * 1000;

/** Prune the cache folder `dir` when it was not pruned in the last day; resolves to the files removed. */
export async function pruneModuleCache(dir: string, options: PruneOptions = {}): Promise<string[]> {
  const now = options.now ?? Date.now();
  const stamp = path.join(dir, STAMP);
  // Checked synchronously on every run: node:fs/promises (slow to load; measured:
  // docs/benchmarks.md) is needed only to prune.
  const last = statSync(stamp, { throwIfNoEntry: false });
  if (!options.force && last && now - last.mtimeMs < DAY_MS) return [];
  // Stamp first, so that concurrent runs do not all prune at once.
  await writeFile(stamp, '', { mode: 0o600 });
  // The stamp's time is the clock this prune went by (the injected one in tests), not the moment
  // the write happened to land.
  await utimes(stamp, new Date(now), new Date(now));
  const entries = await cacheEntries(dir);
  const doomed = choose(entries, now, options.maxAgeDays ?? 30, options.maxBytes ?? 64 * 1024 * 1024);
  // force: another run may have removed it first.
  await Promise.all(doomed.map((file) => rm(file, { force: true })));
  return doomed;
}

interface Entry {
  file: string;
  size: number;
  usedAt: number;
}

async function cacheEntries(dir: string): Promise<Entry[]> {
  const names = (await readdir(dir)).filter((name) => name !== STAMP);
  const entries = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      const stats = await stat(file).catch(() => undefined);
      return stats?.isFile() ? { file, size: stats.size, usedAt: stats.mtimeMs } : undefined;
    }),
  );
  return entries.filter((entry) => entry !== undefined);
}

function choose(entries: Entry[], now: number, maxAgeDays: number, maxBytes: number): string[] {
  const isTemporary = (entry: Entry) => entry.file.endsWith('.tmp');
  const expired = (entry: Entry) =>
    now - entry.usedAt > (isTemporary(entry) ? TEMPORARY_MAX_AGE_MS : maxAgeDays * DAY_MS);
  const doomed = entries.filter(expired);
  const kept = entries.filter((entry) => !expired(entry)).sort((a, b) => a.usedAt - b.usedAt);
  let total = kept.reduce((sum, entry) => sum + entry.size, 0);
  for (const entry of kept) {
    if (total <= maxBytes || now - entry.usedAt < DAY_MS) break;
    doomed.push(entry);
    total -= entry.size;
  }
  return doomed.map((entry) => entry.file);
}
