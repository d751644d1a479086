/**
 * The one lock of the runner: every lock it takes on disk (a task's lock, a batch queue's executor
 * lock, the short lock of a store file's read-modify-write) is a directory made with proper-lockfile.
 *
 * The stale rule, the same for every lock: the holder refreshes the directory's time every
 * `staleMs / 2` while it holds it; a lock whose time is older than `staleMs` has a dead holder and
 * is taken over by the next taker. `staleMs` is {@link LOCK_STALE_MS} (30 s) unless the config's
 * `lock.staleMs` says otherwise (task locks, SPEC §4). A holder whose lock was taken over learns it
 * through `onCompromised` (or `assertHeld`) and must stop before it writes.
 *
 * A lock held by a live process is either refused at once ({@link tryLock}: a task or a batch that
 * is already running) or waited for ({@link withFileLock}: a store update, up to
 * {@link LOCK_WAIT_MS}, which is longer than `staleMs` so that a dead holder's lock is always taken
 * over within the wait). A lock that cannot be made at all (read-only file system, no permission,
 * disk full) fails at once, naming the path.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Lockfile from 'proper-lockfile';
import { RunnerError } from '../shared/errors.js';
import { resolveStorePath } from './resolve-path.js';

/** A lock whose holder stopped refreshing it this long ago (ms) is taken over. */
export const LOCK_STALE_MS = 30_000;
/** How long a store update waits for a lock held by another process (ms): past the stale age, so a dead holder's lock is taken over in time. */
export const LOCK_WAIT_MS = LOCK_STALE_MS + 30_000;

/** A lock taken with {@link tryLock}. */
export interface Lock {
  /** The lock's directory. */
  readonly path: string;
  /** Release the lock; safe to call more than once and after it was lost. */
  release(): Promise<void>;
}

/** Options of {@link tryLock}. */
export interface TryLockOptions {
  /** The stale age (default {@link LOCK_STALE_MS}). */
  staleMs?: number;
  /** What the lock is, for messages: `the task lock`, `the batch executor lock`. */
  what: string;
  /** Called once when the lock is lost while held (its directory removed, or taken over as stale). */
  onCompromised: (error: RunnerError) => void;
}

/**
 * Take the lock directory `lockPath` without waiting (its folder is made when missing). Resolves to
 * undefined when a live holder has it; a dead holder's lock is taken over (see the stale rule
 * above). Throws `lock.failed`, not retryable, when the lock cannot be made at all.
 */
export async function tryLock(lockPath: string, options: TryLockOptions): Promise<Lock | undefined> {
  const lockfile = await loadLockfile();
  let lost = false;
  let release: () => void;
  try {
    makeFolder(path.dirname(lockPath));
    release = takeLockDir(lockfile, lockPath, options.staleMs ?? LOCK_STALE_MS, (error) => {
      lost = true;
      options.onCompromised(new RunnerError('lock.compromised', `${options.what} ${lockPath} was compromised: ${error.message}`, { cause: error, file: lockPath }));
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw lockFailed(options.what, lockPath, error);
  }
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released || lost) return;
      released = true;
      try {
        release();
      } catch {
        // Already gone (removed by hand, or taken over as stale): nothing left to release.
      }
    },
  };
}

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** The stale age (default {@link LOCK_STALE_MS}). */
  staleMs?: number;
  /** Give up on a lock held by a live process after this long (default {@link LOCK_WAIT_MS}). */
  waitMs?: number;
}

/** A store file's lock as the locked function sees it. */
export interface HeldLock {
  /** The file the lock is for, symbolic links resolved: read and replace this path. */
  readonly file: string;
  /** Throws `lock.compromised` when the lock was lost (taken over as stale): call it before committing a write. */
  assertHeld(): void;
}

// Errors a retry cannot fix: the lock directory cannot be made at all.
const PERMANENT = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'ENOSPC', 'EDQUOT', 'ELOOP', 'ENAMETOOLONG']);

