import { RunnerError } from '../shared/errors.js';
import { jobAddArgs, taskJobSpec, type JobSpec } from './job-spec.js';
import { crontabBlock, crontabLine, type BlockBuilder } from '../cron/crontab-entry.js';
import type { CronSchedule } from '../shared/cron-expression.js';
import { cronLogFile, runnerShellLine, type RunnerInvocation } from '../cron/runner-invocation.js';
import { shellLine } from '../shared/shell-quote.js';

/** Everything `runner cron` prints or installs for one task, computed once, without side effects. */
export interface CronPlan {
  /** The job's name: the crontab block's marker and the OpenClaw job's `--name`. */
  name: string;
  schedule: CronSchedule;
  /** The crontab's shell line (OpenClaw runs `job.argv` with no shell). */
  command: string;
  logFile: string;
  /** The crontab line, and the whole marked block `--install crontab` writes into a table without `CRON_TZ=` lines. */
  crontabLine: string;
  crontabBlock: string[];
  /** The block for a place in a table where `CRON_TZ` is `zoneAbove` (see `crontabBlock`). */
  crontabBlockAt: BlockBuilder;
  /** The OpenClaw job, and the arguments after `openclaw cron` that add it (`add --name …`), also as one copy-pastable line. */
  job: JobSpec;
  openclawAddArgs: string[];
  openclawAddLine: string;
  /** OpenClaw's own limit for the job, above the run's: the runner should time out first and record it. */
  timeoutSeconds: number;
}

/** Input of {@link buildCronPlan}. */
export interface CronPlanInput {
  invocation: RunnerInvocation;
  schedule: CronSchedule;
  /** Defaults to `runner-<task>`. */
  name?: string;
  /** The run's resolved timeout (flag, config or task default), if it has one. */
  runTimeoutMs?: number;
  /** The environment both schedulers give the run: PATH and OpenClaw's location (see src/openclaw/job-environment.ts). */
  env: Record<string, string>;
  /** Who manages the OpenClaw job, said in its description (default `runner cron`). */
  managedBy?: string;
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
  const command = runnerShellLine(input.invocation, input.env);
  const logFile = cronLogFile(input.invocation.home);
  const { schedule } = input;
  const crontabBlockAt: BlockBuilder = (zoneAbove) => crontabBlock(name, schedule, command, logFile, zoneAbove);
  const job = taskJobSpec({ name, invocation: input.invocation, schedule, runTimeoutMs: input.runTimeoutMs, env: input.env, managedBy: input.managedBy ?? 'runner cron' });
  const openclawAddArgs = jobAddArgs(job);
  return {
    name,
    schedule,
    command,
    logFile,
    crontabLine: crontabLine(schedule, command),
    crontabBlock: crontabBlockAt(''),
    crontabBlockAt,
    job,
    openclawAddArgs,
    openclawAddLine: shellLine(['openclaw', 'cron', ...openclawAddArgs]),
    timeoutSeconds: job.timeoutSeconds,
  };
}

/** Throw `runner.invalidArgument` unless `name` can be a job name: it is a marker line in the crontab and an openclaw argument. */
export function assertJobName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new RunnerError('runner.invalidArgument', `--name: ${JSON.stringify(name)} must be letters, digits, ".", "_" or "-" (at most 100, starting with a letter or digit)`);
  }
}
