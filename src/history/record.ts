import type { RunRecord } from '../store/run-log.js';

/**
 * A line as a run record, or undefined when it is not one: not JSON, not an object, or without a
 * string `task` and `timestamp` (every record the runner writes has both, SPEC §8).
 */
export function parseRecord(line: string): RunRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.task !== 'string' || typeof record.timestamp !== 'string') return undefined;
  return record as RunRecord;
}

const TASK_PREFIX = '{"task":"';

/**
 * The task a line is about, read from its first bytes without parsing it: the writer puts `task`
 * first (SPEC §8), so `{"task":"disk_report",…` names it. Undefined when the line does not start
 * that way (a hand-edited or foreign line), which then has to be parsed to be judged.
 *
 * Used to pass over the lines of tasks a reader does not want without paying for `JSON.parse`.
 */
export function taskOfLine(line: string): string | undefined {
  if (!line.startsWith(TASK_PREFIX)) return undefined;
  const end = line.indexOf('"', TASK_PREFIX.length);
  if (end === -1) return undefined;
  const name = line.slice(TASK_PREFIX.length, end);
  // A task name is [a-z0-9_-]; anything else (an escape, say) is left to the parser.
  return /^[a-z0-9_-]+$/.test(name) ? name : undefined;
}

/** How a run ended, in the words `status` and `logs` show. */
export type RunResult = 'ok' | 'failed' | 'locked' | 'timed out' | 'cancelled';

/** How a recorded run ended: the record's `success`, or which kind of failure it names. */
export function resultOf(record: RunRecord): RunResult {
  if (record.success === true) return 'ok';
  if (record.locked === true) return 'locked';
  if (record.timed_out === true || record.error_type === 'timed_out') return 'timed out';
  if (record.cancelled === true || record.error_type === 'cancelled') return 'cancelled';
  return 'failed';
}
