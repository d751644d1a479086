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
  const context: Omit<TaskContext, 'signal'> & { [MAKE_SIGNAL]: () => AbortSignal } = {
    taskName: init.taskName,
    runId: init.runId,
    dryRun,
    [MAKE_SIGNAL]: signal,
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
  // Added, not redefined: turning a data property into a getter would put the object in V8's slow
  // dictionary mode.
  Object.defineProperty(context, 'signal', SIGNAL_PROPERTY);
  return context as typeof context & Pick<TaskContext, 'signal'>;
}

const MAKE_SIGNAL = Symbol('makeSignal');

/**
 * `ctx.signal`, made on first read (see `RunAbort`) by one getter shared by every context. A getter
 * written in the object literal is a new function for every context, and V8 then gives every
 * context its own hidden class: a worker's young-generation collections took six times as long,
 * keeping each job's objects alive through them.
 */
const SIGNAL_PROPERTY: PropertyDescriptor = {
  get(this: { [MAKE_SIGNAL]: () => AbortSignal }): AbortSignal {
    return this[MAKE_SIGNAL]();
  },
  enumerable: true,
  configurable: true,
};
