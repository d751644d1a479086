/**
 * Exactly once across crashes: the argument.
 *
 * One executor runs a queue at a time: it holds the queue's executor lock, a lock beside
 * `batch-tasks.json` (not in the runner home, so executors started from different homes exclude
 * each other too; see `executorLockPath` in queue-store.ts). Every queue change happens under the queue file's own
 * short lock with an atomic replace, so each queue state below is either fully on disk or not at
 * all. An entry goes through these durable steps:
 *
 *   1. claim:   `pending` → `running`, `claimed_by: <run id>`            (queue file)
 *   2. execute: run the command or task; nothing durable for a planned entry
 *   3. log:     append its work block, ending with `<!-- batch-task:<id> run:<run id> -->` (diary)
 *   4. settle:  remove the entry from the queue                          (queue file)
 *
 * A group's blocks are appended by one `write`, journalled so that a write cut short (a full disk, a
 * kill) is removed before the next executor reads the diary (`diary-append.ts`); the marker ends its
 * block, so a marker in the diary means the entry's work block is there, whole. Kill the executor at
 * any instant, and the next executor finds:
 *
 *   - before 1: the entry `pending` — it runs as usual;
 *   - between 1 and 3: `running`, claimed by a run that is not alive (we hold the executor lock), and no
 *     marker — it goes back to `pending` and runs again (a command's side effects may therefore
 *     happen twice: execution is at least once, the diary is exactly once);
 *   - between 3 and 4: `running` with its marker in the diary — it is done: removed, not logged again;
 *   - after 4: gone from the queue; its block is in the diary once.
 *
 * A failed attempt is settled in step 4 instead (attempts + 1, back to `pending` or `failed`) and
 * writes no work block; a crash before that settle loses the attempt's count, not the entry.
 * Entries with `status: "complete"` were left by the old executor after it logged them: they are
 * removed, as it would have done.
 */
import { releaseClaim } from './claims.js';
import type { QueuedEntry } from './queue-file.js';

export interface Recovery {
  /** Claimed by an earlier run and already in the diary: removed from the queue. */
  completed: string[];
  /** Claimed by an earlier run and not in the diary: back to pending. */
  released: string[];
  /** Left as `complete` by the old executor: removed. */
  cleared: string[];
}

/**
 * Apply the recovery rules above to `entries`, in place. `logged` holds the ids that have a marker
 * in the diary; `runId` is the current run, whose own claims are never touched.
 */
export function recoverEntries(entries: QueuedEntry[], logged: ReadonlySet<string>, runId: string): Recovery {
  const recovery: Recovery = { completed: [], released: [], cleared: [] };
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    if (entry.status === 'complete') {
      entries.splice(index, 1);
      recovery.cleared.unshift(entry.id);
    } else if (entry.status === 'running' && entry.claimed_by !== runId) {
      if (logged.has(entry.id)) {
        entries.splice(index, 1);
        recovery.completed.unshift(entry.id);
      } else {
        releaseClaim(entry);
        recovery.released.unshift(entry.id);
      }
    }
  }
  return recovery;
}

/** True when recovery has something to change (so a dry run can say so, and a clean start skips a write). */
export function needsRecovery(entries: readonly QueuedEntry[], runId: string): boolean {
  return entries.some(
    (entry) => entry.status === 'complete' || (entry.status === 'running' && entry.claimed_by !== runId),
  );
}
