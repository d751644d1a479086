import { hashHex } from '../shared/hash.js';
import type { AlertLevel } from '../store/alerts.js';
import type { ListedJob, Scratch } from './cron-jobs.js';
import type { InstalledJob, InstalledPieces } from './install-record.js';
import { jobDifferences, type JobSpec } from './job-spec.js';
import { currentScratchBlock, withoutScratchBlock, withScratchBlock } from './scratch-block.js';

/**
 * What `runner openclaw install` would change, worked out from what is there now and what is
 * wanted, before anything is touched: each piece is added, replaced, left unchanged or removed,
 * with the reason. Pure: gathering the state and applying the changes are install.ts's.
 */

/** What a change does to its piece. */
export type ChangeAction = 'add' | 'replace' | 'unchanged' | 'remove';

interface ChangeBase {
  action: ChangeAction;
  /** The piece, as a person reads it: `skill /…/SKILL.md`, `job runner-system_health`. */
  what: string;
  /** Why this action. */
  why: string;
}

/** The skill file: written (add, replace) or left. */
export interface SkillChange extends ChangeBase {
  piece: 'skill';
  path: string;
  content: string;
  /** The file's text now (null: none), to put back if a later step fails. */
  before: string | null;
}

/** The heartbeat monitor's scratch: the runner's block put in, replaced, left or taken out. */
export interface ScratchChange extends ChangeBase {
  piece: 'scratch';
  jobId: string;
  jobName: string;
  /** The scratch as read, whose revision guards the write. */
  before: Scratch;
  /** The scratch after the change (null: no scratch at all). */
  content: string | null;
  /** The block as written (add, replace, unchanged). */
  block?: string;
  separatorAdded: boolean;
  createdScratch: boolean;
}

/** An OpenClaw job: added, replaced (the new one added, then the old ones removed), left or removed. */
export interface JobChange extends ChangeBase {
  piece: 'job';
  name: string;
  /** The task it runs; undefined for the heartbeat's command job. */
  task?: string;
  /** The job wanted (add, replace, unchanged). */
  spec?: JobSpec;
  /** The job kept as it is (unchanged). */
  kept?: ListedJob;
  /** Jobs taken out (replace, remove). */
  removed: ListedJob[];
  /** Kept because it was there, as wanted, before any install: not the runner's to remove later. */
  adopted?: boolean;
}

/** Pushing alerts to the agent when the config says nothing (`alerts.push`). */
export interface AlertsChange extends ChangeBase {
  piece: 'alerts';
  push: { min_level: AlertLevel } | null;
}

/** No heartbeat monitor job to put the block in: install refuses, status shows the heartbeat missing. */
export interface NoHeartbeatChange extends ChangeBase {
  piece: 'noHeartbeat';
  action: 'add';
}

export type InstallChange = SkillChange | ScratchChange | JobChange | AlertsChange | NoHeartbeatChange;

/** What install wants in OpenClaw. */
export interface DesiredInstall {
  skill: { path: string; content: string };
  heartbeat: { mode: 'scratch'; agent: string; block: string } | { mode: 'command'; agent: string; spec: JobSpec; note?: string };
  /** One job per scheduled task. */
  jobs: { task: string; spec: JobSpec }[];
  /** Whether a task is unknown now (a task file does not load, and it may be that task's): its recorded job is kept whatever. */
  taskUnknown: (task: string) => boolean;
  alertsPush: { min_level: AlertLevel } | null;
  /** Why pushing is on or off: `alerts.push in the config`, `the default of runner openclaw install`. */
  alertsPushWhy: string;
}

/** What is there now. */
export interface CurrentInstall {
  jobs: ListedJob[];
  /** The agent's heartbeat monitor job (`heartbeat-<agent>`), when there is one. */
  heartbeatJob?: ListedJob;
  /** Its scratch, when it was read. */
  scratch?: Scratch;
  skillText: string | null;
  /** What the last install put in, per its record. */
  record?: InstalledPieces;
}

/**
 * The changes, in the order they are shown: the skill, the heartbeat (its scratch block or its
 * command job, and the other mode's piece taken out), a job per scheduled task, jobs of the last
 * install no longer wanted, alert pushing. Without a heartbeat job to write the block to, the
 * heartbeat's change is a {@link NoHeartbeatChange}. Throws `openclaw.brokenScratch` for a scratch
 * whose markers do not pair.
 */
