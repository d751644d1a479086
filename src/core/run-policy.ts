import type { RunnerConfig } from '../config/config.js';
import { checkTimerMs, MAX_TIMER_MS, parseDuration } from '../shared/duration.js';
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

/** A setting and where it came from, as a person reads it (`tasks.backup.attempts in the config`). */
export interface Resolved<T> {
  value: T;
  source: string;
}

/**
 * Attempts: `--retries` (plus the first attempt), then `tasks.<name>.attempts` in the config, then
 * the task's own default, then `retry.attempts`, then 3. Timeout: `--timeout`, then the config's
 * `tasks.<name>.timeout`, then the task's default; none otherwise.
 */
export function resolveRunPolicy(task: Task, config: RunnerConfig, overrides: RunOverrides = {}): RunPolicy {
  const attempts = overrides.retries !== undefined ? overrides.retries + 1 : resolveAttempts(task, config).value;
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

/**
 * The wait before the attempt after failed attempt `attemptNumber` (from 1), as p-retry makes it:
 * minTimeout × factor^(n-1), up to maxTimeout; with jitter anywhere from that to twice that.
 */
export function retryWaitMs(policy: RunPolicy, attemptNumber: number): { minMs: number; maxMs: number } {
  const { minTimeoutMs, maxTimeoutMs, factor, jitter } = policy.retry;
  // p-retry takes a factor that is not above 0 as 1.
  const base = minTimeoutMs * (factor > 0 ? factor : 1) ** (attemptNumber - 1);
  return { minMs: Math.min(Math.round(base), maxTimeoutMs), maxMs: Math.min(Math.round(jitter ? 2 * base : base), maxTimeoutMs) };
}

/**
 * A run's attempts when the command line does not say (no `--retries`), and which setting decided:
 * what `runner help <task>` shows as the default, by the rule the run itself follows.
 */
export function resolveAttempts(task: Task, config: RunnerConfig): Resolved<number> {
  const perTask = config.tasks?.[task.name]?.attempts;
  if (perTask !== undefined) return { value: perTask, source: `tasks.${task.name}.attempts in the config` };
  const own = task.defaults?.attempts;
  if (own !== undefined) return { value: Math.max(1, own), source: "the task's defaults.attempts" };
  const global = config.retry?.attempts;
  if (global !== undefined) return { value: global, source: 'retry.attempts in the config' };
  return { value: DEFAULT_ATTEMPTS, source: "the runner's default" };
}

/**
 * A run's timeout when the command line does not say (no `--timeout`), as written where it was
 * set, and which setting decided; undefined when none does. Not checked here: the run checks it.
 */
export function timeoutSetting(task: Task, config: RunnerConfig): (Resolved<number | string> & { key: string }) | undefined {
  const perTask = config.tasks?.[task.name]?.timeout;
  if (perTask !== undefined) return { value: perTask, source: `tasks.${task.name}.timeout in the config`, key: `tasks.${task.name}.timeout` };
  const own = task.defaults?.timeout;
  return own === undefined ? undefined : { value: own, source: "the task's defaults.timeout", key: `task ${task.name}: defaults.timeout` };
}

// `overrides.timeoutMs` is already milliseconds (the CLI parsed `--timeout`); the config's and the
// task's are durations, where a bare number is seconds. Each is checked naming where it came from.
function resolveTimeoutMs(task: Task, config: RunnerConfig, overrides: RunOverrides): number | undefined {
  if (overrides.timeoutMs !== undefined) return checkTimerMs(overrides.timeoutMs, 'timeoutMs');
  const setting = timeoutSetting(task, config);
  return setting === undefined ? undefined : parseDuration(setting.value, setting.key);
}
