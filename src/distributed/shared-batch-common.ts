import { parseQueue, type BatchEntry, type QueuedEntry } from '../batch/queue-file.js';
import { parseJsonText } from '../store/json-text.js';
import type { QueueTarget } from '../config/queue.js';

/** How long an executor's hold on the shared queue lasts without renewal (Redis; PostgreSQL's ends with its connection). */
export const EXECUTOR_LEASE_MS = 30_000;

/** How messages name the shared queue. */
export function sharedQueueName(target: QueueTarget): string {
  return `the shared batch queue at ${target.displayUrl} (prefix ${target.prefix})`;
}

/** Parse and validate the stored document exactly as a queue file is (an absent one is empty). */
export function parseSharedQueue(text: string | null | undefined, name: string): QueuedEntry[] {
  return parseQueue(text === null || text === undefined ? undefined : parseJsonText(text, name), name);
}

/**
 * The shared queue never runs a `command` entry: anyone who can write to the queue server could
 * otherwise run shell commands on every host's executor. An entry names a runner task (`--run`),
 * whose code each host has in its own tasks folder.
 */
export function forbidsInSharedQueue(entry: Readonly<BatchEntry>): string | undefined {
  if (entry.command === undefined) return undefined;
  return 'command entries are not accepted in the shared batch queue (queue.url is set): an entry names a task, it never carries a shell command; put the command in a task file and add it with --run <task>';
}
