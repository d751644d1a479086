import path from 'node:path';
import type { RunnerError } from '../shared/errors.js';
import { tryLock, type Lock } from '../store/lock.js';

/** A held per-task lock. */
export type TaskLock = Lock;

/**
 * A task lock that its holder keeps across runs (a worker running one task's jobs back to back):
 * a run given one neither takes nor releases a lock, and is aborted when `lost` fires (the lock was
 * compromised), with a `lock.compromised` error as its reason.
 */
export interface HeldTaskLock {
  readonly path: string;
  readonly lost: AbortSignal;
}

/** Where a task's lock lives: under the home, never in a world-writable temporary folder. */
export function taskLockPath(home: string, taskName: string): string {
  return path.join(home, 'logs', '.locks', `${taskName}.lock`);
}

/**
 * Take the per-task lock without waiting (src/store/lock.ts: its stale rule, config `lock.staleMs`).
 * Resolves to `undefined` when a live run holds it.
 */
export function acquireTaskLock(home: string, taskName: string, options: { staleMs?: number; onCompromised: (error: RunnerError) => void }): Promise<TaskLock | undefined> {
  return tryLock(taskLockPath(home, taskName), { what: 'the task lock', staleMs: options.staleMs, onCompromised: options.onCompromised });
}
