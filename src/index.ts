/**
 * taskrunner as a library: the Task base class, running and discovering tasks, and the stores
 * that built-in and user tasks share.
 */
export { Task, isTaskClass, TASK_BRAND, TASK_NAME_PATTERN } from './core/task.js';
export type {
  TaskArgument,
  TaskClass,
  TaskContext,
  TaskDefaults,
  TaskOption,
  TaskPaths,
  TaskResult,
  UpdateJsonOptions,
} from './core/task.js';
export { RunnerError, NonRetryableError, EXIT } from './errors.js';
export type { RunnerErrorCode } from './errors.js';
export { loadSettings, validateConfig, expandHome } from './config/config.js';
export type { RunnerConfig, Settings, LocationOptions } from './config/config.js';
export { parseDuration } from './config/duration.js';
export { AlertStore, ALERT_LEVELS } from './store/alerts.js';
export type { Alert, AlertLevel, NewAlert } from './store/alerts.js';
export { readJsonFile, updateJsonFile, writeFileAtomic, appendTextFile, backupFile, formatJson } from './store/json-file.js';
export { withFileLock } from './store/file-lock.js';
export { parseJsonText } from './store/json-text.js';