/**
 * Run `fn` while holding the lock of the store file `file` (a `<file>.lock` directory beside the
 * file the path resolves to), so that concurrent read-modify-write cycles from many processes
 * serialise instead of losing updates. Errors name the file: `store.locked` when the wait is over,
 * `store.unwritable` when the lock cannot be made, `lock.compromised` when it was lost.
 */
export async function withFileLock<T>(file: string, fn: (lock: HeldLock) => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const { staleMs = LOCK_STALE_MS, waitMs = LOCK_WAIT_MS } = options;
  const resolved = await resolveStorePath(file).catch((error: unknown) => {
    throw unwritable(file, error);
  });
  const lockPath = `${resolved}.lock`;
  const lockfile = await loadLockfile();
  let compromised: Error | undefined;
  const onCompromised = (error: Error) => {
    compromised = error;
  };
  const deadline = Date.now() + waitMs;
  let delay = 5;
  let release: () => void;
  for (;;) {
    try {
      release = takeLockDir(lockfile, lockPath, staleMs, onCompromised);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw unwritable(file, error);
      if (Date.now() >= deadline) {
        throw new RunnerError('store.locked', `${file} is locked by another process (${lockPath}) and was not released within ${Math.round(waitMs / 1000)} s`, { file, cause: error });
      }
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 1.5, 100);
    }
  }
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
    if (!compromised) {
      try {
        release();
      } catch {
        // Already gone: nothing left to release.
      }
    }
  }
}

// The one call of proper-lockfile. Synchronous: taking and releasing a lock is one mkdir and one
// rmdir, which done through the thread pool cost a worker much of each queued job's time (measured:
// docs/benchmarks.md, Worker cost per job; the refresh of the lock's time, the stale check and the takeover are the same
// as the async API's).
// Keyed by the lock's own path: proper-lockfile keeps one lock per resource path in a process.
function takeLockDir(lockfile: typeof Lockfile, lockPath: string, staleMs: number, onCompromised: (error: Error) => void): () => void {
  return lockfile.lockSync(lockPath, { lockfilePath: lockPath, realpath: false, stale: staleMs, retries: 0, onCompromised });
}

let lockfileModule: typeof Lockfile | undefined;

// Loaded on first use (it patches fs through graceful-fs): commands that take no lock skip it. Kept,
// because each `import()` of it in the bundle copies its exports again.
async function loadLockfile(): Promise<typeof Lockfile> {
  lockfileModule ??= (await import('proper-lockfile')).default;
  return lockfileModule;
}

/**
 * `mkdir -p`, with the real reason when it fails: a recursive mkdir on a read-only file system
 * reports ENOENT, so the first missing folder is made on its own to get EROFS (or EACCES…).
 * Synchronous: loading node:fs/promises costs a start time (measured: docs/benchmarks.md).
 */
function makeFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = dir;
    while (!existsSync(path.dirname(missing)) && path.dirname(missing) !== missing) missing = path.dirname(missing);
    mkdirSync(missing);
    throw error;
  }
}

/**
 * The error for a lock that cannot be taken at all. It is never retried: a read-only or full file
 * system, a permission or a too-long name stays as it is, and retrying only delays the report.
 */
function lockFailed(what: string, lockPath: string, error: unknown): RunnerError {
  const code = (error as NodeJS.ErrnoException).code;
  const hint = code === undefined ? '' : (LOCK_ERROR_HINTS[code] ?? '');
  return new RunnerError('lock.failed', `cannot take ${what} ${lockPath}: ${(error as Error).message}${hint}`, { cause: error, file: lockPath, retryable: false });
}

const LOCK_ERROR_HINTS: Record<string, string> = {
  EROFS: ' (a read-only file system)',
  EACCES: ' (no permission to write there)',
  EPERM: ' (no permission to write there)',
  ENOSPC: ' (the disk is full)',
  ENAMETOOLONG: ' (the path is too long)',
};

function unwritable(file: string, error: unknown): RunnerError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = error instanceof Error ? error.message : String(error);
  return new RunnerError('store.unwritable', `cannot lock ${file} for writing: ${reason}`, { file, cause: error, retryable: code === undefined || !PERMANENT.has(code) });
}
