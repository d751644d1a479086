import path from 'node:path';
import { Option, type Command } from 'commander';
import { parseDuration } from '../shared/duration.js';
import { isoInZone } from '../shared/time.js';
import { assertHomeToWriteIn } from '../config/home.js';
import { findTask, type DiscoveredTask } from '../loader/discover.js';
import { resolveRunPolicy } from '../core/run-policy.js';
import { assertTaskName } from '../shared/task-name.js';
import { RunnerError } from '../shared/errors.js';
import { assertJobName, buildCronPlan, defaultJobName, type CronPlan } from '../openclaw/cron-plan.js';
import { CONFIG_FILE_NAME, type RunnerConfig } from '../config/config.js';
import { formatRunTime, parseCronSchedule, zoneOfSchedule, type CronSchedule } from '../shared/cron-expression.js';
import { asCronSchedule, describeScheduleSource, taskSchedule, type ResolvedSchedule, type ScheduleSource } from '../cron/task-schedule.js';
import { CRON_TZ_CAVEAT } from '../cron/crontab-entry.js';
import { updateCrontab } from '../cron/crontab-install.js';
import { installOpenClawJob, removeOpenClawJob } from '../openclaw/cron-job-install.js';
import { currentRunnerCli } from '../cron/runner-invocation.js';
import { findOpenClawTools, scheduledRunEnv } from '../openclaw/job-environment.js';
import { globalOptionsOf, settingsOf, taskLookupOf } from './global-options.js';
import { addGlobalOptions, type GlobalOptions } from '../core/task-args.js';
import { paint, printJson } from './output.js';
import { parseTaskArgs } from '../core/task-args.js';

interface CronOptions extends GlobalOptions {
  cron?: string;
  tz?: string;
  install?: 'crontab' | 'openclaw';
  remove?: boolean;
  name?: string;
  timeout?: string;
}

/** What an install or removal did, as printed and in `--json`. */
interface InstallReport {
  target: 'crontab' | 'openclaw';
  action: string;
  id?: string;
  ids?: string[];
  differences?: string[];
}

/**
 * Register `runner cron <task> [--cron EXPR [--tz ZONE]] [--install crontab|openclaw] [--remove]`:
 * check the schedule, print the crontab line and the `openclaw cron add` line, and optionally
 * install (or remove) one of them. The lines run the task with `--skip-if-running`.
 */
export function registerCronCommand(program: Command): void {
  addGlobalOptions(program.command('cron'))
    .description('print (or install) a crontab line and an `openclaw cron add` line that run a task on a schedule')
    .argument('<task>', 'task to schedule')
    .argument('[args...]', "the task's own arguments and options, after -- (e.g. -- --min-free 15)")
    .option('--cron <expr>', 'cron expression, 5 fields (e.g. "*/30 * * * *") or @daily, @hourly, …; default: the task\'s schedule (tasks.<task>.schedule, else its own)')
    .option('--tz <zone>', 'IANA time zone the --cron expression is read in (default: the host\'s local time)')
    .addOption(new Option('--install <target>', 'install the schedule').choices(['crontab', 'openclaw']))
    .option('--remove', 'remove the installed schedule of that name (with --install)')
    .option('--name <name>', 'job name: crontab block marker and OpenClaw job name (default runner-<task>)')
    .option('--timeout <duration>', "the run's --timeout (default: the task's own); OpenClaw's job limit is 60 s above it")
    .action(async (task: string, taskArgs: string[], _options: unknown, command: Command) => {
      await cronCommand(task, taskArgs, globalOptionsOf(command) as CronOptions);
    });
}

async function cronCommand(task: string, taskArgs: readonly string[], options: CronOptions): Promise<void> {
  assertTaskName(task);
  if (options.remove) {
    await removeCommand(task, options);
    return;
  }
  if (options.cron === undefined && options.tz !== undefined) {
    // The schedule's zone must be the one status and the heartbeat judge it in: it lives in the config.
    throw new RunnerError('runner.invalidArgument', `--tz: goes with --cron; the zone of ${task}'s own schedule is tasks.${task}.tz in the config`);
  }
  const { plan, origin, note } = await planFor(task, taskArgs, options);
  const install = options.install ? await installPlan(plan, options.install) : undefined;
  if (options.json) printJson(planJson(plan, origin, install));
  else printPlan(plan, task, origin, note, install);
}

/** Where the schedule of a plan came from: `--cron`, or the task's schedule (see `taskSchedule`). */
interface ScheduleOrigin {
  source: 'flag' | ScheduleSource;
  /** For a resolved schedule: where it is written, as a person reads it. */
  where?: string;
}

