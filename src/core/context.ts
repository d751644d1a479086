import path from 'node:path';
import type { Logger } from 'pino';
import type { RunnerConfig } from '../config/config.js';
import type { AlertInbox } from '../distributed/shared-stores.js';
import { alertPushSettings, pushAlert, shouldPush } from '../openclaw/push-alert.js';
import { AlertStore } from '../store/alerts.js';
import { appendTextFile, readJsonFile, updateJsonFile } from '../store/json-file.js';
import type { TaskContext, TaskOptionValues, TaskPaths } from './task.js';

export interface ContextInit {
  taskName: string;
  runId: string;
  dryRun: boolean;
  /** The run's signal, made on first use (see `RunAbort`). */
  signal: () => AbortSignal;
  args: readonly string[];
  options: Readonly<TaskOptionValues>;
  config: RunnerConfig;
  paths: TaskPaths;
  log: Logger;
  attempt: number;
  /** Where `ctx.alert` raises alerts: the shared inbox with a queue configured; the home's file by default. */
  alerts?: AlertInbox;
}

/**
 * Build the context a task runs with. Relative file paths given to the helpers resolve against the
 * workspace, where the agent's files live; every writer honours `dryRun`.
 */
export function createTaskContext(init: ContextInit): TaskContext {
  const { dryRun, log, paths } = init;
  const resolve = (file: string) => path.resolve(paths.workspace, file);
  let alerts = init.alerts;
  const { signal } = init;
  // Fields named one by one: copying `init` with rest and spread costs a worker's job microseconds.
  return {
    taskName: init.taskName,
    runId: init.runId,
    dryRun,
    get signal() {
      return signal();
    },
    args: init.args,
    options: init.options,
    config: init.config,
    paths,
    log,
    attempt: init.attempt,
    async alert(message, level = 'warning', options = {}) {
      if (dryRun) {
        log.info({ alert: { level, message } }, 'dry run: alert not written');
        return;
      }
      alerts ??= AlertStore.forHome(paths.home);
      const raised = await alerts.raise({ task: init.taskName, level, message }, { unlessPending: options.unlessPending ?? false });
      // Pushed only once written, so a push that fails or hangs loses nothing: the heartbeat drains
      // it. An alert still pending was pushed when it was first raised: raising it again pushes nothing.
      const push = alertPushSettings(init.config);
      if (raised.added && push !== undefined && shouldPush(level, push)) await pushAlert(raised.alert, push, log, signal());
    },
    readJson: (file) => readJsonFile(resolve(file)),
    updateJson: (file, update, options = {}) => updateJsonFile(resolve(file), update, { ...options, dryRun }),
    appendText: (file, text) => appendTextFile(resolve(file), text, { dryRun }),
  };
}
