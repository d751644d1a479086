import * as v from 'valibot';
import { TASK_NAME_PATTERN } from '../shared/task-name.js';

/**
 * What a job carries (SPEC §10): the name of a task and its arguments, never code. A worker runs
 * only tasks it has discovered in its own home; everything here is data it validates on receipt.
 */
export interface RunnerJobData {
  task: string;
  /** The task's command-line arguments and options, as `runner <task> …` would get them. */
  args: string[];
  /** Options already parsed (by a program adding jobs through BullMQ itself). */
  options?: Record<string, string | boolean>;
  dryRun?: boolean;
  /** A duration (`30s`, `10m`) for the run's timeout. */
  timeout?: string;
}

const MAX_ARGS = 256;
const MAX_ARG_LENGTH = 16 * 1024;

const JobDataSchema = v.strictObject({
  task: v.pipe(v.string(), v.regex(TASK_NAME_PATTERN, 'a task name is [a-z0-9_-], at most 64 characters')),
  args: v.pipe(v.array(v.pipe(v.string(), v.maxLength(MAX_ARG_LENGTH))), v.maxLength(MAX_ARGS)),
  options: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9]*$/)), v.union([v.string(), v.boolean()]))),
  dryRun: v.optional(v.boolean()),
  timeout: v.optional(v.pipe(v.string(), v.maxLength(32))),
});

/** Check a received job's data; the message says what is wrong with it (for the job's failure). */
export function parseJobData(value: unknown): { ok: true; data: RunnerJobData } | { ok: false; problem: string } {
  const result = v.safeParse(JobDataSchema, value);
  if (result.success) return { ok: true, data: result.output };
  const issue = result.issues[0];
  const where = issue.path?.map((item) => String(item.key)).join('.') ?? '';
  return { ok: false, problem: `invalid job data${where === '' ? '' : ` at ${where}`}: ${issue.message}` };
}
