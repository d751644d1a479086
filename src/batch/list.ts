import { executionOrder, readinessOf } from './order.js';
import { DEFAULT_MAX_ATTEMPTS, type Priority, type QueuedEntry } from './queue-file.js';

/** One row of `runner batch list`. */
export interface BatchListItem {
  /** 1-based place in the execution order; null for entries that cannot run now. */
  position: number | null;
  id: string;
  task: string;
  priority: Priority;
  /** ready, waiting (for dependencies), blocked (by a failed dependency), running or failed. */
  state: 'ready' | 'waiting' | 'blocked' | 'running' | 'failed';
  attempts: number;
  max_attempts: number;
  depends_on: string[];
  waiting_for?: string[];
  blocked_by?: string[];
  claimed_by?: string;
  kind: 'planned' | 'command' | 'run';
  error?: string;
}

/**
 * The queue as `runner batch list` shows it: pending entries in the order they would run, then
 * those that cannot run yet (waiting on a cycle, or blocked by a failed dependency), then running
 * and failed ones. A dependency counts as ready once it has run; this assumes every entry succeeds.
 */
export function describeQueue(entries: readonly QueuedEntry[]): BatchListItem[] {
  const readiness = readinessOf(entries);
  const order = executionOrder(entries);
  const placed = new Set(order.map((entry) => entry.id));
  const rest = entries.filter((entry) => !placed.has(entry.id) && entry.status !== 'complete');
  const rank = { pending: 0, running: 1, failed: 2, complete: 3 } as const;
  rest.sort((a, b) => rank[a.status] - rank[b.status]);
  return [...order, ...rest].map((entry, index) => {
    const ready = readiness.get(entry.id);
    const item: BatchListItem = {
      position: index < order.length ? index + 1 : null,
      id: entry.id,
      task: entry.task,
      priority: entry.priority ?? 'medium',
      state: 'ready',
      attempts: entry.attempts ?? 0,
      max_attempts: entry.max_attempts ?? DEFAULT_MAX_ATTEMPTS,
      depends_on: entry.depends_on ?? [],
      kind: entry.command !== undefined ? 'command' : entry.run !== undefined ? 'run' : 'planned',
    };
    if (ready?.state === 'waiting') Object.assign(item, { state: 'waiting', waiting_for: ready.waitingFor });
    else if (ready?.state === 'blocked') Object.assign(item, { state: 'blocked', blocked_by: ready.blockedBy });
    else if (ready?.state === 'running') Object.assign(item, { state: 'running', claimed_by: entry.claimed_by });
    else if (ready?.state === 'failed') item.state = 'failed';
    if (entry.error) item.error = entry.error;
    return item;
  });
}
