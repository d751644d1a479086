/**
 * taskrunner as a library: write tasks against {@link Task}, find them with {@link discoverTasks},
 * run them with {@link runTask} exactly as the `runner` CLI does (lock, attempts, timeout, one
 * record in `logs/tasks.jsonl`).
 *
 * @example
 * ```ts
 * import { loadSettings, runTask } from 'taskrunner';
 *
 * const settings = loadSettings({ home: '/srv/agent-runner' });
 * const outcome = await runTask('memory_capture', { settings, dryRun: true });
 * console.log(outcome.status, outcome.record);
 * ```
 *
 * This entry is the whole public surface; the CLI and the built-in tasks use the modules under
 * `src/` directly, and those may change between versions.
 */

// Writing a task.
export { Task, isTaskClass } from './core/task.js';
export type {
  AlertOptions,
  TaskArgument,
  TaskClass,
  TaskContext,
  TaskDefaults,
  TaskOption,
  TaskOptionValues,
  TaskPaths,
  TaskResult,
  UpdateJsonOptions,
} from './core/task.js';
export { NonRetryableError, RunnerError, EXIT } from './shared/errors.js';
export type { RunnerErrorCode, RunnerErrorOptions } from './shared/errors.js';

// Finding and running tasks.
export { discoverTasks, findTask } from './loader/discover.js';
export type { BrokenTaskFile, DiscoveredTask, DiscoverOptions, TaskRegistry } from './loader/discover.js';
export { runTask } from './compose/run-task.js';
export type { RunOutcome, RunStatus, RunTaskOptions } from './core/run-task.js';
export type { HeldTaskLock } from './core/task-lock.js';
export type { RunRecord } from './store/run-log.js';
export { createStderrLogger } from './core/logger.js';
export type { LogLevel } from './core/logger.js';
export type { Logger } from 'pino';

// Where things are and how they behave.
export { loadSettings } from './config/config.js';
export type { HomeSource, LocationOptions, Settings, WorkspaceSource } from './config/config.js';
export type { MemoryConfig, RetryConfig, RunnerConfig, TaskConfig } from './config/runner-config.js';

// The alerts inbox the heartbeat reads (tasks write to it with `ctx.alert`).
export { AlertStore, ALERT_LEVELS } from './store/alerts.js';
export type { Alert, AlertLevel, AppendAlertOptions, NewAlert, RaisedAlert } from './store/alerts.js';
export type { AlertInbox, RaiseOptions, RunHistory } from './store/ports.js';
