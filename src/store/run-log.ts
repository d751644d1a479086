import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';

/** One line of `logs/tasks.jsonl` (SPEC §8); key order matters and is kept by construction. */
export type RunRecord = Record<string, unknown> & { task: string; timestamp: string; success: boolean };

/** The run history file of a home. */
export function runLogPath(home: string): string {
  return path.join(home, 'logs', 'tasks.jsonl');
}

/**
 * Append one record to the run history through pino's synchronous destination: a single
 * `write(2)` on an `O_APPEND` descriptor, so concurrent runs never interleave lines and the record
 * is on disk before the process exits. The line is our own JSON (not a pino log line) because
 * SPEC §8 fixes its keys and their order.
 */
export function appendRunRecord(home: string, record: RunRecord): void {
  const file = runLogPath(home);
  mkdirSync(path.dirname(file), { recursive: true });
  const destination = pino.destination({ dest: file, append: true, sync: true });
  try {
    destination.write(`${JSON.stringify(record, jsonSafe)}\n`);
  } finally {
    destination.flushSync();
    destination.destroy();
  }
}

// A task result may hold values JSON cannot express; the record must still be one valid line.
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** Records read back, with the count of lines that could not be parsed. */
export interface RunHistory {
  records: RunRecord[];
  skipped: number;
}

/** Read the run history; a missing file is an empty history, unparsable lines are counted and skipped. */
export async function readRunHistory(home: string): Promise<RunHistory> {
  let text: string;
  try {
    text = await readFile(runLogPath(home), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: 0 };
    throw error;
  }
  const records: RunRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value === 'object' && value !== null && typeof (value as RunRecord).task === 'string') {
        records.push(value as RunRecord);
      } else {
        skipped += 1;
      }
    } catch {
      skipped += 1;
    }
  }
  return { records, skipped };
}
