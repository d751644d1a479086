import type { Logger } from 'pino';

/** A failed attempt, as the run reports it in its log. */
export interface FailedAttempt {
  /** Which attempt failed, from 1. */
  attempt: number;
  /** The most attempts the run makes; undefined for a run of one attempt (a queue job: the queue retries). */
  attempts: number | undefined;
  /** Retries the run still has (0 when none will follow: not retryable, cancelled, out of attempts). */
  retriesLeft: number;
  /** False for an error that is never retried (a `NonRetryableError`). */
  retryable: boolean;
  /** The wait before the next attempt when one follows: shortest and longest (they differ with jitter). */
  retryIn: { minMs: number; maxMs: number } | undefined;
  /** The task's own error. */
  error: unknown;
}

/**
 * Log a failed attempt at `warn`. The JSON entry keeps the fields and message it has always had
 * (`attempt`, `retries_left`, `err`, "attempt 1 failed: boom"), for log shippers and files; the
 * count and the wait (`attempts`, `retry_in_ms`, with jitter `retry_in_max_ms`) are added for a
 * run that retries by itself, and {@link describeFailedAttempt} makes the line a person reads.
 */
export function logFailedAttempt(log: Logger, failed: FailedAttempt): void {
  const message = failed.error instanceof Error ? failed.error.message : String(failed.error);
  const count = failed.attempts === undefined ? {} : { attempts: failed.attempts };
  const wait = failed.retryIn === undefined ? {} : waitFields(failed.retryIn);
  log.warn(
    { attempt: failed.attempt, retries_left: failed.retriesLeft, ...count, ...wait, err: failed.error },
    `${attemptPrefix(failed.attempt)}${message}${failed.retryable ? '' : ' (not retried)'}`,
  );
}

/**
 * A failed attempt's log entry (pino's JSON, parsed) as a person reads it: `attempt 1 of 3 failed:
 * boom (retrying in 1s)`, the last one `attempt 3 of 3 failed: boom`. Undefined for any other entry.
 */
export function describeFailedAttempt(entry: Readonly<Record<string, unknown>>): string | undefined {
  const { attempt, attempts, retries_left: retriesLeft, retry_in_ms: waitMs, retry_in_max_ms: longestWaitMs, msg } = entry;
  if (typeof attempt !== 'number' || typeof retriesLeft !== 'number' || typeof msg !== 'string') return undefined;
  const prefix = attemptPrefix(attempt);
  if (!msg.startsWith(prefix)) return undefined;
  const counted = typeof attempts === 'number' ? `attempt ${attempt} of ${attempts} failed: ` : prefix;
  const wait = typeof waitMs === 'number' ? ` (retrying in ${waitText(waitMs, typeof longestWaitMs === 'number' ? longestWaitMs : waitMs)})` : '';
  return `${counted}${msg.slice(prefix.length)}${wait}`;
}

function attemptPrefix(attempt: number): string {
  return `attempt ${attempt} failed: `;
}

function waitFields({ minMs, maxMs }: { minMs: number; maxMs: number }): Record<string, number> {
  return maxMs === minMs ? { retry_in_ms: minMs } : { retry_in_ms: minMs, retry_in_max_ms: maxMs };
}

function waitText(minMs: number, maxMs: number): string {
  return maxMs === minMs ? duration(minMs) : `${duration(minMs)} to ${duration(maxMs)}`;
}

// Short and rounded, for a person: 250ms, 1s, 1.5s, 2m, 2m 30s, 1h 5m.
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  if (ms < 3_600_000) return twoUnits(Math.round(ms / 1000), 'm', 's');
  return twoUnits(Math.round(ms / 60_000), 'h', 'm');
}

// `count` of the smaller unit in the larger one and what is left: 150 s is 2m 30s.
function twoUnits(count: number, larger: string, smaller: string): string {
  const rest = count % 60;
  return `${Math.floor(count / 60)}${larger}${rest === 0 ? '' : ` ${rest}${smaller}`}`;
}