async function removeCommand(task: string, options: CronOptions): Promise<void> {
  if (!options.install) throw new RunnerError('runner.invalidArgument', '--remove: say where from with --install crontab or --install openclaw');
  const name = options.name ?? defaultJobName(task);
  assertJobName(name);
  const report: InstallReport =
    options.install === 'crontab'
      ? { target: 'crontab', action: await updateCrontab(name, undefined) }
      : { target: 'openclaw', ...(await removeOpenClawJob(name)) };
  if (options.json) printJson({ name, install: report });
  else process.stdout.write(`${installSentence(name, report)}\n`);
}

async function planFor(task: string, taskArgs: readonly string[], options: CronOptions): Promise<{ plan: CronPlan; origin: ScheduleOrigin; note?: string }> {
  const flagSchedule = options.cron === undefined ? undefined : parseCronSchedule(options.cron, options.tz);
  const settings = settingsOf(options);
  const home = path.resolve(settings.home);
  // The task must exist now: a typo would otherwise fail only at the first scheduled run.
  const discovered = await findTask(task, taskLookupOf(settings));
  // The lines installed run the task with this --home: they would make any folder a home.
  if (options.install) assertHomeToWriteIn(home, settings.homeSource);
  const found = discovered.task;
  const { schedule, origin, note } = chooseSchedule(flagSchedule, discovered, settings.config, settings.configFile ?? path.join(home, CONFIG_FILE_NAME));
  // So are its arguments: parsed now by the task's own parser, which names a wrong one.
  parseTaskArgs(found, taskArgs);
  const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout, '--timeout');
  const policy = resolveRunPolicy(found, settings.config, { timeoutMs });
  // Cron and OpenClaw's gateway have neither the operator's environment nor current folder: a
  // workspace or config chosen by flag or environment is written into the line.
  const workspace = options.workspace !== undefined || process.env.OPENCLAW_WORKSPACE ? path.resolve(settings.workspace) : undefined;
  // Neither has the operator's PATH either: the run gets one on which openclaw and its Node are found.
  const openclaw = await findOpenClawTools(process.env, home);
  const plan = buildCronPlan({
    invocation: {
      node: process.execPath,
      cli: currentRunnerCli(),
      task,
      taskArgs,
      home,
      workspace,
      config: settings.configFile && options.config !== undefined ? path.resolve(settings.configFile) : undefined,
      timeout: options.timeout,
    },
    schedule,
    name: options.name,
    runTimeoutMs: policy.timeoutMs,
    env: scheduledRunEnv(process.execPath, openclaw.kind === 'found' ? openclaw.tools : undefined, process.env),
  });
  return { plan, origin, note };
}

/**
 * The schedule to install: `--cron`'s, else the task's own (`taskSchedule`), else an error saying
 * how to give one. With `--cron`, a note when the task's own schedule, which status and the
 * heartbeat judge it by, differs (or is missing, or cannot be read).
 */
function chooseSchedule(
  flagSchedule: CronSchedule | undefined,
  discovered: DiscoveredTask,
  config: RunnerConfig,
  configFile: string,
): { schedule: CronSchedule; origin: ScheduleOrigin; note?: string } {
  const task = discovered.name;
  if (!flagSchedule) {
    const own = taskSchedule(discovered, config);
    if (!own) throw noScheduleError(task, config, configFile);
    return { schedule: asCronSchedule(own), origin: { source: own.source, where: describeScheduleSource(own, task, { configFile, taskFile: discovered.file }) } };
  }
  let own: ResolvedSchedule | undefined;
  try {
    own = taskSchedule(discovered, config);
  } catch (error) {
    return { schedule: flagSchedule, origin: { source: 'flag' }, note: `${task}'s own schedule cannot be read (${error instanceof Error ? error.message : String(error)}), so runner status and the heartbeat cannot tell when it is overdue` };
  }
  const where = own && describeScheduleSource(own, task, { configFile, taskFile: discovered.file });
  return { schedule: flagSchedule, origin: { source: 'flag' }, note: scheduleNote(task, flagSchedule, own, where) };
}

/** `runner cron <task>` without `--cron` for a task that has no schedule: how to give one. */
function noScheduleError(task: string, config: RunnerConfig, configFile: string): RunnerError {
  const how = `give one with --cron (e.g. --cron "*/30 * * * *"), or set tasks.${task}.schedule in ${configFile}`;
  const why = config.tasks?.[task]?.schedule === false ? `tasks.${task}.schedule is false in ${configFile}` : `${task} has no schedule`;
  return new RunnerError('runner.invalidArgument', `--cron: ${why}; ${how}`);
}

