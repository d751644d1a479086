import type { RunnerConfig } from '../config/runner-config.js';
import { kindOfValue, type Task } from '../core/task.js';
import { RunnerError } from '../shared/errors.js';
import { checkCronExpression, timeZoneProblem, type CronSchedule } from '../shared/cron-expression.js';

/** Where a task's schedule was found: `tasks.<name>.schedule` in the config, or the task's own `defaults.schedule`. */
export type ScheduleSource = 'config' | 'task';

/**
 * A task's schedule once the config and the task's own defaults have had their say: the one answer
 * that `runner cron <task>`, `runner status`, the dashboard and the heartbeat all show, install and
 * judge by. Its zone is the one crontab's `CRON_TZ` and OpenClaw's `--tz` get.
 */
export interface ResolvedSchedule {
  /** The cron expression, five fields or a macro (`@hourly`), spaces normalised; valid for `runner cron --cron`. */
  readonly expression: string;
  /**
   * IANA zone the expression is read in; undefined for the host's local time (as `runner cron`
   * without `--tz`; `zoneOfSchedule` in src/shared/cron-expression.ts names that zone).
   */
  readonly timeZone: string | undefined;
  /** Where the expression came from (the zone may come from elsewhere: see {@link taskSchedule}). */
  readonly source: ScheduleSource;
  /** The first scheduled time strictly after `after` (default now); undefined if there is none. */
  nextRun(after?: Date): Date | undefined;
  /** The first `count` scheduled times strictly after `after`, earliest first. */
  runsAfter(after: Date, count: number): Date[];
}

/** What {@link taskSchedule} needs of a task: the task, and its file for error messages (a `DiscoveredTask` fits). */
export interface ScheduledTaskRef {
  task: Task;
  file?: string;
}

/**
 * The schedule of a task, or undefined when it has none.
 *
 * - **Expression**: `tasks.<name>.schedule` in the config wins (`false` there means no schedule,
 *   whatever the task says); else the task's `defaults.schedule`; else none.
 * - **Zone**: `tasks.<name>.tz`; else, for the task's own expression only, its `defaults.tz` (a
 *   task's zone belongs to the expression its author wrote, not to one the operator put in the
 *   config); else the config's `timezone`; else the host's local time (`timeZone` undefined).
 *
 * The config's values were checked when it was loaded. The task's are checked here, each time:
 * a bad `defaults.schedule` or `defaults.tz` throws `runner.taskLoad` naming the task and its file.
 */
export function taskSchedule(ref: ScheduledTaskRef, config: RunnerConfig): ResolvedSchedule | undefined {
  const { task } = ref;
  const configured = config.tasks?.[task.name];
  if (configured?.schedule === false) return undefined;
  if (configured?.schedule !== undefined) {
    const key = `tasks.${task.name}.schedule`;
    return resolved(configured.schedule, configured.tz ?? config.timezone, 'config', (problem) => new RunnerError('config.invalid', `${key}: ${problem}`));
  }
  const own = ownDefaults(ref);
  if (own.schedule === undefined) return undefined;
  return resolved(own.schedule, configured?.tz ?? own.tz ?? config.timezone, 'task', (problem) => taskLoadError(ref, 'schedule', problem));
}

/**
 * The schedule as `runner cron` plans and installs one (`buildCronPlan` in cron-plan.ts): its
 * expression and zone, with its next `count` runs after `from`.
 */
export function asCronSchedule(schedule: ResolvedSchedule, from: Date = new Date(), count = 3): CronSchedule {
  return { expression: schedule.expression, timeZone: schedule.timeZone, nextRuns: schedule.runsAfter(from, count) };
}

/**
 * Where a schedule is written, for messages: `tasks.backup.schedule in /srv/runner/runner.config.json`
 * or `the task's defaults.schedule (/srv/runner/tasks/backup.ts)`.
 */
export function describeScheduleSource(schedule: Pick<ResolvedSchedule, 'source'>, taskName: string, where: { configFile?: string; taskFile?: string }): string {
  if (schedule.source === 'config') return `tasks.${taskName}.schedule${where.configFile ? ` in ${where.configFile}` : ''}`;
  return `the task's defaults.schedule${where.taskFile ? ` (${where.taskFile})` : ''}`;
}

function resolved(expression: string, timeZone: string | undefined, source: ScheduleSource, fail: (problem: string) => RunnerError): ResolvedSchedule {
  // A loaded config was validated already, so in practice only a task's own values fail here.
  const checked = checkCronExpression(expression, timeZone);
  if ('problem' in checked) throw fail(checked.problem);
  const { cron } = checked;
  return {
    expression: checked.expression,
    timeZone,
    source,
    nextRun: (after = new Date()) => cron.nextRun(after) ?? undefined,
    runsAfter: (after, count) => cron.nextRuns(count, after),
  };
}

/** The task's `defaults.schedule` and `defaults.tz`, checked: a JavaScript task can put anything there. */
function ownDefaults(ref: ScheduledTaskRef): { schedule?: string; tz?: string } {
  const defaults: unknown = ref.task.defaults;
  if (defaults === undefined || defaults === null || typeof defaults !== 'object') return {};
  const { schedule, tz } = defaults as Record<string, unknown>;
  if (schedule !== undefined && typeof schedule !== 'string') {
    throw taskLoadError(ref, 'schedule', `expected a cron expression such as "0 * * * *", got ${kindOfValue(schedule)}`);
  }
  if (schedule === undefined) return {};
  if (tz !== undefined) {
    const problem = typeof tz === 'string' ? timeZoneProblem(tz) : `expected an IANA time zone such as "Europe/Berlin", got ${kindOfValue(tz)}`;
    if (problem) throw taskLoadError(ref, 'tz', problem);
  }
  return { schedule, tz: tz as string | undefined };
}

function taskLoadError(ref: ScheduledTaskRef, key: string, problem: string): RunnerError {
  const where = ref.file ? ` of ${ref.file}` : '';
  return new RunnerError('runner.taskLoad', `task ${JSON.stringify(ref.task.name)}${where}: defaults.${key}: ${problem}`, { file: ref.file });
}
