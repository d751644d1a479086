import { RunnerError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parse a duration: a number of milliseconds, or a string such as `500ms`, `30s`, `10m`, `1h`,
 * `2d` (a bare number string is seconds, as cron users write `--timeout 30`).
 *
 * @param what names the flag or key in the error, e.g. `--timeout`.
 */
export function parseDuration(value: number | string, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
    if (match) {
      const unit = (match[2] ?? 's').toLowerCase();
      return Math.round(Number(match[1]) * (UNIT_MS[unit] ?? 1000));
    }
  }
  throw new RunnerError(
    'runner.invalidArgument',
    `${what}: invalid duration ${JSON.stringify(value)} (expected e.g. 30s, 10m, 1h)`,
  );
}
