import { isDeepStrictEqual } from 'node:util';
import { cronLogFile, runnerArgv, type RunnerInvocation } from '../cron/runner-invocation.js';

/**
 * An OpenClaw command job as the runner wants it: what `openclaw cron add` is given, and what a
 * listed job is compared with to tell whether it is still the one wanted. One builder serves
 * `runner cron` (the printed `openclaw cron add` line and `--install openclaw`) and `runner openclaw
 * install`, so both install the same job for a task.
 */

/** When the job runs: a cron expression (in a zone, or the gateway's local time), or a fixed interval. */
/** One job as `openclaw cron list --json` printed it (src/openclaw/cron-list.ts reads them). */
export type CronListJob = Record<string, unknown>;

export type JobSchedule = { kind: 'cron'; expr: string; tz?: string } | { kind: 'every'; every: string; everyMs: number };

/** What OpenClaw does with the job's output: nothing, or post it to a chat (`--announce`). */
export type JobDelivery = { mode: 'none' } | { mode: 'announce'; channel: string; to?: string };

/** The job, as the runner installs it. */
export interface JobSpec {
  name: string;
  description: string;
  schedule: JobSchedule;
  /** Run as given, with no shell (`--command-argv`). */
  argv: string[];
  cwd: string;
  /** The whole environment override (`--command-env`, each a `KEY=VALUE`). */
  env: Record<string, string>;
  delivery: JobDelivery;
  timeoutSeconds: number;
}

/** The arguments after `openclaw cron` that add the job (`add --name …`), without `--json`. */
export function jobAddArgs(spec: JobSpec): string[] {
  const schedule = spec.schedule.kind === 'cron'
    ? ['--cron', spec.schedule.expr, ...(spec.schedule.tz ? ['--tz', spec.schedule.tz] : [])]
    : ['--every', spec.schedule.every];
  const delivery = spec.delivery.mode === 'none'
    ? ['--no-deliver']
    : ['--announce', '--channel', spec.delivery.channel, ...(spec.delivery.to ? ['--to', spec.delivery.to] : [])];
  return [
    'add', '--name', spec.name, ...schedule,
    '--command-argv', JSON.stringify(spec.argv), '--command-cwd', spec.cwd,
    ...Object.entries(spec.env).flatMap(([key, value]) => ['--command-env', `${key}=${value}`]),
    ...delivery, '--timeout-seconds', String(spec.timeoutSeconds), '--description', spec.description,
  ];
}

/**
 * How the listed `job` differs from `spec`, each difference a phrase about the job ("runs
 * "*\/30 * * * *" but the schedule is "*\/15 * * * *""); empty when it is the job wanted. Its
 * schedule, command (argv, folder, environment, time limit) and delivery count; its name,
 * description and whether it is enabled (the operator's to choose) do not.
 */
