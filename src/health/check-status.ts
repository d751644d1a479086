/**
 * The vocabulary every health check speaks, and how the worst of them becomes the overall status.
 */

/**
 * How one check (or the whole report) came out.
 *
 * - `healthy`: checked, nothing wrong.
 * - `skipped`: not applicable here (no `openclaw` on PATH); never worsens the overall status.
 * - `unknown`: the check could not find out (the `openclaw` call failed, hung or printed garbage).
 * - `warning` / `degraded`: working, but needs a look (disk filling up; gateway live but not
 *   ready; cron jobs held back by a provider's rate limit).
 * - `unhealthy`: broken (gateway down or failing, cron jobs failing).
 * - `critical`: about to break everything (disk nearly full).
 */
export type CheckStatus = 'healthy' | 'skipped' | 'unknown' | 'warning' | 'degraded' | 'unhealthy' | 'critical';

/**
 * Severity rank, higher is worse. `unknown` sits above `healthy` (a report must not say "healthy"
 * when a check could not look) but below `warning`/`degraded` (not knowing is no evidence of a
 * fault, and it raises no alert). `warning` and `degraded` are the same rank: one word for
 * resources (disk), one for services.
 */
const RANK: Record<CheckStatus, number> = {
  healthy: 0,
  skipped: 0,
  unknown: 1,
  warning: 2,
  degraded: 2,
  unhealthy: 3,
  critical: 4,
};

/** What every check returns: a status, a one-line summary naming the URL/job/path, and details. */
export interface CheckResult {
  status: CheckStatus;
  /** One line for a person, e.g. `connection refused at http://127.0.0.1:18789/health`. */
  summary: string;
  [detail: string]: unknown;
}

/**
 * The overall status of some checks: the worst one. Ties keep the first check's word, so a disk
 * warning and a degraded gateway read as whichever comes first. Nothing but skipped checks is
 * `healthy`.
 */
export function worstStatus(statuses: readonly CheckStatus[]): CheckStatus {
  let worst: CheckStatus = 'healthy';
  for (const status of statuses) if (RANK[status] > RANK[worst]) worst = status;
  return worst;
}
