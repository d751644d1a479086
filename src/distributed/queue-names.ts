import { TASK_NAME_PATTERN } from '../shared/task-name.js';

/** Every runner queue's name starts with this; the rest is the task's name. */
export const TASK_QUEUE_PREFIX = 'task-';

/**
 * The BullMQ queue of a task: one queue per task, so that the queue's global concurrency (1) is
 * the task's exclusivity across every worker of the cluster.
 */
export function taskQueueName(task: string): string {
  return `${TASK_QUEUE_PREFIX}${task}`;
}

/** The task a runner queue belongs to, or `undefined` for a queue that is not a task's. */
export function taskOfQueue(queue: string): string | undefined {
  if (!queue.startsWith(TASK_QUEUE_PREFIX)) return undefined;
  const task = queue.slice(TASK_QUEUE_PREFIX.length);
  return TASK_NAME_PATTERN.test(task) ? task : undefined;
}
