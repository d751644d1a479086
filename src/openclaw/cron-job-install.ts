import { addJob, DEFAULT_CALL_TIMEOUT_MS, listJobs, removeJob, type CronClient } from './cron-jobs.js';
import { jobDifferences, type JobSpec } from './job-spec.js';

/** What `--install openclaw` (or `--remove`) did. */
export type OpenClawChange =
  | { action: 'added'; id: string }
  /** A job of that name is there already, as wanted: nothing changed. */
  | { action: 'unchanged'; id: string }
  /** A job of that name was there with another schedule or command (`differences`): a new one replaced it. */
  | { action: 'replaced'; id: string; ids: string[]; differences: string[] }
  | { action: 'removed'; ids: string[] }
  | { action: 'absent' };

const client = (env?: NodeJS.ProcessEnv): CronClient => ({ env, timeoutMs: DEFAULT_CALL_TIMEOUT_MS });

/**
 * Install the job: none of its name → add it; one that is the job wanted (see `jobDifferences`) →
 * nothing; else the new job is added first and then the old ones of the name removed, so a failed
 * call never leaves the task without a job. OpenClaw would accept a second job of the same name
 * and run both, so the name is what makes the install idempotent.
 */
export async function installOpenClawJob(spec: JobSpec, env?: NodeJS.ProcessEnv): Promise<OpenClawChange> {
  const existing = (await listJobs(client(env))).filter((job) => job.name === spec.name);
  const same = existing.find((job) => jobDifferences(spec, job.job).length === 0);
  if (same && existing.length === 1) return { action: 'unchanged', id: same.id };
  const differences = existing.length === 0 ? [] : jobDifferences(spec, existing[0]!.job);
  const id = await addJob(client(env), spec);
  if (existing.length === 0) return { action: 'added', id };
  for (const job of existing) await removeJob(client(env), job.id);
  return { action: 'replaced', id, ids: existing.map((job) => job.id), differences: differences.length > 0 ? differences : ['is there more than once'] };
}

/** Remove every job of that name (there may be several if some were added by hand). */
export async function removeOpenClawJob(name: string, env?: NodeJS.ProcessEnv): Promise<OpenClawChange> {
  const ids = (await listJobs(client(env))).filter((job) => job.name === name).map((job) => job.id);
  for (const id of ids) await removeJob(client(env), id);
  return ids.length === 0 ? { action: 'absent' } : { action: 'removed', ids };
}
