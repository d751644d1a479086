import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** How often watched files are looked at when no file-system event came (ms). */
export const WATCH_POLL_MS = 250;

/**
 * Call `onChange(file)` when one of `files` changes (size, time or inode; created or removed),
 * until `signal` aborts. Their folders are watched (fs.watch) and, as fs.watch misses some events
 * (network file systems, a folder created later), every file's stat is also compared every
 * `pollMs`, so a change is seen within that at the latest. Atomic replaces (rename over) count.
 * Resolves once the files' current state is known: changes from then on are reported.
 */
export async function watchFiles(files: readonly string[], onChange: (file: string) => void, signal: AbortSignal, pollMs = WATCH_POLL_MS): Promise<void> {
  const seen = new Map<string, string>();
  let checking = false;
  let again = false;
  const check = async () => {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      do {
        again = false;
        for (const file of files) {
          const info = await stat(file).catch(() => undefined);
          const signature = info ? `${info.ino}:${info.size}:${info.mtimeMs}` : 'missing';
          const before = seen.get(file);
          seen.set(file, signature);
          if (before !== undefined && before !== signature && !signal.aborted) onChange(file);
        }
      } while (again && !signal.aborted);
    } finally {
      checking = false;
    }
  };
  await check();
  const timer = setInterval(() => void check(), pollMs);
  timer.unref();
  const watchers: FSWatcher[] = [];
  for (const dir of new Set(files.map((file) => path.dirname(file)))) {
    try {
      const watcher = watch(dir, { persistent: false }, () => void check());
      watcher.on('error', () => undefined);
      watchers.push(watcher);
    } catch {
      // No such folder yet, or no watching here: polling alone will do.
    }
  }
  signal.addEventListener(
    'abort',
    () => {
      clearInterval(timer);
      for (const watcher of watchers) watcher.close();
    },
    { once: true },
  );
}
