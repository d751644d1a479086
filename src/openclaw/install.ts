import { hashHex } from '../shared/hash.js';
import { existsSync } from 'node:fs';
import { rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError, type RunnerErrorCode } from '../shared/errors.js';
import { isoWithOffset } from '../shared/time.js';
import { writeAtomic } from '../store/atomic-write.js';
import { addJob, removeJob, writeScratch } from './cron-jobs.js';
import type { InstallChange, JobChange, ScratchChange, SkillChange } from './install-plan.js';
import { writeInstallRecord, type InstalledJob, type InstalledPieces, type OpenClawInstallRecord } from './install-record.js';
import type { InstallContext } from './install-state.js';

/**
 * Carrying out an install plan (install-plan.ts) in an order where a failure can be undone: the
 * skill, then the new jobs, then the scratch (guarded by its revision), then the removals of
 * replaced and obsolete jobs, and the install record last. When a step fails, the steps already
 * done are undone in reverse (best effort) and the error names the failed step, what was undone
 * and what could not be.
 */

/** A step done, and how to undo it. */
interface DoneStep {
  what: string;
  /** Undefined for a step that cannot be undone (a job removed). */
  undo?: () => Promise<void>;
}

/** What the install left: the record written. */
export interface AppliedInstall {
  record: OpenClawInstallRecord;
  /** The ids of the jobs added, by job name. */
  added: Map<string, string>;
}

/** Apply `changes` (none may be a `noHeartbeat`: the caller refuses those first). */
export async function applyInstall(context: InstallContext, changes: readonly InstallChange[], agent: string): Promise<AppliedInstall> {
  const done: DoneStep[] = [];
  const added = new Map<string, string>();
  let scratchWritten: { change: ScratchChange; revision: number } | undefined;
  let step = '';
  try {
    for (const change of changes) {
      if (change.piece !== 'skill' || change.action === 'unchanged') continue;
      step = `writing ${change.what}`;
      done.push(await writeSkill(change));
    }
    for (const change of changes) {
      if (change.piece !== 'job' || (change.action !== 'add' && change.action !== 'replace')) continue;
      step = `adding ${change.what}`;
      const id = await addJob(context.client, change.spec!);
      added.set(change.name, id);
      done.push({ what: `added ${change.name} (id ${id})`, undo: () => removeJob(context.client, id) });
    }
    for (const change of changes) {
      if (change.piece !== 'scratch' || change.action === 'unchanged') continue;
      step = `${change.action === 'remove' ? 'taking out' : 'writing'} the ${change.what}`;
      const revision = await writeScratch(context.client, change.jobId, change.content, change.before.revision);
      scratchWritten = { change, revision };
      done.push({ what: `wrote the ${change.what}`, undo: () => writeScratch(context.client, change.jobId, change.before.content, revision).then(() => undefined) });
    }
    for (const change of changes) {
      if (change.piece !== 'job') continue;
      for (const job of change.removed) {
        step = `removing ${job.name} (id ${job.id})`;
        await removeJob(context.client, job.id);
        done.push({ what: `removed ${job.name} (id ${job.id}; an install adds what is missing again)` });
      }
    }
    step = `writing the install record ${context.recordFile}`;
    const record: OpenClawInstallRecord = {
      openclaw: { bin: context.tools!.bin, ...(context.tools?.node ? { node: context.tools.node } : {}) },
      installed: installedPieces(context, changes, agent, added, scratchWritten),
    };
    await writeInstallRecord(context.home, record);
    return { record, added };
  } catch (error) {
    throw await undone(error, step, done);
  }
}

/** The record of what is installed after `changes`. */
function installedPieces(
  context: InstallContext,
  changes: readonly InstallChange[],
  agent: string,
  added: ReadonlyMap<string, string>,
  scratchWritten: { change: ScratchChange } | undefined,
): InstalledPieces {
  const skill = changes.find((change): change is SkillChange => change.piece === 'skill')!;
  const kept = (change: JobChange): InstalledJob | undefined => {
    if (change.action === 'remove' || change.spec === undefined) return undefined;
    const id = added.get(change.name) ?? change.kept?.id;
    if (id === undefined) return undefined;
    return { id, name: change.name, ...(change.task !== undefined ? { task: change.task } : {}), spec: change.spec, ...(change.adopted ? { adopted: true } : {}) };
  };
  const jobChanges = changes.filter((change): change is JobChange => change.piece === 'job');
  const heartbeatJob = jobChanges.find((change) => change.task === undefined && change.spec !== undefined);
  const scratch = changes.find((change): change is ScratchChange => change.piece === 'scratch' && change.action !== 'remove');
  const alerts = changes.find((change) => change.piece === 'alerts');
  let heartbeat: InstalledPieces['heartbeat'];
  if (scratch) {
    const { change } = scratchWritten ?? { change: scratch };
    heartbeat = {
      mode: 'scratch',
      job_id: change.jobId,
      job_name: change.jobName,
      block_sha256: hashHex(change.block ?? ''),
      separator_added: change.separatorAdded,
      created_scratch: change.createdScratch,
    };
  } else {
    heartbeat = { mode: 'command', job: kept(heartbeatJob!)! };
  }
  return {
    at: isoWithOffset(),
    agent,
    workspace: context.workspace,
    skill: { path: skill.path, sha256: hashHex(skill.content) },
    heartbeat,
    jobs: jobChanges.filter((change) => change.task !== undefined && change.action !== 'remove').flatMap((change) => kept(change) ?? []),
    alerts_push: alerts?.piece === 'alerts' ? alerts.push : null,
  };
}

/** Write the skill file; undo puts back the text it had, or removes it and the folders made for it. */
async function writeSkill(change: SkillChange): Promise<DoneStep> {
  const folder = path.dirname(change.path);
  const made = [folder, path.dirname(folder)].filter((dir) => !existsSync(dir));
  await writeAtomic(change.path, (sink) => sink.write(change.content));
  const undo = async () => {
    const before = change.before;
    if (before !== null) {
      await writeAtomic(change.path, (sink) => sink.write(before));
      return;
    }
    await unlink(change.path);
    for (const dir of made) await rmdir(dir).catch(() => undefined);
  };
  return { what: `wrote ${change.path}`, undo };
}

/** The error of a failed install, once the steps done are undone (in reverse). */
async function undone(error: unknown, step: string, done: readonly DoneStep[]): Promise<RunnerError> {
  const undoneSteps: string[] = [];
  const notUndone: string[] = [];
  for (const doneStep of [...done].reverse()) {
    if (!doneStep.undo) {
      notUndone.push(doneStep.what);
      continue;
    }
    try {
      await doneStep.undo();
      undoneSteps.push(doneStep.what);
    } catch (undoError) {
      notUndone.push(`${doneStep.what} (undo failed: ${undoError instanceof Error ? undoError.message : String(undoError)})`);
    }
  }
  const reason = error instanceof Error ? error.message : String(error);
  const parts = [`install failed while ${step}: ${reason}`];
  if (undoneSteps.length > 0) parts.push(`undone: ${undoneSteps.join('; ')}`);
  if (notUndone.length > 0) parts.push(`not undone: ${notUndone.join('; ')}`);
  if (done.length === 0) parts.push('nothing was changed');
  const code: RunnerErrorCode = error instanceof RunnerError ? error.code : 'openclaw.installFailed';
  return new RunnerError(code, parts.join('. '), { cause: error });
}
