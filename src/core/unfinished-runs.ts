import type { RunnerError } from '../shared/errors.js';

/**
 * Runs that hold their lock and have not written their record yet. A task can end the process
 * under the runner (`process.exit()`), or await something that never settles until the event loop
 * runs empty; then `runTask` never gets to write its record. Whoever owns the process (the CLI)
 * calls {@link recordUnfinishedRuns} from its `exit`/`beforeExit` handlers, so every started run
 * still ends with exactly one record.
 */

/** Writes the record of a run that cannot finish (synchronously) and says what it recorded. */
export type RecordUnfinished<T> = (reason: RunnerError) => T;

const unfinished = new Set<RecordUnfinished<unknown>>();

/** Register a run in flight; the returned function unregisters it (once its record is written). */
export function trackUnfinishedRun<T>(record: RecordUnfinished<T>): () => void {
  unfinished.add(record);
  return () => unfinished.delete(record);
}

/** What recording one unfinished run gave: its record, or the error that kept it from being written. */
export type UnfinishedResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Record every run still in flight as failed with `reason`, synchronously (this runs in an `exit`
 * handler, where nothing asynchronous happens any more). Returns what each run recorded.
 */
export function recordUnfinishedRuns<T = unknown>(reason: RunnerError): UnfinishedResult<T>[] {
  const results: UnfinishedResult<T>[] = [];
  for (const record of [...unfinished]) {
    unfinished.delete(record);
    try {
      results.push({ ok: true, value: record(reason) as T });
    } catch (error) {
      results.push({ ok: false, error });
    }
  }
  return results;
}
