import { hashHex } from '../../src/shared/hash.js';
import { describe, expect, it } from 'vitest';
import type { ListedJob } from '../../src/openclaw/cron-jobs.js';
import { planInstall, type CurrentInstall, type DesiredInstall, type JobChange } from '../../src/openclaw/install-plan.js';
import type { InstalledPieces } from '../../src/openclaw/install-record.js';
import type { JobSpec } from '../../src/openclaw/job-spec.js';
import { scratchBlock } from '../../src/openclaw/scratch-block.js';

const spec = (task: string, expr: string): JobSpec => ({
  name: `runner-${task}`,
  description: 'managed',
  schedule: { kind: 'cron', expr },
  argv: ['/usr/bin/node', '/srv/cli.js', 'run', task, '--home', '/srv', '--skip-if-running', '--log-file', '/srv/logs/cron.log'],
  cwd: '/srv',
  env: { PATH: '/opt/openclaw/bin:/usr/bin:/bin' },
  delivery: { mode: 'none' },
  timeoutSeconds: 3600,
});

/** A job as OpenClaw lists it, made from a spec. */
const listed = (id: string, job: JobSpec): ListedJob => ({
  id,
  name: job.name,
  job: {
    id,
    name: job.name,
    enabled: true,
    schedule: job.schedule,
    payload: { kind: 'command', argv: job.argv, cwd: job.cwd, env: job.env, timeoutSeconds: job.timeoutSeconds },
    delivery: { mode: 'none', channel: 'last' },
  },
});

const block = scratchBlock('run `runner heartbeat`');
const heartbeatJob: ListedJob = { id: 'hb', name: 'heartbeat-main', job: { id: 'hb', name: 'heartbeat-main', enabled: true, payload: { kind: 'heartbeat' } } };
const skill = { path: '/ws/skills/taskrunner/SKILL.md', content: 'the skill\n' };

function desired(jobs: JobSpec[], overrides: Partial<DesiredInstall> = {}): DesiredInstall {
  return {
    skill,
    heartbeat: { mode: 'scratch', agent: 'main', block },
    jobs: jobs.map((job) => ({ task: job.name.replace('runner-', ''), spec: job })),
    taskUnknown: () => false,
    alertsPush: { min_level: 'error' },
    alertsPushWhy: 'the default',
    ...overrides,
  };
}

function record(jobs: InstalledPieces['jobs'], extra: Partial<InstalledPieces> = {}): InstalledPieces {
  return {
    at: '2026-12-06T10:00:00Z',
    agent: 'main',
    workspace: '/ws',
    skill: { path: skill.path, sha256: hashHex(skill.content) },
    heartbeat: { mode: 'scratch', job_id: 'hb', job_name: 'heartbeat-main', block_sha256: hashHex(block), separator_added: true, created_scratch: false },
    jobs,
    alerts_push: { min_level: 'error' },
    ...extra,
  };
}

const installed = (current: Partial<CurrentInstall>): CurrentInstall => ({
  jobs: [heartbeatJob],
  heartbeatJob,
  scratch: { content: `mine\n${block}`, revision: 3 },
  skillText: skill.content,
  ...current,
});

const jobChanges = (changes: ReturnType<typeof planInstall>) => changes.filter((change): change is JobChange => change.piece === 'job').map((change) => [change.action, change.name, change.why]);

describe('planInstall', () => {
  it('leaves everything that is as wanted, and removes the job of a task no longer scheduled', () => {
    const health = spec('system_health', '*/15 * * * *');
    const old = spec('backup', '0 3 * * *');
    const current = installed({ jobs: [heartbeatJob, listed('j1', health), listed('j2', old)], record: record([{ id: 'j1', name: health.name, task: 'system_health', spec: health }, { id: 'j2', name: old.name, task: 'backup', spec: old }]) });
    const changes = planInstall(current, desired([health]));
    expect(changes.map((change) => `${change.action} ${change.piece}`)).toEqual(['unchanged skill', 'unchanged scratch', 'unchanged job', 'remove job', 'unchanged alerts']);
    expect(jobChanges(changes)[1]).toEqual(['remove', 'runner-backup', 'task backup has no schedule now']);
  });

  it('keeps the job of a task that is unknown while a task file does not load', () => {
    const old = spec('backup', '0 3 * * *');
    const current = installed({ jobs: [heartbeatJob, listed('j2', old)], record: record([{ id: 'j2', name: old.name, task: 'backup', spec: old }]) });
    const changes = planInstall(current, desired([], { taskUnknown: (task) => task === 'backup' }));
    expect(jobChanges(changes)).toEqual([['unchanged', 'runner-backup', 'task backup does not load now, so whether it is still scheduled is unknown: kept']]);
  });

  it('adopts a job of the name that is already as wanted, which a later removal of its schedule leaves', () => {
    const health = spec('system_health', '*/15 * * * *');
    const first = planInstall(installed({ jobs: [heartbeatJob, listed('mine', health)] }), desired([health]));
    expect(first.find((change) => change.piece === 'job')).toMatchObject({ action: 'unchanged', adopted: true });
    const later = planInstall(installed({ jobs: [heartbeatJob, listed('mine', health)], record: record([{ id: 'mine', name: health.name, task: 'system_health', spec: health, adopted: true }]) }), desired([]));
    expect(jobChanges(later)).toEqual([['unchanged', 'runner-system_health', 'task system_health has no schedule now, but the job was there before the install: left (and no longer recorded)']]);
  });

  it('replaces a job whose schedule, zone or environment changed, saying how', () => {
    const wanted = spec('system_health', '*/15 * * * *');
    const zoned = { ...wanted, schedule: { kind: 'cron' as const, expr: '*/15 * * * *', tz: 'Europe/Berlin' } };
    const otherPath = { ...wanted, env: { PATH: '/usr/bin:/bin' } };
    expect(jobChanges(planInstall(installed({ jobs: [heartbeatJob, listed('a', zoned)] }), desired([wanted])))).toEqual([
      ['replace', 'runner-system_health', "it runs in Europe/Berlin but the schedule is in the host's local time (id a)"],
    ]);
    expect(jobChanges(planInstall(installed({ jobs: [heartbeatJob, listed('b', otherPath)] }), desired([wanted])))[0]![2]).toBe(
      'it has another environment (PATH=/usr/bin:/bin, not /opt/openclaw/bin:/usr/bin:/bin) (id b)',
    );
  });

  it("tells an edited skill from one an earlier install wrote, and replaces the block's lines only", () => {
    const current = installed({ skillText: 'the skill\nand my note\n', record: record([]) });
    const newer = scratchBlock('run `runner heartbeat --home /elsewhere`');
    const changes = planInstall(current, desired([], { heartbeat: { mode: 'scratch', agent: 'main', block: newer } }));
    expect(changes[0]).toMatchObject({ action: 'replace', why: 'edited since the last install: replaced (an install writes it whole)' });
    expect(changes[1]).toMatchObject({ action: 'replace', content: `mine\n${newer}`, separatorAdded: true });
  });

  it('without a heartbeat job to write to, says so instead of a scratch change', () => {
    const changes = planInstall(installed({ heartbeatJob: undefined, scratch: undefined }), desired([]));
    expect(changes[1]).toMatchObject({ piece: 'noHeartbeat', why: expect.stringMatching(/^no heartbeat job heartbeat-main in openclaw cron list --all/) });
  });
});
