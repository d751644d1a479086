/**
 * taskrunner as a library: the Task base class, running and discovering tasks, and the stores
 * that built-in and user tasks share.
 */
export { Task, isTaskClass, TASK_BRAND, TASK_NAME_PATTERN, TASK_NAME_MAX_LENGTH, taskNameProblem } from './core/task.js';
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
export { parseDuration, MAX_TIMER_MS } from './config/duration.js';
export { AlertStore, ALERT_LEVELS } from './store/alerts.js';
export type { Alert, AlertLevel, NewAlert } from './store/alerts.js';
export { readJsonFile, updateJsonFile, writeFileAtomic, appendTextFile, backupFile, formatJson } from './store/json-file.js';
export { withFileLock } from './store/file-lock.js';
export { parseJsonText } from './store/json-text.js';
export { runTask } from './core/run-task.js';
export { recordUnfinishedRuns } from './core/unfinished-runs.js';
export type { UnfinishedResult } from './core/unfinished-runs.js';
export { assertWorkspaceExists } from './config/workspace.js';
export type { RunTaskOptions, RunOutcome, RunStatus } from './core/run-task.js';
export { resolveRunPolicy } from './core/run-policy.js';
export type { RunPolicy, RunOverrides } from './core/run-policy.js';
export { createTaskContext } from './core/context.js';
export type { ContextInit } from './core/context.js';
export { acquireTaskLock, taskLockPath, DEFAULT_STALE_MS } from './core/lock.js';
export type { TaskLock } from './core/lock.js';
export { createStderrLogger } from './core/logger.js';
export type { LogLevel } from './core/logger.js';
export { isoWithOffset } from './core/time.js';
export { appendRunRecord, readRunHistory, runLogPath } from './store/run-log.js';
export type { RunRecord, RunHistory } from './store/run-log.js';
export { addBatchTask } from './batch/add.js';
export type { AddBatchTaskOptions, AddedBatchTask } from './batch/add.js';
export { executeBatch, DEFAULT_BATCH_LIMIT } from './batch/execute.js';
export type { ExecuteBatchOptions, BatchSummary, BatchItemReport, BatchProgress, BatchRunOutcome } from './batch/execute.js';
export { discoverTasks, findTask } from './core/discover.js';
export { packagePaths } from './core/package-paths.js';
export type { DiscoveredTask, BrokenTaskFile, TaskRegistry, DiscoverOptions } from './core/discover.js';
export { splitWords, wordSet, jaccard, buildWordSets } from './memory/tokens.js';
export type { WordSets } from './memory/tokens.js';
export { similarityJoin, greedyDedupe, toThreshold } from './memory/similarity.js';
export type { Threshold, GreedyDedupeOptions } from './memory/similarity.js';
export type { MemoryItem, MemoryItemKind } from './memory/markdown.js';
export { scoreImportance } from './memory/importance.js';
export { calendarDay, parseDay, previousDay, parseTimestamp } from './core/time.js';
export { captureMemory, captureDays, selectNewEntries } from './memory/capture.js';
export type { CaptureMemoryOptions, CaptureSummary, CapturedEntry } from './memory/capture.js';
export { consolidateEntries, consolidateMemory } from './memory/consolidate.js';
export type { ConsolidateRules, ConsolidateOutcome, ConsolidateMemoryOptions, ConsolidateSummary } from './memory/consolidate.js';
export { readStore, storePath } from './memory/store-file.js';
