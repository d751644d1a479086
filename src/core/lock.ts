import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type Lockfile from 'proper-lockfile';
import { RunnerError } from '../shared/errors.js';

/** Default age after which a lock whose holder stopped refreshing it is taken over (SPEC §4). */
export const DEFAULT_STALE_MS = 30_000;

/** A held per-task lock. */
export interface TaskLock {
  readonly path: string;
  /** Release the lock; safe to call more than once and after compromise. */
  release(): Promise<void>;
}

/**
 * A task lock that its holder keeps across runs (a worker running one task's jobs back to back):
 * a run given one neither takes nor releases a lock, and is aborted when `lost` fires (the lock was
 * compromised), with a `lock.compromised` error as its reason.
 */
export interface HeldTaskLock {
  readonly path: string;
  readonly lost: AbortSignal;
}

export interface AcquireTaskLockOptions {
  staleMs?: number;
  /** Called when the lock is lost while held (its directory removed or not refreshable). */
  onCompromised: (error: RunnerError) => void;
}

/** Where a task's lock lives: under the home, never in a world-writable temporary folder. */
export function taskLockPath(home: string, taskName: string): string {
  return path.join(home, 'logs', '.locks', `${taskName}.lock`);
}

/**
 * Take the per-task lock without waiting. Resolves to `undefined` when a live run holds it; a lock
 * whose holder died is taken over once it is older than `staleMs` (proper-lockfile refreshes the
 * lock's mtime while held, so only a dead holder's lock goes stale).
 */
export async function acquireTaskLock(
  home: string,
  taskName: string,
  options: AcquireTaskLockOptions,
): Promise<TaskLock | undefined> {
  const lockPath = taskLockPath(home, taskName);
  const lockfile = await loadLockfile();
  let compromised = false;
  let release: () => void;
  try {
    makeFolder(path.dirname(lockPath));
    // The synchronous API: taking and releasing a lock is one mkdir and one rmdir, which done
    // through the thread pool cost a worker much of each queued job's time (measured:
    // docs/benchmarks.md; the refresh of the lock's time, the stale check and takeover are the
    // same in both).
    release = lockfile.lockSync(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale: options.staleMs ?? DEFAULT_STALE_MS,
      retries: 0,
      onCompromised: (error) => {
        compromised = true;
        options.onCompromised(
          new RunnerError('lock.compromised', `lock ${lockPath} was compromised: ${error.message}`, {
            cause: error,
            file: lockPath,
          }),
        );
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
    throw lockError(lockPath, error);
  }
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released || compromised) return;
      released = true;
      try {
        release();
      } catch {
        // Already gone (removed by hand, or taken over as stale): nothing left to release.
      }
    },
  };
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
function lockError(lockPath: string, error: unknown): RunnerError {
  const code = (error as NodeJS.ErrnoException).code;
  const hint = code === undefined ? '' : (LOCK_ERROR_HINTS[code] ?? '');
  return new RunnerError('lock.failed', `cannot take the task lock ${lockPath}: ${(error as Error).message}${hint}`, {
    cause: error,
    file: lockPath,
    retryable: false,
  });
}

const LOCK_ERROR_HINTS: Record<string, string> = {
  EROFS: ' (the runner home is on a read-only file system)',
  EACCES: ' (no permission to write under the runner home)',
  EPERM: ' (no permission to write under the runner home)',
  ENOSPC: ' (the disk is full)',
  ENAMETOOLONG: ' (the path is too long)',
};
