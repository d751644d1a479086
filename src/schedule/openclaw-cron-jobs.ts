import { RunnerError } from '../errors.js';
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

/** Every job of the gateway, including disabled ones (`--all`: without it they are not listed). */
export async function listCronJobs(env?: NodeJS.ProcessEnv): Promise<OpenClawCronJob[]> {
  const stdout = await call(['cron', 'list', '--all', '--json'], 'openclaw cron list', env);
  return parseJobList(stdout);
}

/** Add a job with the arguments `openclaw cron add` takes (see `openclawAddArgs`). */
export async function addCronJob(addArgs: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return call(['cron', ...addArgs, '--json'], 'openclaw cron add', env);
}

/** Remove the job with this id. */
export async function removeCronJob(id: string, env?: NodeJS.ProcessEnv): Promise<void> {
  await call(['cron', 'rm', id, '--json'], 'openclaw cron rm', env);
}

/** The jobs of a `cron list --json` answer: `{"jobs":[{id, name, …}], "total", …}`. */
export function parseJobList(stdout: string): OpenClawCronJob[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new RunnerError('schedule.installFailed', `openclaw cron list --json did not print JSON: ${stdout.trim().slice(0, 200)}`);
  }
  const jobs = (parsed as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobs)) throw new RunnerError('schedule.installFailed', 'openclaw cron list --json: no "jobs" array in its answer');
  return jobs.filter(isJob).map((job) => ({ id: job.id, name: job.name }));
}

function isJob(value: unknown): value is OpenClawCronJob {
  const job = value as Partial<OpenClawCronJob> | null;
  return typeof job?.id === 'string' && typeof job.name === 'string';
}

async function call(args: readonly string[], what: string, env: NodeJS.ProcessEnv | undefined): Promise<string> {
  const outcome: OpenClawOutcome = await runOpenClaw(args, { timeoutMs: CALL_TIMEOUT_MS, env });
  if (outcome.kind === 'ok') return outcome.stdout;
  throw new RunnerError('schedule.installFailed', describeOpenClawFailure(outcome, what));
}
