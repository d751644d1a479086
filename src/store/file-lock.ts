import { setTimeout as sleep } from 'node:timers/promises';
import { RunnerError } from '../shared/errors.js';
import { resolveStorePath } from './resolve-path.js';

/** How long a short-lived store lock held by a live process is waited for before giving up (ms). */
export const LOCK_WAIT_MS = 30_000;
/** A lock whose holder stopped refreshing it this long ago (ms) is taken over. */
export const LOCK_STALE_MS = 10_000;

export interface FileLockOptions {
  /** Take the lock over when its holder stopped refreshing it this long ago (ms). */
  staleMs?: number;
  /** Give up on a lock held by a live process after this long (ms). */
  waitMs?: number;
}

/** The lock as the locked function sees it. */
export interface HeldLock {
  /** The file the lock is for, symbolic links resolved: read and replace this path. */
  readonly file: string;
  /** Throws `lock.compromised` when the lock was lost (taken over as stale): call it before committing a write. */
  assertHeld(): void;
}

// Errors a retry cannot fix: the lock directory cannot be made at all.
const PERMANENT = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'ENOSPC', 'EDQUOT', 'ELOOP', 'ENAMETOOLONG']);

/**
 * Run `fn` while holding a short-lived lock on `file` (a `<file>.lock` directory beside the file
 * the path resolves to), so that concurrent read-modify-write cycles from many processes serialise
 * instead of losing updates. A lock held by a live process is waited for up to `waitMs`; one whose
 * holder died is taken over after `staleMs`; a lock that cannot be made (read-only file system, no
 * permission, disk full) fails at once. Every error names the file.
 */
export async function withFileLock<T>(file: string, fn: (lock: HeldLock) => Promise<T>, options: FileLockOptions | number = {}): Promise<T> {
  const { staleMs = LOCK_STALE_MS, waitMs = LOCK_WAIT_MS } = typeof options === 'number' ? { staleMs: options } : options;
  const resolved = await resolveStorePath(file).catch((error: unknown) => {
    throw unwritable(file, error);
  });
  let compromised: Error | undefined;
  const release = await acquire(file, resolved, staleMs, waitMs, (error) => {
    compromised = error;
  });
  const held: HeldLock = {
    file: resolved,
    assertHeld() {
      if (compromised) {
        throw new RunnerError('lock.compromised', `lost the lock on ${file} (${compromised.message}); nothing was written`, { file, cause: compromised });
      }
    },
  };
  try {
    const result = await fn(held);
    held.assertHeld();
    return result;
  } finally {
    if (!compromised) await release().catch(() => undefined);
  }
}

async function acquire(file: string, resolved: string, staleMs: number, waitMs: number, onCompromised: (error: Error) => void): Promise<() => Promise<void>> {
  // Loaded on first use (it patches fs through graceful-fs): a command that only reads skips it.
  const { default: lockfile } = await import('proper-lockfile');
  const deadline = Date.now() + waitMs;
  let delay = 5;
  for (;;) {
    try {
      // Retries are ours, so that only a held lock is waited for.
      return await lockfile.lock(resolved, { realpath: false, stale: staleMs, retries: 0, onCompromised });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw unwritable(file, error);
      if (Date.now() >= deadline) {
        throw new RunnerError('store.locked', `${file} is locked by another process (${resolved}.lock) and was not released within ${Math.round(waitMs / 1000)} s`, { file, cause: error });
      }
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 1.5, 100);
    }
  }
}

function unwritable(file: string, error: unknown): RunnerError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = error instanceof Error ? error.message : String(error);
  return new RunnerError('store.unwritable', `cannot lock ${file} for writing: ${reason}`, {
    file,
    cause: error,
    retryable: code === undefined || !PERMANENT.has(code),
  });
}
