/** `openclaw cron list --json` outputs, in the shapes OpenClaw 2026.9 prints (REAL-OPENCLAW.md). */

const base = { enabled: true, schedule: { kind: 'cron', expr: '*/30 * * * *' }, createdAtMs: 1790000000000 };

/** A system job that ran fine. */
export const okJob = { ...base, id: 'hb-main', name: 'heartbeat', status: 'ok', state: { lastStatus: 'ok', consecutiveErrors: 0 } };

/** A command job whose last run exited 3. */
export const failingJob = {
  ...base,
  id: '7f3a',
  name: 'disk-report',
  status: 'error',
  state: { lastStatus: 'error', lastRunStatus: 'error', lastError: 'command exited with code 3', consecutiveErrors: 2, lastDurationMs: 84 },
};

/** An agent job held back by the provider. */
export const rateLimitedJob = {
  ...base,
  id: '9c1d',
  name: 'morning-brief',
  status: 'error',
  state: { lastStatus: 'error', lastError: 'provider rate_limit: 429 Too Many Requests', consecutiveErrors: 1 },
};

/** The 2026.9 object shape around some jobs. */
export function listing(jobs: readonly object[]): string {
  return JSON.stringify({ jobs, total: jobs.length, offset: 0, limit: 200, hasMore: false });
}