export function jobDifferences(spec: JobSpec, job: CronListJob): string[] {
  const differences: string[] = [];
  const schedule = asRecord(job.schedule);
  const wanted = spec.schedule;
  if (wanted.kind === 'cron') {
    if (schedule.kind !== 'cron' || schedule.expr !== wanted.expr) differences.push(`runs ${describeSchedule(schedule)} but the schedule is "${wanted.expr}"`);
    else if ((schedule.tz ?? undefined) !== wanted.tz) {
      differences.push(`runs in ${typeof schedule.tz === 'string' ? schedule.tz : "the gateway's local time"} but the schedule is in ${wanted.tz ?? "the host's local time"}`);
    }
  } else if (schedule.kind !== 'every' || schedule.everyMs !== wanted.everyMs) {
    differences.push(`runs ${describeSchedule(schedule)} but should run every ${wanted.every}`);
  }
  const payload = asRecord(job.payload);
  if (payload.kind !== 'command') differences.push(`runs a ${typeof payload.kind === 'string' ? payload.kind : 'different'} payload, not a command`);
  else {
    if (!isDeepStrictEqual(payload.argv, spec.argv)) differences.push('runs another command line');
    if ((payload.cwd ?? undefined) !== spec.cwd) differences.push(`runs in ${typeof payload.cwd === 'string' ? payload.cwd : "the gateway's folder"}, not ${spec.cwd}`);
    if (!isDeepStrictEqual(payload.env ?? {}, spec.env)) differences.push(`has another environment (PATH=${String(asRecord(payload.env).PATH ?? '')}, not ${spec.env.PATH ?? ''})`);
    if (payload.timeoutSeconds !== spec.timeoutSeconds) differences.push(`has a time limit of ${String(payload.timeoutSeconds ?? 'the default')} s, not ${spec.timeoutSeconds} s`);
  }
  const delivery = asRecord(job.delivery);
  const mode = typeof delivery.mode === 'string' ? delivery.mode : 'announce';
  if (mode !== spec.delivery.mode) differences.push(`delivers its output by ${mode}, not ${spec.delivery.mode}`);
  else if (spec.delivery.mode === 'announce' && (delivery.channel !== spec.delivery.channel || (delivery.to ?? undefined) !== spec.delivery.to)) {
    differences.push(`announces to ${String(delivery.channel ?? 'the default channel')}${delivery.to ? ` ${String(delivery.to)}` : ''}, not ${spec.delivery.channel}${spec.delivery.to ? ` ${spec.delivery.to}` : ''}`);
  }
  return differences;
}

function describeSchedule(schedule: Record<string, unknown>): string {
  if (schedule.kind === 'cron') return `"${String(schedule.expr)}"`;
  if (schedule.kind === 'every' && typeof schedule.everyMs === 'number') return `every ${formatInterval(schedule.everyMs)}`;
  return `on a ${typeof schedule.kind === 'string' ? schedule.kind : 'different'} schedule`;
}

/** `30m`, `2h`, `45s`: an interval in the largest unit that divides it. */
export function formatInterval(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** When the run has no timeout of its own, OpenClaw still stops a job after this long. */
const DEFAULT_JOB_TIMEOUT_SECONDS = 3600;
/** Time beyond the run's timeout for starting Node, the 5 s abort grace and writing the record. */
const JOB_TIMEOUT_MARGIN_SECONDS = 60;

/** OpenClaw's limit for a job running a task whose own timeout is `runTimeoutMs`: the runner should time out first and record it. */
export function jobTimeoutSeconds(runTimeoutMs: number | undefined): number {
  return runTimeoutMs === undefined ? DEFAULT_JOB_TIMEOUT_SECONDS : Math.ceil(runTimeoutMs / 1000) + JOB_TIMEOUT_MARGIN_SECONDS;
}

/** Input of {@link taskJobSpec}. */
export interface TaskJobInput {
  name: string;
  invocation: RunnerInvocation;
  schedule: { expression: string; timeZone?: string };
  /** The run's resolved timeout, if it has one. */
  runTimeoutMs?: number;
  /** The job's environment (see `scheduledRunEnv`). */
  env: Record<string, string>;
  /** Who manages the job, said in its description. */
  managedBy: string;
}

/**
 * The job that runs a task on its schedule: `<node> <cli> run <task> … --skip-if-running --log-file
 * <home>/logs/cron.log` with no shell, in the home, with `env`, delivering nothing. Its output is the
 * run's one-line summary, which OpenClaw keeps in the job's run history; the full log goes to the file.
 */
export function taskJobSpec(input: TaskJobInput): JobSpec {
  const { invocation } = input;
  return {
    name: input.name,
    description: `runs \`runner run ${invocation.task}\` on its schedule; managed by ${input.managedBy}`,
    schedule: { kind: 'cron', expr: input.schedule.expression, ...(input.schedule.timeZone ? { tz: input.schedule.timeZone } : {}) },
    argv: [...runnerArgv(invocation), '--log-file', cronLogFile(invocation.home)],
    cwd: invocation.home,
    env: input.env,
    delivery: { mode: 'none' },
    timeoutSeconds: jobTimeoutSeconds(input.runTimeoutMs),
  };
}
