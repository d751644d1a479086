import { readCronJobs } from '../openclaw/cron-list.js';
import { describeOpenClawFailure } from '../openclaw/openclaw-cli.js';
import type { CheckResult } from './check-status.js';

/**
 * The cron check of system_health (SPEC §5): are OpenClaw's scheduled jobs failing? Asks
 * `openclaw cron list --json` (every page of it), which takes 2.5-4 s against a real gateway.
 */

export const DEFAULT_OPENCLAW_TIMEOUT_MS = 10_000;

/** A failing job's `lastError` that says a provider held it back, not that it is broken. */
const RATE_LIMITED = /rate[ _-]?limit|cooldown|\b429\b/i;

export interface CronCheckOptions {
  /** Limit of each `openclaw` call, in ms (default 10 000). */
  timeoutMs?: number;
  /** Environment of the call (PATH decides which `openclaw`); the runner's own by default. */
  env?: NodeJS.ProcessEnv;
  /** The runner home, whose install record may say where `openclaw` and its Node are. */
  home?: string;
  signal?: AbortSignal;
}

/** A failing job, as the report names it. */
export interface FailingJob {
  name: string;
  id?: string;
  last_error?: string;
  consecutive_errors?: number;
}

/** The cron check's result. */
export interface CronCheck extends CheckResult {
  /** Enabled jobs looked at. */
  jobs_checked?: number;
  failing_jobs?: FailingJob[];
  /** Why the check could not tell (`unknown`) or did not run (`skipped`). */
  reason?: string;
}

/** One job of `cron list --json`, as far as this check reads it. */
interface CronJob {
  id?: unknown;
  name?: unknown;
  enabled?: unknown;
  status?: unknown;
  lastError?: unknown;
  state?: { lastStatus?: unknown; consecutiveErrors?: unknown; lastError?: unknown };
}

/**
 * Run the check. No `openclaw` found is `skipped` (a runner without OpenClaw is fine); a call
 * that fails, hangs or prints something unreadable is `unknown`, with the reason, and so is a list
 * whose later pages cannot be read. Never rejects unless `signal` aborts.
 */
export async function checkCron(options: CronCheckOptions = {}): Promise<CronCheck> {
  const listing = await readCronJobs({
    timeoutMs: options.timeoutMs ?? DEFAULT_OPENCLAW_TIMEOUT_MS,
    env: options.env,
    home: options.home,
    signal: options.signal,
  });
  if (listing.kind === 'callFailed' && listing.outcome.kind === 'missing') {
    const reason = describeOpenClawFailure(listing.outcome, 'openclaw cron list');
    return { status: 'skipped', summary: reason, reason };
  }
  if (listing.kind !== 'ok') {
    const reason = listing.kind === 'unreadable' ? listing.reason : describeOpenClawFailure(listing.outcome, 'openclaw cron list --json');
    return { status: 'unknown', summary: reason, reason };
  }
  return judgeJobs(listing.jobs as CronJob[]);
}

/**
 * Judge the enabled jobs: failing when the last run failed (`state.lastStatus`, or the top-level
 * `status`) or errors are counting up. All failures rate limits → `degraded`, else `unhealthy`.
 */
export function judgeJobs(jobs: readonly CronJob[]): CronCheck {
  const enabled = jobs.filter((job) => job.enabled !== false);
  const failing = enabled.filter(isFailing).map(describeJob);
  const counted = { jobs_checked: enabled.length, failing_jobs: failing };
  if (failing.length === 0) return { status: 'healthy', summary: `${enabled.length} enabled job(s), none failing`, ...counted };
  const rateLimited = failing.every((job) => job.last_error !== undefined && RATE_LIMITED.test(job.last_error));
  const list = failing.map((job) => (job.last_error ? `${job.name} (${job.last_error})` : job.name)).join('; ');
  const what = rateLimited ? 'rate-limited' : 'failing';
  return { status: rateLimited ? 'degraded' : 'unhealthy', summary: `${failing.length} of ${enabled.length} job(s) ${what}: ${list}`, ...counted };
}

function isFailing(job: CronJob): boolean {
  const errors = job.state?.consecutiveErrors;
  return job.state?.lastStatus === 'error' || job.status === 'error' || (typeof errors === 'number' && errors > 0);
}

function describeJob(job: CronJob): FailingJob {
  const id = typeof job.id === 'string' || typeof job.id === 'number' ? String(job.id) : undefined;
  const name = typeof job.name === 'string' && job.name !== '' ? job.name : (id ?? '(unnamed job)');
  const lastError = job.state?.lastError ?? job.lastError;
  const errors = job.state?.consecutiveErrors;
  return {
    name,
    ...(id !== undefined && { id }),
    ...(typeof lastError === 'string' && lastError !== '' && { last_error: lastError }),
    ...(typeof errors === 'number' && { consecutive_errors: errors }),
  };
}
