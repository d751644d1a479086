import { RunnerError } from '../errors.js';
import { readCronJobs } from '../openclaw/cron-list.js';
import { describeOpenClawFailure, runOpenClaw, type OpenClawOutcome } from '../openclaw/openclaw-cli.js';

/**
 * The few `openclaw cron` calls `runner cron --install openclaw` needs: list the jobs (disabled ones
 * too), add one, remove one. Every call goes through {@link runOpenClaw}; each takes 2.5-4 s on a
 * real gateway, so the limit is generous.
 */

const CALL_TIMEOUT_MS = 60_000;

/** A job as `openclaw cron list --json` shows it; only the fields the runner reads. */
export interface OpenClawCronJob {
  id: string;
  name: string;
}

/**
 * Every job of the gateway, every page of the list, disabled ones included (`--all`: without it
 * they are not listed). A list that cannot be read in full is an error, not a shorter list.
 */
export async function listCronJobs(env?: NodeJS.ProcessEnv): Promise<OpenClawCronJob[]> {
  const listing = await readCronJobs({ all: true, timeoutMs: CALL_TIMEOUT_MS, env });
  if (listing.kind === 'callFailed') throw new RunnerError('schedule.installFailed', describeOpenClawFailure(listing.outcome, 'openclaw cron list'));
  if (listing.kind === 'unreadable') throw new RunnerError('schedule.installFailed', listing.reason);
  return listing.jobs.flatMap(({ id, name }) => (typeof id === 'string' && typeof name === 'string' ? [{ id, name }] : []));
}

/** Add a job with the arguments `openclaw cron add` takes (see `openclawAddArgs`). */
export async function addCronJob(addArgs: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return call(['cron', ...addArgs, '--json'], 'openclaw cron add', env);
}

/** Remove the job with this id. */
export async function removeCronJob(id: string, env?: NodeJS.ProcessEnv): Promise<void> {
  await call(['cron', 'rm', id, '--json'], 'openclaw cron rm', env);
}

async function call(args: readonly string[], what: string, env: NodeJS.ProcessEnv | undefined): Promise<string> {
  const outcome: OpenClawOutcome = await runOpenClaw(args, { timeoutMs: CALL_TIMEOUT_MS, env });
  if (outcome.kind === 'ok') return outcome.stdout;
  throw new RunnerError('schedule.installFailed', describeOpenClawFailure(outcome, what));
}
