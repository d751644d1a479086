import { findTask } from '../loader/discover.js';
import { runTask as runLoadedTask, type RunOutcome, type RunTaskOptions } from '../core/run-task.js';
import type { Task } from '../core/task.js';
import { fileStores } from './stores.js';

/**
 * Run one task the way the `runner` CLI does (the library's `runTask`, src/index.ts): under its
 * lock, with retries and backoff, a timeout and cancellation through `ctx.signal`, and exactly one
 * record in `logs/tasks.jsonl` (see the core's `runTask`, src/core/run-task.ts). A name is looked
 * up as `runner <name>` would (the home's tasks/, then the built-ins); it rejects, without a record,
 * when there is no such task. Without `alerts`, `ctx.alert` raises into the home's
 * `alerts/pending.json` and pushes to the agent as `alerts.push` says, as a CLI run does.
 *
 * @example
 * ```ts
 * const outcome = await runTask('memory_capture', { settings: loadSettings({ home: '/srv/agent' }) });
 * process.exitCode = outcome.exitCode;
 * ```
 */
export async function runTask(taskOrName: Task | string, options: RunTaskOptions): Promise<RunOutcome> {
  const { settings } = options;
  const task = typeof taskOrName === 'string' ? (await findTask(taskOrName, { home: settings.home, homeSource: settings.homeSource })).task : taskOrName;
  const alerts = options.alerts ?? fileStores(settings, { pushAlerts: true, log: options.log }).alerts;
  return runLoadedTask(task, { ...options, alerts });
}
