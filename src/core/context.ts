import path from 'node:path';
import type { Logger } from 'pino';
import type { RunnerConfig } from '../config/config.js';
import { assertWorkspaceExists, type WorkspaceSource } from '../config/workspace.js';
import type { AlertInbox, RunHistory } from '../store/ports.js';
import { AlertStore } from '../store/alerts.js';
import { appendTextFile, readJsonFile, updateJsonFile } from '../store/json-file.js';
import type { TaskContext, TaskOptionValues, TaskPaths } from './task.js';

export interface ContextInit {
  taskName: string;
  runId: string;
  dryRun: boolean;
  signal: AbortSignal;
  args: readonly string[];
  options: Readonly<TaskOptionValues>;
  config: RunnerConfig;
  paths: TaskPaths;
  log: Logger;
  attempt: number;
  /** Where `ctx.alert` raises alerts: the shared inbox with a queue configured; the home's file by default. */
  alerts?: AlertInbox;
  /** The shared run history the run's record also goes to (a queue configured); runs the task starts itself use it too. */
  history?: RunHistory;
  /** A scheduler started the run (see `RunTaskOptions.scheduled`); runs the task starts itself inherit it. */
  scheduled?: boolean;
}

/**
 * Build the context a task runs with. Relative file paths given to the helpers resolve against the
 * workspace, where the agent's files live; every writer honours `dryRun`.
 */
export function createTaskContext(init: ContextInit): TaskContext {
  const { dryRun, log, paths } = init;
  // An absolute path needs no workspace: only a relative one reads (and so checks) it.
  const resolve = (file: string) => (path.isAbsolute(file) ? file : path.resolve(paths.workspace, file));
  let alerts = init.alerts;
  const { signal } = init;
  const context: TaskContext & { [NESTED_RUN]: NestedRunOptions } = {
    taskName: init.taskName,
    runId: init.runId,
    dryRun,
    signal,
    // `init` itself (it has both fields): no object of its own per context.
    [NESTED_RUN]: init,
    args: init.args,
    options: init.options,
    config: init.config,
    paths,
    log,
    attempt: init.attempt,
    async alert(message, level = 'warning', options = {}) {
      const { key } = options;
      if (dryRun) {
        log.info({ alert: { level, message, ...(key !== undefined && { key }) } }, 'dry run: alert not written');
        return;
      }
      alerts ??= AlertStore.forHome(paths.home);
      const alert = { task: init.taskName, level, message, ...(key !== undefined && { key }) };
      await alerts.raise(alert, { unlessPending: options.unlessPending ?? false, log, signal });
    },
    async resolveAlert(key) {
      if (dryRun) {
        log.info({ alert: { key } }, 'dry run: alert not resolved');
        return;
      }
      alerts ??= AlertStore.forHome(paths.home);
      const resolved = await alerts.resolve(key);
      if (resolved.length > 0) log.info({ alert: { key, ids: resolved.map((alert) => alert.id) } }, `alert ${key} resolved`);
    },
    // Async: a missing workspace (found while resolving the path) rejects the promise, as every
    // other failure of these helpers does, rather than throwing at the call.
    readJson: async (file) => readJsonFile(resolve(file)),
    updateJson: async (file, update, options = {}) => updateJsonFile(resolve(file), update, { ...options, dryRun }),
    appendText: async (file, text) => appendTextFile(resolve(file), text, { dryRun }),
  };
  return context;
}

/**
 * A task's `ctx.paths`: the workspace is checked when the task reads it (`assertWorkspaceExists`,
 * naming the rule that chose it), not before the run, so a task that never touches the workspace
 * runs without one (a fresh machine, `runner hello`), and one that does fails, not retried, with
 * an error saying where the path came from.
 */
export function taskPaths(home: string, workspace: string, source?: WorkspaceSource): TaskPaths {
  const paths = { home, [WORKSPACE]: { workspace, source } };
  // Added, with one descriptor for all: a getter written in the literal is a new function, and so a
  // new hidden class, for every object (measured: docs/benchmarks.md, Worker cost per job).
  Object.defineProperty(paths, 'workspace', WORKSPACE_PROPERTY);
  return paths as typeof paths & Pick<TaskPaths, 'workspace'>;
}

const WORKSPACE = Symbol('workspace');

const WORKSPACE_PROPERTY: PropertyDescriptor = {
  get(this: { [WORKSPACE]: { workspace: string; source?: WorkspaceSource } }): string {
    const { workspace, source } = this[WORKSPACE];
    assertWorkspaceExists(workspace, source);
    return workspace;
  },
  enumerable: true,
  configurable: true,
};

const NESTED_RUN = Symbol('nestedRun');

/** What a run a task starts itself (a batch entry naming a task) takes over from the task's own run. */
export interface NestedRunOptions {
  /** The same alerts inbox (the shared one with a queue configured, pushing to the agent when the outer run's does). */
  alerts?: AlertInbox;
  /** The same shared run history, if the outer run's record goes to one. */
  history?: RunHistory;
  /** Started by a scheduler when the outer run was. */
  scheduled?: boolean;
}

/**
 * The options a run started from within `ctx`'s task inherits (for `runTask`). Kept off the public
 * `TaskContext`: a built-in task's business, not a task author's.
 */
export function nestedRunOptions(ctx: TaskContext): NestedRunOptions {
  const init = (ctx as Partial<Record<typeof NESTED_RUN, NestedRunOptions>>)[NESTED_RUN];
  return init === undefined ? {} : { alerts: init.alerts, history: init.history, scheduled: init.scheduled };
}

