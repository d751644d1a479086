import { addCronJob, listCronJobs, removeCronJob } from './openclaw-cron-jobs.js';

/** What `--install openclaw` (or `--remove`) did. */
export type OpenClawChange =
  | { action: 'added'; id: string | undefined }
  /** A job of that name exists already: nothing was added (remove it first to change it). */
  | { action: 'exists'; id: string }
  | { action: 'removed'; ids: string[] }
  | { action: 'absent' };

/**
 * Add the job unless one of the same name exists. OpenClaw would accept a second job of the same
 * name and run both, so the name is what makes the install idempotent.
 */
export async function installOpenClawJob(name: string, addArgs: readonly string[], env?: NodeJS.ProcessEnv): Promise<OpenClawChange> {
  const existing = (await listCronJobs(env)).find((job) => job.name === name);
  if (existing) return { action: 'exists', id: existing.id };
  const stdout = await addCronJob(addArgs, env);
  return { action: 'added', id: addedJobId(stdout) };
}

/** Remove every job of that name (there may be several if some were added by hand). */
export async function removeOpenClawJob(name: string, env?: NodeJS.ProcessEnv): Promise<OpenClawChange> {
  const ids = (await listCronJobs(env)).filter((job) => job.name === name).map((job) => job.id);
  for (const id of ids) await removeCronJob(id, env);
  return ids.length === 0 ? { action: 'absent' } : { action: 'removed', ids };
}

// `cron add` prints the new job as JSON; the id is only reported, so an answer without one is fine.
function addedJobId(stdout: string): string | undefined {
  try {
    const parsed = JSON.parse(stdout) as { id?: unknown; job?: { id?: unknown } };
    const id = parsed.job?.id ?? parsed.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
