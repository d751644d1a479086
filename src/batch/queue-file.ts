import { randomBytes } from 'node:crypto';
import { hashHex } from '../shared/hash.js';
import path from 'node:path';
import { taskNameProblem } from '../shared/task-name.js';
import { RunnerError } from '../shared/errors.js';
import { withFileLock } from '../store/lock.js';
import { writeAtomic } from '../store/atomic-write.js';
import { formatJson, readJsonFile } from '../store/json-file.js';
import { parseJsonText } from '../store/json-text.js';
import { readQueueChecked } from './queue-trust.js';

/** The queue file's name inside the workspace (as the old batch executor named it). */
export const QUEUE_FILE_NAME = 'batch-tasks.json';

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * `pending` and `complete` are the old executor's statuses; `running` marks a claimed entry and
 * `failed` one that used up its attempts.
 */
export const STATUSES = ['pending', 'running', 'complete', 'failed'] as const;
export type BatchStatus = (typeof STATUSES)[number];

/** The default of `max_attempts`. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * One entry of `batch-tasks.json` (SPEC §6). The first seven keys are the old format; the rest are
 * optional extensions. Keys this version does not know are kept as they are.
 */
export interface BatchEntry {
  task: string;
  result?: string;
  insight?: string;
  next_step?: string;
  status: BatchStatus;
  added?: string;
  completed?: string;
  id?: string;
  priority?: Priority;
  depends_on?: string[];
  attempts?: number;
  max_attempts?: number;
  command?: string;
  run?: string;
  error?: string;
  /** Run id of the executor that claimed the entry (status `running`). */
  claimed_by?: string;
  claimed_at?: string;
  [key: string]: unknown;
}

/** An entry with its id settled: the stored one, or the one derived for an old entry. */
export type QueuedEntry = BatchEntry & { id: string };

/** Where the queue of a workspace lives. */
export function queueFileOf(workspace: string): string {
  return path.join(workspace, QUEUE_FILE_NAME);
}

/**
 * Validate the parsed contents of a queue file and give every entry an id. Entries written by the
 * old tools have none: theirs is derived from `task` and `added` (plus an occurrence number for
 * exact duplicates), so it is the same on every read until a write stores it. The entry objects are
 * the parsed ones, so fields this version does not know survive a write untouched.
 */
export function parseQueue(value: unknown, file: string): QueuedEntry[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new RunnerError('batch.invalid', `${file}: expected a JSON array of tasks, got ${describe(value)}`, { file });
  }
  value.forEach((entry, index) => validateEntry(entry, index, file));
  const entries = value as BatchEntry[];
  assignIds(entries, file);
  return entries as QueuedEntry[];
}

/** Read and validate a queue file; a missing file is an empty queue. */
export async function readQueue(file: string): Promise<QueuedEntry[]> {
  return parseQueue(await readJsonFile(file), file);
}

/** What an update learnt about the file it read, besides the entries. */
export interface QueueSource {
  /** Why this very file must not make us run `command`/`run` entries, or undefined. */
  untrusted: string | undefined;
}

/**
 * Read-modify-write the queue under its own short lock (never the executor's lock). A file that
 * cannot be parsed or validated rejects before anything is written, so it stays as it is. `change`
 * is told whether the file it was given may be trusted to run code: judged on the descriptor this
 * read used, so a file swapped in since an earlier read is judged on its own.
 */
export async function updateQueue<T>(
  file: string,
  change: (entries: QueuedEntry[], source: QueueSource) => T,
  options: { dryRun?: boolean } = {},
): Promise<T> {
  const apply = async () => {
    const read = await readQueueChecked(file);
    const entries = parseQueue(read.text === undefined ? undefined : parseJsonText(read.text, file), file);
    const outcome = change(entries, { untrusted: read.untrusted });
    return { entries, outcome, owner: read.owner };
  };
  if (options.dryRun) return (await apply()).outcome;
  return withFileLock(file, async (lock) => {
    const { entries, outcome, owner } = await apply();
    // The new file gets the owner and mode of the file read (not of whatever is at the path by
    // now): rewriting another user's queue as ours would make its entries look trusted next time.
    await writeAtomic(lock.file, (sink) => sink.write(formatJson(entries)), { like: owner, beforeRename: () => lock.assertHeld() });
    return outcome;
  });
}

/** A fresh id that no entry in `entries` has. */
export function newEntryId(entries: readonly BatchEntry[]): string {
  const taken = new Set(entries.map((entry) => entry.id));
  for (;;) {
    const id = randomBytes(4).toString('hex');
    if (!taken.has(id)) return id;
  }
}

/** Entries that still wait to be executed. */
export function countPending(entries: readonly BatchEntry[]): number {
  return entries.filter((entry) => entry.status === 'pending').length;
}

function assignIds(entries: BatchEntry[], file: string): void {
  const taken = new Set<string>();
  entries.forEach((entry, index) => {
    if (entry.id === undefined) return;
    if (taken.has(entry.id)) {
      throw new RunnerError('batch.invalid', `${file}: entry ${index + 1}: duplicate id ${JSON.stringify(entry.id)}`, {
        file,
      });
    }
    taken.add(entry.id);
  });
  for (const entry of entries) {
    if (entry.id !== undefined) continue;
    const base = derivedId(entry);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    entry.id = id;
  }
}

function derivedId(entry: BatchEntry): string {
  return hashHex(`${entry.task}\n${entry.added ?? ''}`, { length: 8 });
}

function validateEntry(value: unknown, index: number, file: string): asserts value is BatchEntry {
  const where = `${file}: entry ${index + 1}`;
  const fail = (message: string): never => {
    throw new RunnerError('batch.invalid', `${where}: ${message}`, { file });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`expected an object, got ${describe(value)}`);
  const entry = value as Record<string, unknown>;
  if (typeof entry.task !== 'string' || entry.task.trim() === '') fail('"task" must be a non-empty string');
  for (const key of ['result', 'insight', 'next_step', 'added', 'completed', 'error', 'claimed_by', 'claimed_at']) {
    if (entry[key] !== undefined && entry[key] !== null && typeof entry[key] !== 'string') fail(`"${key}" must be a string`);
  }
  if (!STATUSES.includes(entry.status as BatchStatus)) {
    fail(`"status" must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(entry.status)}`);
  }
  if (entry.id !== undefined && (typeof entry.id !== 'string' || entry.id === '')) fail('"id" must be a non-empty string');
  if (entry.priority !== undefined && !PRIORITIES.includes(entry.priority as Priority)) {
    fail(`"priority" must be one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(entry.priority)}`);
  }
  if (
    entry.depends_on !== undefined &&
    (!Array.isArray(entry.depends_on) || !entry.depends_on.every((id) => typeof id === 'string'))
  ) {
    fail('"depends_on" must be an array of task ids');
  }
  for (const key of ['attempts', 'max_attempts']) {
    const n = entry[key];
    if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < (key === 'attempts' ? 0 : 1))) {
      fail(`"${key}" must be a ${key === 'attempts' ? 'non-negative' : 'positive'} integer`);
    }
  }
  if (entry.command !== undefined && (typeof entry.command !== 'string' || entry.command.trim() === '')) {
    fail('"command" must be a non-empty string');
  }
  if (entry.run !== undefined) {
    const problem = typeof entry.run === 'string' ? taskNameProblem(entry.run) : 'it is not a string';
    if (problem) fail(`"run" must be a task name: ${problem}`);
  }
  if (entry.command !== undefined && entry.run !== undefined) fail('an entry has either "command" or "run", not both');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
