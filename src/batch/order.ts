import type { Priority, QueuedEntry } from './queue-file.js';

const PRIORITY_RANK: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

/** Where an entry stands with respect to running. */
export type Readiness =
  | { state: 'ready' }
  /** Dependencies still to run (pending or running); cycles also end up here. */
  | { state: 'waiting'; waitingFor: string[] }
  /** A dependency failed (directly or further up): it will not run until that is resolved. */
  | { state: 'blocked'; blockedBy: string[] }
  | { state: 'running' }
  | { state: 'failed' }
  | { state: 'complete' };

/** Priority first (high, medium, low; medium when unset), then the order of the file (FIFO). */
export function byPriorityThenFifo(entries: readonly QueuedEntry[]): QueuedEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => rank(a.entry) - rank(b.entry) || a.index - b.index)
    .map(({ entry }) => entry);
}

function rank(entry: QueuedEntry): number {
  return PRIORITY_RANK[entry.priority ?? 'medium'];
}

/**
 * The readiness of every entry. A dependency id that is no longer in the queue counts as done,
 * because completed tasks leave the queue.
 */
export function readinessOf(entries: readonly QueuedEntry[]): Map<string, Readiness> {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const result = new Map<string, Readiness>();
  const failedRoots = (entry: QueuedEntry, seen: Set<string>): string[] => {
    const roots: string[] = [];
    for (const dep of entry.depends_on ?? []) {
      const target = byId.get(dep);
      if (!target || seen.has(dep)) continue;
      seen.add(dep);
      if (target.status === 'failed') roots.push(dep);
      else roots.push(...failedRoots(target, seen));
    }
    return roots;
  };
  for (const entry of entries) {
    if (entry.status !== 'pending') {
      result.set(entry.id, { state: entry.status });
      continue;
    }
    const blockedBy = failedRoots(entry, new Set([entry.id]));
    if (blockedBy.length > 0) {
      result.set(entry.id, { state: 'blocked', blockedBy: [...new Set(blockedBy)] });
      continue;
    }
    const waitingFor = (entry.depends_on ?? []).filter((dep) => {
      const target = byId.get(dep);
      return target !== undefined && target.status !== 'complete';
    });
    result.set(entry.id, waitingFor.length > 0 ? { state: 'waiting', waitingFor } : { state: 'ready' });
  }
  return result;
}

/**
 * The order the pending entries would run in if every one succeeded: repeatedly the first ready
 * entry by priority then FIFO, where an entry becomes ready once everything it depends on has run.
 * Entries that can never run that way (blocked, or in a dependency cycle) are not included.
 */
export function executionOrder(entries: readonly QueuedEntry[], exclude: ReadonlySet<string> = new Set()): QueuedEntry[] {
  const present = new Map(entries.map((entry) => [entry.id, entry]));
  const done = new Set<string>();
  const readiness = readinessOf(entries);
  const candidates = byPriorityThenFifo(entries).filter(
    (entry) => entry.status === 'pending' && readiness.get(entry.id)?.state !== 'blocked' && !exclude.has(entry.id),
  );
  const satisfied = (dep: string): boolean => {
    const target = present.get(dep);
    return target === undefined || target.status === 'complete' || done.has(dep);
  };
  if (candidates.every((entry) => (entry.depends_on ?? []).length === 0)) return candidates;
  const order: QueuedEntry[] = [];
  // Quadratic only in the number of entries that wait for others; a plain queue is one pass.
  let remaining = candidates;
  while (remaining.length > 0) {
    const next = remaining.find((entry) => (entry.depends_on ?? []).every(satisfied));
    if (!next) break;
    order.push(next);
    done.add(next.id);
    remaining = remaining.filter((entry) => entry !== next);
  }
  return order;
}
