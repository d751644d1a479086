import { RunnerError } from '../errors.js';
import { crontabBlock, crontabLine, type BlockBuilder } from './crontab-entry.js';
import type { CronSchedule } from './cron-schedule.js';
import { cronLogFile, runnerShellLine, type RunnerInvocation } from './runner-invocation.js';
import { shellLine } from './shell-quote.js';

/** Everything `runner cron` prints or installs for one task, computed once, without side effects. */
export interface CronPlan {
  /** The job's name: the crontab block's marker and the OpenClaw job's `--name`. */
  name: string;
  schedule: CronSchedule;
  /** The shell line both schedulers run. */
  command: string;
  logFile: string;
  /** The crontab line, and the whole marked block `--install crontab` writes into a table without `CRON_TZ=` lines. */
  crontabLine: string;
  crontabBlock: string[];
  /** The block for a place in a table where `CRON_TZ` is `zoneAbove` (see `crontabBlock`). */
  crontabBlockAt: BlockBuilder;
  /** Arguments after `openclaw cron` (`add --name …`), and the same as one copy-pastable line. */
  openclawAddArgs: string[];
  openclawAddLine: string;
  /** OpenClaw's own limit for the job, above the run's: the runner should time out first and record it. */
  timeoutSeconds: number;
}

/** When the run has no timeout of its own, OpenClaw still stops a job after this long. */
const DEFAULT_JOB_TIMEOUT_SECONDS = 3600;
/** Time beyond the run's timeout for starting Node, the 5 s abort grace and writing the record. */
const JOB_TIMEOUT_MARGIN_SECONDS = 60;

/** Input of {@link buildCronPlan}. */
export interface CronPlanInput {
  invocation: RunnerInvocation;
  schedule: CronSchedule;
  /** Defaults to `runner-<task>`. */
  name?: string;
  /** The run's resolved timeout (flag, config or task default), if it has one. */
  runTimeoutMs?: number;
}

/** The default job name of a task. */
export function defaultJobName(task: string): string {
  return `runner-${task}`;
}

/**
 * Build the lines for both schedulers. Throws `runner.invalidArgument` for a bad `--name`, or for
 * a word with a line break (see `runnerArgv`, which every line is built from).
 */
export function buildCronPlan(input: CronPlanInput): CronPlan {
  const name = input.name ?? defaultJobName(input.invocation.task);
  assertJobName(name);
  const command = runnerShellLine(input.invocation);
  const logFile = cronLogFile(input.invocation.home);
  const timeoutSeconds =
    input.runTimeoutMs === undefined ? DEFAULT_JOB_TIMEOUT_SECONDS : Math.ceil(input.runTimeoutMs / 1000) + JOB_TIMEOUT_MARGIN_SECONDS;
  const { schedule } = input;
  const crontabBlockAt: BlockBuilder = (zoneAbove) => crontabBlock(name, schedule, command, logFile, zoneAbove);
  const openclawAddArgs = [
    'add', '--name', name, '--cron', schedule.expression,
    ...(schedule.timeZone ? ['--tz', schedule.timeZone] : []),
    '--command', command, '--command-cwd', input.invocation.home, '--timeout-seconds', String(timeoutSeconds),
  ];
  return {
    name,
    schedule,
    command,
    logFile,
    crontabLine: crontabLine(schedule, command),
    crontabBlock: crontabBlockAt(''),
    crontabBlockAt,
    openclawAddArgs,
    openclawAddLine: shellLine(['openclaw', 'cron', ...openclawAddArgs]),
    timeoutSeconds,
  };
}

/** Throw `runner.invalidArgument` unless `name` can be a job name: it is a marker line in the crontab and an openclaw argument. */
export function assertJobName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new RunnerError('runner.invalidArgument', `--name: ${JSON.stringify(name)} must be letters, digits, ".", "_" or "-" (at most 100, starting with a letter or digit)`);
  }
}
