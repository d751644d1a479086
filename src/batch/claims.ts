import { isoWithOffset } from '../shared/time.js';
import { executionOrder } from './order.js';
import { DEFAULT_MAX_ATTEMPTS, type QueuedEntry } from './queue-file.js';

/** An entry with something to execute, as opposed to one only logged as planned. */
export function isExecutable(entry: QueuedEntry): boolean {
  return entry.command !== undefined || entry.run !== undefined;
}

export interface ClaimOptions {
  runId: string;
  /** Ids not to take again in this run (already tried, or refused). */
  exclude: ReadonlySet<string>;
  /** At most this many entries. */
  max: number;
  /** A reason not to execute this entry (the queue file is unsafe), or undefined. */
  refuse?: (entry: QueuedEntry) => string | undefined;
  now?: Date;
}

export interface Claim {
  /** Claimed entries, in the order to execute them; their status is now `running`. */
  claimed: QueuedEntry[];
  /** Entries skipped with the reason; they stay pending. */
  refused: { entry: QueuedEntry; reason: string }[];
}

/**
 * Claim the next entries to execute, in `entries` (changed in place; the caller writes them back
 * under the queue file's lock). Planned entries are claimed together, as many as are next in line,
 * since logging them has no side effect to interleave; an entry with a command or a task is claimed
 * on its own, so that everything before it is settled first.
 */
export function claimNext(entries: QueuedEntry[], options: ClaimOptions): Claim {
  const refused: Claim['refused'] = [];
  const claimed: QueuedEntry[] = [];
  const inChunk = new Set<string>();
  const present = new Set(entries.map((entry) => entry.id));
  for (const entry of executionOrder(entries, options.exclude)) {
    if (claimed.length >= options.max) break;
    const reason = isExecutable(entry) ? options.refuse?.(entry) : undefined;
    if (reason !== undefined) {
      refused.push({ entry, reason });
      continue;
    }
    // Only entries ready now, or ready once the planned entries before them in this chunk are done.
    const ready = (entry.depends_on ?? []).every((dep) => !present.has(dep) || inChunk.has(dep) || isComplete(entries, dep));
    if (!ready) break;
    if (isExecutable(entry)) {
      if (claimed.length === 0) claimed.push(entry);
      break;
    }
    claimed.push(entry);
    inChunk.add(entry.id);
  }
  const at = isoWithOffset(options.now ?? new Date());
  for (const entry of claimed) {
    entry.status = 'running';
    entry.claimed_by = options.runId;
    entry.claimed_at = at;
  }
  return { claimed, refused };
}

function isComplete(entries: readonly QueuedEntry[], id: string): boolean {
  return entries.some((entry) => entry.id === id && entry.status === 'complete');
}

/** What happened to one claimed entry. */
export type Outcome =
  | { id: string; kind: 'done' }
  | { id: string; kind: 'failed'; error: string }
  /** Not finished (the run was stopped): back to pending, no attempt counted. */
  | { id: string; kind: 'released' };

export interface Settled {
  /** Entries that used up their attempts with this failure. */
  exhausted: QueuedEntry[];
  /** Entries that failed and will be retried by a later batch. */
  retrying: QueuedEntry[];
}

/**
 * Record outcomes in `entries` (in place): done entries leave the queue, failed ones count an
 * attempt and go back to pending or, out of attempts, become `failed`. Only entries this run still
 * holds a claim on are touched.
 */
export function settle(entries: QueuedEntry[], runId: string, outcomes: readonly Outcome[], now = new Date()): Settled {
  const settled: Settled = { exhausted: [], retrying: [] };
  const byId = new Map(outcomes.map((outcome) => [outcome.id, outcome]));
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    const outcome = byId.get(entry.id);
    if (!outcome || entry.status !== 'running' || entry.claimed_by !== runId) continue;
    if (outcome.kind === 'done') {
      entries.splice(index, 1);
      continue;
    }
    releaseClaim(entry);
    if (outcome.kind === 'released') continue;
    entry.attempts = (entry.attempts ?? 0) + 1;
    entry.error = outcome.error;
    if (entry.attempts >= (entry.max_attempts ?? DEFAULT_MAX_ATTEMPTS)) {
      entry.status = 'failed';
      entry.failed_at = isoWithOffset(now);
      settled.exhausted.unshift(entry);
    } else {
      settled.retrying.unshift(entry);
    }
  }
  return settled;
}

/** Back to pending, without the claim. */
export function releaseClaim(entry: QueuedEntry): void {
  entry.status = 'pending';
  delete entry.claimed_by;
  delete entry.claimed_at;
}