export function planInstall(current: CurrentInstall, desired: DesiredInstall): InstallChange[] {
  const changes: InstallChange[] = [skillChange(current, desired)];
  const recordJobs = [...(current.record?.jobs ?? []), ...(current.record?.heartbeat.mode === 'command' ? [current.record.heartbeat.job] : [])];
  const wanted: { name: string; task?: string; spec: JobSpec }[] = desired.jobs.map((job) => ({ name: job.spec.name, task: job.task, spec: job.spec }));
  if (desired.heartbeat.mode === 'scratch') {
    const name = `heartbeat-${desired.heartbeat.agent}`;
    if (!current.heartbeatJob || current.scratch === undefined) {
      changes.push({
        piece: 'noHeartbeat',
        action: 'add',
        what: `heartbeat block in the scratch of ${name}`,
        why: `no heartbeat job ${name} in openclaw cron list --all: is agent ${desired.heartbeat.agent}'s heartbeat configured (agents.defaults.heartbeat)? Use --agent for another agent, or --heartbeat command for a job of the runner's own`,
      });
    } else changes.push(scratchInstall(current, current.heartbeatJob, current.scratch, desired.heartbeat.block));
  } else {
    wanted.unshift({ name: desired.heartbeat.spec.name, spec: desired.heartbeat.spec });
    const removal = current.heartbeatJob && current.scratch !== undefined ? scratchRemoval(current, current.heartbeatJob, current.scratch, 'the heartbeat runs the runner as a command job now') : undefined;
    if (removal) changes.push(removal);
  }
  for (const job of wanted) changes.push(jobChange(current.jobs, job, recordJobs.find((recorded) => recorded.name === job.name)));
  const wantedNames = new Set(wanted.map((job) => job.name));
  for (const recorded of recordJobs) {
    if (wantedNames.has(recorded.name)) continue;
    if (recorded.task !== undefined && desired.taskUnknown(recorded.task)) {
      const kept = current.jobs.find((job) => job.id === recorded.id);
      if (kept) changes.push({ piece: 'job', action: 'unchanged', what: `job ${recorded.name}`, why: `task ${recorded.task} does not load now, so whether it is still scheduled is unknown: kept`, name: recorded.name, task: recorded.task, spec: recorded.spec, kept, removed: [] });
      continue;
    }
    changes.push(...obsoleteJob(current.jobs, recorded));
  }
  changes.push(alertsChange(current.record, desired));
  return changes;
}

/** The skill's change: added, replaced (saying whether the operator edited it) or left. */
export function skillChange(current: Pick<CurrentInstall, 'skillText' | 'record'>, desired: Pick<DesiredInstall, 'skill'>): SkillChange {
  const { path, content } = desired.skill;
  const base = { piece: 'skill' as const, what: `skill ${path}`, path, content, before: current.skillText };
  if (current.skillText === null) return { ...base, action: 'add', why: 'not there yet' };
  if (current.skillText === content) return { ...base, action: 'unchanged', why: 'as wanted' };
  const recorded = current.record?.skill.path === path ? current.record.skill.sha256 : undefined;
  const why = recorded === undefined
    ? 'a SKILL.md of that name is there, not written by an install of this home: replaced'
    : recorded === hashHex(current.skillText) ? 'written by an earlier install with other command lines' : 'edited since the last install: replaced (an install writes it whole)';
  return { ...base, action: 'replace', why };
}

function scratchInstall(current: CurrentInstall, job: ListedJob, scratch: Scratch, block: string): ScratchChange {
  const base = { piece: 'scratch' as const, what: `heartbeat block in the scratch of ${job.name} (${job.id})`, jobId: job.id, jobName: job.name, before: scratch, block };
  const present = currentScratchBlock(scratch.content);
  const recorded = current.record?.heartbeat.mode === 'scratch' && current.record.heartbeat.job_id === job.id ? current.record.heartbeat : undefined;
  const disabled = job.job.enabled === false ? " (the heartbeat is off: OpenClaw's agents.defaults.heartbeat.every is 0m; the block waits until it is on)" : '';
  if (present === block) {
    return { ...base, action: 'unchanged', why: `as wanted${disabled}`, content: scratch.content, separatorAdded: recorded?.separator_added ?? false, createdScratch: recorded?.created_scratch ?? false };
  }
  const next = withScratchBlock(scratch.content, block);
  if (present === undefined) {
    const around = scratch.content ? "after the operator's text, which is kept as it is" : 'the scratch was empty';
    return { ...base, action: 'add', why: `not there yet; ${around}${disabled}`, content: next.content, separatorAdded: next.separatorAdded, createdScratch: scratch.content === null };
  }
  return {
    ...base,
    action: 'replace',
    why: `its command line changed; only the block's lines are replaced${disabled}`,
    content: next.content,
    separatorAdded: recorded?.separator_added ?? false,
    createdScratch: recorded?.created_scratch ?? false,
  };
}

