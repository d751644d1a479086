import type { RunnerConfig } from '../config/config.js';
import { checkTimerMs, MAX_TIMER_MS, parseDuration } from '../config/duration.js';
import type { Task } from './task.js';

/** How one run retries and times out, after every source of settings has had its say. */
export interface RunPolicy {
  attempts: number;
  timeoutMs: number | undefined;
  retry: {
    minTimeoutMs: number;
    maxTimeoutMs: number;
    factor: number;
    jitter: boolean;
    maxRetryTimeMs: number;
  };
}

/** Values from the command line, which win over everything else. */
export interface RunOverrides {
  retries?: number | undefined;
  timeoutMs?: number | undefined;
}

const DEFAULT_ATTEMPTS = 3;

/**
 * Attempts: `--retries` (plus the first attempt), then `tasks.<name>.attempts` in the config, then
 * the task's own default, then `retry.attempts`, then 3. Timeout: `--timeout`, then the config's
 * `tasks.<name>.timeout`, then the task's default; none otherwise.
 */
export function resolveRunPolicy(task: Task, config: RunnerConfig, overrides: RunOverrides = {}): RunPolicy {
  const perTask = config.tasks?.[task.name];
  const attempts =
    overrides.retries !== undefined
      ? overrides.retries + 1
      : (perTask?.attempts ?? task.defaults?.attempts ?? config.retry?.attempts ?? DEFAULT_ATTEMPTS);
  return {
    attempts: Math.max(1, attempts),
    timeoutMs: resolveTimeoutMs(task, config, overrides),
    retry: {
      minTimeoutMs: config.retry?.minTimeoutMs ?? 1000,
      // Backoff grows without bound; a wait above the timer limit would fire at once.
      maxTimeoutMs: Math.min(config.retry?.maxTimeoutMs ?? MAX_TIMER_MS, MAX_TIMER_MS),
      factor: config.retry?.factor ?? 2,
      jitter: config.retry?.jitter ?? false,
      maxRetryTimeMs: config.retry?.maxRetryTimeMs ?? Number.POSITIVE_INFINITY,
    },
  };
}

// `overrides.timeoutMs` is already milliseconds (the CLI parsed `--timeout`); the config's and the
// task's are durations, where a bare number is seconds. Each is checked naming where it came from.
function resolveTimeoutMs(task: Task, config: RunnerConfig, overrides: RunOverrides): number | undefined {
  if (overrides.timeoutMs !== undefined) return checkTimerMs(overrides.timeoutMs, 'timeoutMs');
  const perTask = config.tasks?.[task.name]?.timeout;
  if (perTask !== undefined) return parseDuration(perTask, `tasks.${task.name}.timeout`);
  const own = task.defaults?.timeout;
  return own === undefined ? undefined : parseDuration(own, `task ${task.name}: defaults.timeout`);
}
