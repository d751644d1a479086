import { RunnerError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The longest delay a Node.js timer can wait: 2^31-1 ms (about 24.8 days). A longer one fires at
 * once (with only a warning), so a timeout above it would abort a run immediately.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const EXAMPLES = 'a number of seconds, or e.g. 500ms, 30s, 10m, 1h, 2d';

/**
 * Parse a timeout: a number of seconds (bare, as `--timeout 30` and `timeout(1)` read it, in the
 * config file as much as on the command line), or a string with a unit: `500ms`, `30s`, `10m`,
 * `1h`, `2d`. It must be above zero and at most {@link MAX_TIMER_MS}.
 *
 * @param what names the flag or key in the error, e.g. `--timeout`.
 * @returns milliseconds.
 */
export function parseDuration(value: number | string, what: string): number {
  const ms = toMilliseconds(value);
  if (ms === undefined) {
    throw new RunnerError('runner.invalidArgument', `${what}: invalid duration ${JSON.stringify(value)} (expected ${EXAMPLES})`);
  }
  return Math.round(checkTimerMs(ms, what, JSON.stringify(value)));
}

/**
 * Check a duration already in milliseconds (e.g. `runTask({ timeoutMs })`): above zero, at least
 * the 1 ms a timer counts in, and short enough for a timer. `shown` is how the value appears in the error.
 */
export function checkTimerMs(ms: number, what: string, shown = `${ms} ms`): number {
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new RunnerError('runner.invalidArgument', `${what}: a duration must be above zero, got ${shown}`);
  }
  if (ms < 1) {
    // Rounded, it would be 0: "above zero" would be true of what was typed and false of what runs.
    throw new RunnerError('runner.invalidArgument', `${what}: ${shown} is ${formatFraction(ms)} ms, below the smallest supported duration, 1 ms`);
  }
  if (ms > MAX_TIMER_MS) {
    throw new RunnerError(
      'runner.invalidArgument',
      `${what}: ${shown} is longer than the longest supported duration, ${MAX_TIMER_MS} ms (about 24.8 days)`,
    );
  }
  return ms;
}

/** Whether `value` is a valid duration (for the config schema, which reports the key itself). */
export function isValidDuration(value: number | string): boolean {
  const ms = toMilliseconds(value);
  return ms !== undefined && ms >= 1 && ms <= MAX_TIMER_MS;
}

/** The rule, for messages: what a duration looks like. */
export const DURATION_RULE = `of at least 1 ms and at most 24.8 days; ${EXAMPLES}`;

// Not rounded: a value below 1 ms must be refused as such, not as the 0 it would round to.
function toMilliseconds(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * UNIT_MS.s! : undefined;
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = (match[2] ?? 's').toLowerCase();
  return Number(match[1]) * UNIT_MS[unit]!;
}

/** `0.1` for 0.1 ms: a fraction without the floating-point tail (`0.30000000000000004`). */
function formatFraction(ms: number): string {
  return String(Number(ms.toPrecision(3)));
}

/** A duration for a message, in the largest unit that shows it exactly: `1s`, `10m`, `1500ms`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