/** Taking the block out of the scratch (a switch to the command mode, or `remove`); undefined when it has none. */
export function scratchRemoval(current: Pick<CurrentInstall, 'record'>, job: ListedJob, scratch: Scratch, why: string): ScratchChange | undefined {
  if (scratch.content === null || currentScratchBlock(scratch.content) === undefined) return undefined;
  const recorded = current.record?.heartbeat.mode === 'scratch' ? current.record.heartbeat : undefined;
  const { content } = withoutScratchBlock(scratch.content, recorded?.separator_added ?? false);
  return {
    piece: 'scratch',
    action: 'remove',
    what: `heartbeat block in the scratch of ${job.name} (${job.id})`,
    why: `${why}; the operator's text stays`,
    jobId: job.id,
    jobName: job.name,
    before: scratch,
    content: content === '' && recorded?.created_scratch ? null : content,
    separatorAdded: false,
    createdScratch: false,
  };
}

function jobChange(jobs: readonly ListedJob[], wanted: { name: string; task?: string; spec: JobSpec }, recorded: InstalledJob | undefined): JobChange {
  const { name, task, spec } = wanted;
  const base = { piece: 'job' as const, what: `job ${name} (${scheduleText(spec)})`, name, task, spec };
  const sameName = jobs.filter((job) => job.name === name);
  if (sameName.length === 0) {
    const why = recorded ? 'gone from OpenClaw since the last install' : "not in OpenClaw's cron yet";
    return { ...base, action: 'add', why, removed: [] };
  }
  const candidate = sameName.find((job) => job.id === recorded?.id) ?? sameName[0]!;
  const differences = jobDifferences(spec, candidate.job);
  const others = sameName.length > 1 ? `; ${sameName.length - 1} other job(s) of that name left as they are` : '';
  if (differences.length === 0) {
    const ours = recorded?.id === candidate.id;
    const adopted = ours ? recorded.adopted === true : true;
    const why = ours ? `as wanted (id ${candidate.id})` : `a job of that name is there already, as wanted (id ${candidate.id}): kept, and left there by remove`;
    return { ...base, action: 'unchanged', why: `${why}${others}`, kept: candidate, removed: [], adopted };
  }
  return { ...base, action: 'replace', why: `it ${differences.join('; ')} (id ${candidate.id})${others}`, removed: [candidate] };
}

function obsoleteJob(jobs: readonly ListedJob[], recorded: InstalledJob): JobChange[] {
  const present = jobs.find((job) => job.id === recorded.id && job.name === recorded.name);
  if (!present) return [];
  const base = { piece: 'job' as const, what: `job ${recorded.name}`, name: recorded.name, task: recorded.task };
  const reason = recorded.task === undefined ? 'the heartbeat reaches the runner through the scratch now' : `task ${recorded.task} has no schedule now`;
  if (recorded.adopted) return [{ ...base, action: 'unchanged', why: `${reason}, but the job was there before the install: left (and no longer recorded)`, removed: [] }];
  return [{ ...base, action: 'remove', why: reason, removed: [present] }];
}

function alertsChange(record: InstalledPieces | undefined, desired: DesiredInstall): AlertsChange {
  const before = record?.alerts_push ?? null;
  const after = desired.alertsPush;
  const what = 'alert pushes to the agent (openclaw system event)';
  const base = { piece: 'alerts' as const, what, push: after };
  const state = after ? `on for ${after.min_level} and above` : 'as the config says';
  if (before?.min_level === after?.min_level) return { ...base, action: 'unchanged', why: `${state}: ${desired.alertsPushWhy}` };
  return { ...base, action: after ? 'add' : 'remove', why: `${state}: ${desired.alertsPushWhy}` };
}

/** `*\/15 * * * *`, `*\/15 * * * * Europe/Berlin`, `every 30m`. */
export function scheduleText(spec: JobSpec): string {
  return spec.schedule.kind === 'cron' ? `${spec.schedule.expr}${spec.schedule.tz ? ` ${spec.schedule.tz}` : ''}` : `every ${spec.schedule.every}`;
}
