import type { Logger } from 'pino';
import type { RunnerConfig } from '../config/config.js';
import type { AlertLevel } from '../store/alerts.js';
import { RunnerError } from '../shared/errors.js';

/**
 * Discovery recognises task classes by this brand rather than `instanceof`, so a task file that
 * imports another installed copy of taskrunner still loads.
 */
export const TASK_BRAND: unique symbol = Symbol.for('taskrunner.task') as never;

/** What a task's `run` resolves to; any extra keys go into the run record. */
export interface TaskResult {
  success: boolean;
  message?: string;
  [key: string]: unknown;
}

/** A positional argument a task declares (shown by `runner help <task>`). */
export interface TaskArgument {
  name: string;
  description?: string;
  required?: boolean;
  /** Takes all remaining positional arguments. */
  variadic?: boolean;
}

/** An option a task declares, in commander's flag syntax: `--limit <n>`, `--force`. */
export interface TaskOption {
  flags: string;
  description?: string;
  default?: string | boolean | string[];
}

/** Per-task defaults; the config file's `tasks.<name>` and CLI flags win over them. */
export interface TaskDefaults {
  /** A duration: a number of seconds, or a string such as `500ms`, `30s`, `10m`, `1h`. */
  timeout?: number | string;
  attempts?: number;
  /**
   * When the task should run, as a cron expression `runner cron --cron` takes (five fields, or
   * `@hourly`, `@daily`, …): `runner cron <task>` installs it, and a task that a scheduler has run
   * is reported overdue when it stops succeeding on it. The operator's `tasks.<name>.schedule` in
   * `runner.config.json` wins (`false` there turns it off). Checked when the schedule is read; a bad
   * one is an error naming the task's file.
   *
   * @example `defaults = { schedule: '0 * * * *', timeout: '5m' }` (hourly, on the hour)
   */
  schedule?: string;
  /**
   * IANA time zone this task's own `schedule` is read in (e.g. `UTC` for a task tied to a UTC
   * deadline). The config's `tasks.<name>.tz` wins; without either, the config's `timezone`, else
   * the host's local time.
   */
  tz?: string;
}

/** Where a task works: the runner's home and the agent's workspace (absolute paths). */
export interface TaskPaths {
  home: string;
  workspace: string;
}

/** Options of {@link TaskContext.updateJson}. */
export interface UpdateJsonOptions {
  /** Copy the current file to `<file>.bak` before replacing it. */
  backup?: boolean;
  /** Indentation of the written JSON; 2 unless said otherwise. */
  indent?: number;
}

/**
 * The values of a task's declared options, by camel-cased flag name (`--min-free <p>` is
 * `minFree`): a string for an option with a value, `true` for a switch, a string array for a
 * variadic one. A task names them with `Task<{ minFree: string }>`.
 */
export type TaskOptionValues = Record<string, string | boolean | string[] | undefined>;

/** Options of {@link TaskContext.alert}. */
export interface AlertOptions {
  /** The stable identity of the condition the alert stands for: one pending alert per key. */
  key?: string;
  /** Without a key: add nothing while an identical alert (task, level, message) is pending. */
  unlessPending?: boolean;
}

/** Everything a task may use while it runs. */
export interface TaskContext<Options extends object = TaskOptionValues> {
  readonly taskName: string;
  readonly runId: string;
  /** When true, every write helper below is a no-op. */
  readonly dryRun: boolean;
  /** Fires on timeout, SIGINT/SIGTERM and a compromised lock: stop work and return or throw. */
  readonly signal: AbortSignal;
  readonly args: readonly string[];
  /** The task's own options as parsed from the command line (see {@link TaskOptionValues}). */
  readonly options: Readonly<Options>;
  readonly config: RunnerConfig;
  readonly paths: TaskPaths;
  /** A pino logger writing to stderr, bound to this task and run. */
  readonly log: Logger;
  /** 1-based number of the current attempt. */
  readonly attempt: number;
  /**
   * Leave an alert in `alerts/pending.json` for the heartbeat (no-op in dry-run); `level` is
   * `warning` unless given. With a `key` (the condition it stands for, e.g. `disk-full`) an alert
   * with that key still pending is not added again but refreshed: the newest message and time, the
   * higher of the two levels. Without a key, `{ unlessPending: true }` adds nothing while an
   * identical alert is pending.
   */
  alert(message: string, level?: AlertLevel, options?: AlertOptions): Promise<void>;
  /**
   * The condition `key` stands for is over: remove the pending alerts with that key, so the
   * heartbeat does not report them (no-op in dry-run, and when none is pending).
   */
  resolveAlert(key: string): Promise<void>;
  /**
   * Read a JSON file: `undefined` when it does not exist; a file that cannot be parsed throws a
   * `store.corrupt` error naming the file and the position.
   */
  readJson<T = unknown>(file: string): Promise<T | undefined>;
  /**
   * Read-modify-write a JSON file under its own lock, with an optional backup and an atomic
   * replace. In dry-run `update` still runs (so a task can report what would change) but nothing is
   * written. Resolves to the value `update` returned.
   */
  updateJson<T>(
    file: string,
    update: (current: T | undefined) => T | Promise<T>,
    options?: UpdateJsonOptions,
  ): Promise<T>;
  /** Append text to a file, creating it and its folder when missing (no-op in dry-run). */
  appendText(file: string, text: string): Promise<void>;
}

/**
 * The base class of every task. Subclass it, set `name` and `description`, implement `run`.
 *
 * @example
 * ```ts
 * export default class HelloTask extends Task {
 *   name = 'hello';
 *   description = 'Says hello';
 *   async run(ctx: TaskContext) {
 *     ctx.log.info('saying hello');
 *     return { success: true, message: 'hello' };
 *   }
 * }
 * ```
 */
export abstract class Task<Options extends object = TaskOptionValues> {
  static readonly [TASK_BRAND] = true;

  /** Unique name, `[a-z0-9_-]+` and at most 64 characters; by convention also the file name. */
  abstract readonly name: string;
  abstract readonly description: string;
  readonly arguments?: readonly TaskArgument[];
  readonly options?: readonly TaskOption[];
  readonly defaults?: TaskDefaults;

  abstract run(ctx: TaskContext<Options>): Promise<TaskResult>;
}

/** A class that can be instantiated into a task, whichever copy of taskrunner it came from. */
export type TaskClass = new () => Task;

/** True for a Task subclass from any copy of taskrunner (checks the brand, not `instanceof`). */
export function isTaskClass(value: unknown): value is TaskClass {
  return typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[TASK_BRAND] === true;
}

/**
 * The description a task is listed, helped and parsed with, the same everywhere: a task that
 * declares none has an empty one. Anything else but a string throws `runner.taskLoad` naming the
 * task and `file`; discovery asks for every task it loads, so such a file is reported broken.
 */
export function taskDescription(task: Task, file?: string): string {
  const description: unknown = task.description;
  if (description === undefined) return '';
  if (typeof description === 'string') return description;
  const where = file === undefined ? '' : ` of ${file}`;
  throw new RunnerError('runner.taskLoad', `task ${JSON.stringify(task.name)}${where}: description must be a string, got ${kindOfValue(description)}`, { file });
}

/** What a declared value is, for an error message: `a number`, `null`, `an array`. */
export function kindOfValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
