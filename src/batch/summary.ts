import { escapeControl } from './printable.js';
import type { Recovery } from './recovery.js';

/** What happened to one entry in this batch. */
export interface BatchItemReport {
  id: string;
  task: string;
  outcome: 'complete' | 'retrying' | 'failed' | 'refused' | 'would-run';
  work_block?: number;
  result?: string;
  error?: string;
}

/** The batch task's result (also what `--json` prints). */
export interface BatchSummary {
  success: boolean;
  message: string;
  executed: number;
  completed: number;
  failed: number;
  retrying: number;
  refused: number;
  /** Numbers of the work blocks written, in order. */
  work_blocks: number[];
  /** Pending entries left in the queue. */
  pending: number;
  recovered: Recovery;
  /** Per entry; capped at 100 so that the run record stays small. */
  items: BatchItemReport[];
  [key: string]: unknown;
}

/** A summary with nothing done yet. */
export function emptySummary(pending: number, recovered: Recovery): BatchSummary {
  return {
    success: true,
    message: '',
    executed: 0,
    completed: 0,
    failed: 0,
    retrying: 0,
    refused: 0,
    work_blocks: [],
    pending,
    recovered,
    items: [],
  };
}

/** `Batch: 3 executed, 2 complete, 1 refused (why) (Work Blocks 42–43); 4 pending`. */
export function describeSummary(summary: BatchSummary, refusedBecause?: string): string {
  if (summary.executed === 0 && summary.refused === 0) return `No ready tasks in the batch queue (${summary.pending} pending)`;
  const parts = [`${summary.completed} complete`];
  if (summary.retrying > 0) parts.push(`${summary.retrying} to retry`);
  if (summary.failed > 0) parts.push(`${summary.failed} failed`);
  if (summary.refused > 0) parts.push(`${summary.refused} refused${refusedBecause ? ` (${refusedBecause})` : ''}`);
  const blocks = summary.work_blocks;
  const range = blocks.length === 0 ? '' : blocks.length === 1 ? ` (Work Block ${blocks[0]})` : ` (Work Blocks ${blocks[0]}–${blocks[blocks.length - 1]})`;
  return `Batch: ${summary.executed} executed, ${parts.join(', ')}${range}; ${summary.pending} pending`;
}

/** `: task one (Work Block 42); task two` — the first ten items of a dry run. */
export function listed(items: readonly BatchItemReport[]): string {
  if (items.length === 0) return '';
  // The message is printed for people: task text is shown with its control characters escaped.
  const shown = items.slice(0, 10).map((item) => {
    const task = escapeControl(item.task);
    return item.work_block ? `${task} (Work Block ${item.work_block})` : task;
  });
  return `: ${shown.join('; ')}${items.length > 10 ? `; … ${items.length - 10} more` : ''}`;
}
