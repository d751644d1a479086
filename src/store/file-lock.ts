import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/** How long a short-lived file lock may be waited for before giving up (ms). */
const WAIT_MS = 30_000;

/**
 * Run `fn` while holding a short-lived lock on `file` (a `<file>.lock` directory beside it), so
 * that concurrent read-modify-write cycles from many processes serialise instead of losing updates.
 * The lock is taken over when its holder died more than `staleMs` ago.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, staleMs = 10_000): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true });
  let compromised: Error | undefined;
  const release = await lockfile.lock(file, {
    realpath: false,
    stale: staleMs,
    retries: { retries: Math.ceil(WAIT_MS / 100), minTimeout: 5, maxTimeout: 100, factor: 1.5, randomize: true },
    onCompromised: (error) => {
      compromised = error;
    },
  });
  try {
    const result = await fn();
    if (compromised) throw compromised;
    return result;
  } finally {
    if (!compromised) await release().catch(() => undefined);
  }
}