/**
 * A word for an operator who schedules with `--cron`: status and the heartbeat judge whether the
 * task is overdue by its own schedule, which should then be the one installed.
 */
function scheduleNote(task: string, installed: CronSchedule, own: ResolvedSchedule | undefined, where: string | undefined): string | undefined {
  if (!own) {
    return `${task} has no schedule of its own, so runner status and the heartbeat cannot tell when it is overdue: set tasks.${task}.schedule to ${JSON.stringify(installed.expression)} in the config (then runner cron ${task} needs no --cron)`;
  }
  if (own.expression === installed.expression && zoneOfSchedule(own) === zoneOfSchedule(installed)) return undefined;
  return `runner status and the heartbeat judge whether ${task} is overdue by its schedule ${own.expression} (${zoneOfSchedule(own)}), from ${where}, not by this one: set tasks.${task}.schedule (and tz) to match`;
}

async function installPlan(plan: CronPlan, target: 'crontab' | 'openclaw'): Promise<InstallReport> {
  if (target === 'crontab') return { target, action: await updateCrontab(plan.name, plan.crontabBlockAt) };
  return { target, ...(await installOpenClawJob(plan.job)) };
}

function planJson(plan: CronPlan, origin: ScheduleOrigin, install: InstallReport | undefined): Record<string, unknown> {
  return {
    name: plan.name,
    cron: plan.schedule.expression,
    tz: plan.schedule.timeZone ?? null,
    source: origin.source,
    next_runs: plan.schedule.nextRuns.map((date) => isoInZone(date, plan.schedule.timeZone)),
    command: plan.command,
    log_file: plan.logFile,
    crontab: { line: plan.crontabLine, block: plan.crontabBlock },
    openclaw: { argv: ['openclaw', 'cron', ...plan.openclawAddArgs], line: plan.openclawAddLine, timeout_seconds: plan.timeoutSeconds },
    ...(install ? { install } : {}),
  };
}

function printPlan(plan: CronPlan, task: string, origin: ScheduleOrigin, note: string | undefined, install: InstallReport | undefined): void {
  const { schedule } = plan;
  const out: string[] = [];
  const from = origin.where ? `, from ${origin.where}` : '';
  out.push(`${paint('schedule', 'bold')} ${schedule.expression}${schedule.timeZone ? ` (${schedule.timeZone})` : ' (local time)'}${from}; next runs:`);
  for (const date of schedule.nextRuns) out.push(`  ${formatRunTime(date, schedule.timeZone)}`);
  out.push('', `${paint('crontab', 'bold')} (crontab -e, or runner cron ${task} … --install crontab); output goes to ${plan.logFile}:`);
  out.push(`  CRON_TZ=${zoneOfSchedule(schedule)}`, `  ${plan.crontabLine}`, `  ${paint(`note: ${CRON_TZ_CAVEAT}.`, 'dim')}`);
  out.push('', `${paint('openclaw', 'bold')} (or runner cron ${task} … --install openclaw):`, `  ${plan.openclawAddLine}`);
  out.push('', paint('Both run the task with --skip-if-running: a run that finds the previous one still going exits 0, not 2.', 'dim'));
  if (note) out.push(paint(`note: ${note}.`, 'dim'));
  if (install) out.push('', installSentence(plan.name, install));
  process.stdout.write(`${out.join('\n')}\n`);
}

function installSentence(name: string, report: InstallReport): string {
  const where = report.target === 'crontab' ? 'the crontab' : "OpenClaw's cron";
  switch (report.action) {
    case 'added':
      return `${paint('✓', 'green')} added ${name} to ${where}${report.id ? ` (id ${report.id})` : ''}`;
    case 'replaced': {
      const why = report.differences?.length ? ` (it ${report.differences.join('; ')})` : '';
      const ids = report.ids ? `: id ${report.ids.join(', ')} is now ${report.id}` : '';
      return `${paint('✓', 'green')} replaced ${name} in ${where}${why}${ids}`;
    }
    case 'unchanged':
      return `${paint('✓', 'green')} ${name} is already in ${where} as shown${report.id ? ` (id ${report.id})` : ''}; nothing changed`;
    case 'removed':
      return `${paint('✓', 'green')} removed ${name} from ${where}${report.ids ? ` (id ${report.ids.join(', ')})` : ''}`;
    default:
      return `${name} is not in ${where}; nothing removed`;
  }
}
