import { hashHex } from '../shared/hash.js';
import { Cron } from 'croner';
import { RunnerError } from '../shared/errors.js';
import type { QueueConnection } from './connection.js';
import { KEEP_COMPLETED, KEEP_FAILED } from './enqueue.js';
import type { RunnerJobData } from './job-data.js';
import { quoteIdentifier } from './connection.js';
import { TASK_QUEUE_PREFIX, taskOfQueue, taskQueueName } from './queue-names.js';

/** What `runner schedule add` made: the schedule, and whether it replaced one of the same id. */
export interface AddedSchedule extends ScheduleInfo {
  replaced: boolean;
}

/** A schedule as `runner schedule list` shows it. */
export interface ScheduleInfo {
  id: string;
  task: string;
  cron: string | undefined;
  tz: string | undefined;
  /** Next tick, epoch ms. */
  next: number | undefined;
  args: string[];
}

/** What `runner schedule add` makes. */
export interface ScheduleRequest {
  task: string;
  cron: string;
  tz?: string;
  id?: string;
  data: RunnerJobData;
  attempts: number;
  backoffMs: number;
}

// Printable ASCII without spaces: the default id holds the cron expression (`*`, `/`, `,`).
const SCHEDULE_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * Check a cron expression (five fields, or six with seconds first, as BullMQ's job schedulers read
 * it) and its time zone; errors name `--cron` or `--tz`.
 */
