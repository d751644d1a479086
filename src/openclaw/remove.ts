import { hashHex } from '../shared/hash.js';
import { rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError, type RunnerErrorCode } from '../shared/errors.js';
import { removeJob, writeScratch, type ListedJob } from './cron-jobs.js';
import { scratchRemoval, type ScratchChange } from './install-plan.js';
import { deleteInstallRecord, type InstalledPieces } from './install-record.js';
import type { InstallContext } from './install-state.js';

/**
 * `runner openclaw remove`: take out exactly what the install record says the install put in and is
 * still the runner's — the skill unless the operator edited it since, the scratch block (keeping
 * the operator's text), the jobs matched by id and name (not those that were there before the
 * install) — then the record itself.
 */

/** One step of a removal: something taken out, or left with the reason. */
export type RemovalStep =
  | { piece: 'skill'; action: 'remove' | 'unchanged'; what: string; why: string; path: string }
  | ScratchChange
  /** The scratch block, when there is none to take out. */
  | { piece: 'heartbeat'; action: 'unchanged'; what: string; why: string }
  | { piece: 'job'; action: 'remove' | 'unchanged'; what: string; why: string; job?: ListedJob }
  | { piece: 'record'; action: 'remove'; what: string; why: string };

/** What OpenClaw holds now, as far as a removal needs it. */
export interface RemovalState {
  jobs: ListedJob[];
  /** The scratch of the recorded heartbeat job, when it is there and was read. */
  scratch?: { job: ListedJob; content: string | null; revision: number };
  skillText: string | null;
}

/** The removal's steps, in the order they run: scratch, jobs, skill, record. */
export function planRemoval(record: InstalledPieces, state: RemovalState, recordFile: string): RemovalStep[] {
  const steps: RemovalStep[] = [];
  if (record.heartbeat.mode === 'scratch') {
    const what = `heartbeat block in the scratch of ${record.heartbeat.job_name} (${record.heartbeat.job_id})`;
    const removal = state.scratch && scratchRemoval({ record }, state.scratch.job, state.scratch, 'put in by the install');
    if (removal) steps.push(removal);
    else steps.push({ piece: 'heartbeat', action: 'unchanged', what, why: state.scratch ? 'no taskrunner block in it: nothing to take out' : 'the heartbeat job is gone' });
  }
  const jobs = [...(record.heartbeat.mode === 'command' ? [record.heartbeat.job] : []), ...record.jobs];
  for (const recorded of jobs) {
    const what = `job ${recorded.name} (${recorded.id})`;
    const present = state.jobs.find((job) => job.id === recorded.id && job.name === recorded.name);
    if (!present) steps.push({ piece: 'job', action: 'unchanged', what, why: 'already gone from OpenClaw' });
    else if (recorded.adopted) steps.push({ piece: 'job', action: 'unchanged', what, why: 'it was there before the install: left' });
    else steps.push({ piece: 'job', action: 'remove', what, why: 'added by the install', job: present });
  }
  const skill = record.skill.path;
  if (state.skillText === null) steps.push({ piece: 'skill', action: 'unchanged', what: `skill ${skill}`, why: 'already gone', path: skill });
  else if (hashHex(state.skillText) !== record.skill.sha256) {
    steps.push({ piece: 'skill', action: 'unchanged', what: `skill ${skill}`, why: 'edited since the install: left as it is (delete it yourself if it should go)', path: skill });
  } else steps.push({ piece: 'skill', action: 'remove', what: `skill ${skill}`, why: 'written by the install', path: skill });
  steps.push({ piece: 'record', action: 'remove', what: `install record ${recordFile}`, why: "what the install put in is out (alert pushing is then the config's alone)" });
  return steps;
}

/** Carry out the removal; a failed step stops it, naming the step and what was already taken out (a second run finishes it). */
export async function applyRemoval(context: InstallContext, steps: readonly RemovalStep[]): Promise<void> {
  const done: string[] = [];
  let step = '';
  try {
    for (const removal of steps) {
      if (removal.action !== 'remove') continue;
      step = `taking out the ${removal.what}`;
      if (removal.piece === 'scratch') await writeScratch(context.client, removal.jobId, removal.content, removal.before.revision);
      else if (removal.piece === 'job') await removeJob(context.client, removal.job!.id);
      else if (removal.piece === 'skill') {
        await unlink(removal.path);
        // The folder was made for the skill; it goes if nothing else is in it.
        await rmdir(path.dirname(removal.path)).catch(() => undefined);
      } else await deleteInstallRecord(context.home);
      done.push(removal.what);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const code: RunnerErrorCode = error instanceof RunnerError ? error.code : 'openclaw.installFailed';
    const already = done.length > 0 ? `; already taken out: ${done.join('; ')} (run runner openclaw remove again to finish)` : '; nothing was taken out';
    throw new RunnerError(code, `remove failed while ${step}: ${reason}${already}`, { cause: error });
  }
}
