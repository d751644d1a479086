import type { RunnerConfig } from '../config/config.js';
import { parseDuration } from '../config/duration.js';
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
  const timeout = overrides.timeoutMs ?? perTask?.timeout ?? task.defaults?.timeout;
  const where = overrides.timeoutMs !== undefined ? '--timeout' : perTask?.timeout !== undefined ? `tasks.${task.name}.timeout` : `${task.name} defaults.timeout`;
  return {
    attempts: Math.max(1, attempts),
    timeoutMs: timeout === undefined ? undefined : parseDuration(timeout, where),
    retry: {
      minTimeoutMs: config.retry?.minTimeoutMs ?? 1000,
      maxTimeoutMs: config.retry?.maxTimeoutMs ?? Number.POSITIVE_INFINITY,
      factor: config.retry?.factor ?? 2,
      jitter: config.retry?.jitter ?? false,
      maxRetryTimeMs: config.retry?.maxRetryTimeMs ?? Number.POSITIVE_INFINITY,
    },
  };
}