export function checkCron(expression: string, tz: string | undefined): string {
  const trimmed = expression.trim().replace(/\s+/g, ' ');
  if (tz !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
    } catch {
      throw invalid(`--tz: ${JSON.stringify(tz)} is not a known IANA time zone (e.g. Europe/Berlin, UTC)`);
    }
  }
  const fields = trimmed.split(' ').length;
  if (!trimmed.startsWith('@') && fields !== 5 && fields !== 6) {
    throw invalid(`--cron: ${JSON.stringify(expression)} has ${fields} fields; expected 5 (minute hour day month weekday) or 6 (seconds first)`);
  }
  let next: Date | null;
  try {
    next = new Cron(trimmed, { timezone: tz, paused: true }).nextRun();
  } catch (error) {
    throw invalid(`--cron: ${JSON.stringify(expression)} is not a valid cron expression: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (next === null) throw invalid(`--cron: ${JSON.stringify(expression)} never runs`);
  return trimmed;
}

/**
 * The id of a schedule: the one given, or `<task>@<cron>`, followed by `#` and a short hash of the
 * arguments when there are some. Adding the same schedule twice replaces it; the same cron with
 * other arguments is another schedule, not a replacement of the first.
 */
export function scheduleIdFor(task: string, cron: string, args: readonly string[], id?: string): string {
  const chosen = id ?? `${task}@${cron.replaceAll(' ', '_')}${args.length === 0 ? '' : `#${argsDigest(args)}`}`;
  if (!SCHEDULE_ID.test(chosen)) throw invalid(`--id: ${JSON.stringify(chosen)}: printable characters without spaces, at most 200`);
  return chosen;
}

// 8 hex digits of SHA-256 over the arguments as JSON: stable across hosts and versions, and short.
function argsDigest(args: readonly string[]): string {
  return hashHex(JSON.stringify(args), { length: 8 });
}

/**
 * Add (or replace) a BullMQ job scheduler on the task's queue; each tick makes one job for the whole
 * cluster. An id is unique across tasks (`remove` takes an id alone): one that another task's
 * schedule has is refused, naming that task. `knownTasks` are task queues to look in besides those
 * the server shows schedules in.
 */
export async function addSchedule(connection: QueueConnection, request: ScheduleRequest, knownTasks: readonly string[] = []): Promise<AddedSchedule> {
  const cron = checkCron(request.cron, request.tz);
  const id = scheduleIdFor(request.task, cron, request.data.args, request.id);
  const holders = await tasksWithSchedule(connection, id, [...knownTasks, request.task]);
  const other = holders.find((task) => task !== request.task);
  if (other !== undefined) {
    throw invalid(`--id: ${JSON.stringify(id)} is already the id of a schedule of task ${other}; choose another id, or remove that one first (runner schedule remove ${id})`);
  }
  const queue = connection.queue(taskQueueName(request.task));
  try {
    await queue.upsertJobScheduler(
      id,
      { pattern: cron, ...(request.tz === undefined ? {} : { tz: request.tz }) },
      {
        name: request.task,
        data: request.data,
        opts: {
          attempts: request.attempts,
          backoff: { type: 'exponential', delay: request.backoffMs },
          removeOnComplete: { count: KEEP_COMPLETED },
          removeOnFail: { count: KEEP_FAILED },
        },
      },
    );
    const stored = await queue.getJobScheduler(id);
    return { id, task: request.task, cron, tz: request.tz, next: stored?.next, args: request.data.args, replaced: holders.includes(request.task) };
  } finally {
    await queue.close();
  }
}

/** Every schedule of every task queue in the server (and of the tasks named), by next tick. */
export async function listSchedules(connection: QueueConnection, knownTasks: readonly string[] = []): Promise<ScheduleInfo[]> {
  const tasks = new Set([...knownTasks, ...(await queuesWithSchedulers(connection))]);
  const all: ScheduleInfo[] = [];
  for (const task of [...tasks].sort()) {
    const queue = connection.queue(taskQueueName(task));
    try {
      for (const scheduler of await queue.getJobSchedulers(0, -1, true)) {
        const data = scheduler.template?.data as Partial<RunnerJobData> | undefined;
        all.push({
          id: scheduler.key,
          task,
          cron: scheduler.pattern ?? undefined,
          tz: scheduler.tz ?? undefined,
          next: scheduler.next ?? undefined,
          args: Array.isArray(data?.args) ? data.args.map(String) : [],
        });
      }
    } finally {
      await queue.close();
    }
  }
  return all.sort((a, b) => (a.next ?? Infinity) - (b.next ?? Infinity) || a.id.localeCompare(b.id));
}

/** Remove a schedule by id; resolves to the task it was on, or `undefined` when there is none of that id. */
export async function removeSchedule(connection: QueueConnection, id: string, knownTasks: readonly string[] = []): Promise<string | undefined> {
  const [task] = await tasksWithSchedule(connection, id, knownTasks);
  if (task === undefined) return undefined;
  const queue = connection.queue(taskQueueName(task));
  try {
    await queue.removeJobScheduler(id);
  } finally {
    await queue.close();
  }
  return task;
}

/** The tasks (of `knownTasks` and of the queues holding schedules) that have a schedule of this id. */
async function tasksWithSchedule(connection: QueueConnection, id: string, knownTasks: readonly string[]): Promise<string[]> {
  const tasks = new Set([...knownTasks, ...(await queuesWithSchedulers(connection))]);
  const holders: string[] = [];
  for (const task of [...tasks].sort()) {
    const queue = connection.queue(taskQueueName(task));
    try {
      if (await queue.getJobScheduler(id)) holders.push(task);
    } finally {
      await queue.close();
    }
  }
  return holders;
}

// Task queues that hold schedulers, found in the server, so `list` shows schedules of tasks this
// host does not have.
async function queuesWithSchedulers(connection: QueueConnection): Promise<string[]> {
  const names: string[] = [];
  if (connection.redis) {
    const prefix = connection.target.prefix;
    const pattern = `${prefix}:${TASK_QUEUE_PREFIX}*:repeat`;
    let cursor = '0';
    do {
      const [next, keys] = await connection.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) names.push(key.slice(prefix.length + 1, -':repeat'.length));
    } while (cursor !== '0');
  } else if (connection.pg) {
    const schema = quoteIdentifier(connection.target.prefix);
    const result = await connection.pg.query<{ queue: string }>(`SELECT DISTINCT queue FROM ${schema}.scheduler`);
    names.push(...result.rows.map((row) => row.queue));
  }
  return names.map(taskOfQueue).filter((task): task is string => task !== undefined);
}

function invalid(message: string): RunnerError {
  return new RunnerError('runner.invalidArgument', message);
}
