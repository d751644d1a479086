import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunnerError } from '../shared/errors.js';
import { readCronJobs } from './cron-list.js';
import type { CronListJob } from './job-spec.js';
import { jobAddArgs, type JobSpec } from './job-spec.js';
import { describeOpenClawFailure, runOpenClaw, type OpenClawOutcome } from './openclaw-cli.js';

/**
 * The `openclaw cron` calls that install the runner into OpenClaw: list every job, add one, remove
 * one, read and write the heartbeat monitor's scratch. Every call goes through `runOpenClaw`; each
 * takes 2.5-4 s on a real gateway. A call that does not succeed throws a `RunnerError` with
 * OpenClaw's own reason: `openclaw.notFound` when there is no `openclaw` to call,
 * `openclaw.callFailed` otherwise (a gateway that is down says so: "Gateway not reachable …").
 */

/** Where and how the calls run. */
export interface CronClient {
  env?: NodeJS.ProcessEnv;
  /** The runner home whose install record may say where `openclaw` is. */
  home?: string;
  /** Limit of each call, in ms. */
  timeoutMs: number;
}

/** Each call's limit when the caller has none: calls take 2.5-4 s, a loaded gateway more. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;

/** A listed job with its id and name, and everything OpenClaw printed of it. */
export interface ListedJob {
  id: string;
  name: string;
  job: CronListJob;
}

/**
 * Every job of the gateway, disabled ones included (`--all`), every page of the list. A list that
 * cannot be read in full is an error, not a shorter list.
 */
export async function listJobs(client: CronClient): Promise<ListedJob[]> {
  const listing = await readCronJobs({ all: true, timeoutMs: client.timeoutMs, env: client.env, home: client.home });
  if (listing.kind === 'callFailed') throw callError(listing.outcome, 'openclaw cron list');
  if (listing.kind === 'unreadable') throw new RunnerError('openclaw.callFailed', listing.reason);
  return listing.jobs.flatMap((job) => (typeof job.id === 'string' && typeof job.name === 'string' ? [{ id: job.id, name: job.name, job }] : []));
}

/** Add the job; resolves to its id (`cron add --json` prints the new job). */
export async function addJob(client: CronClient, spec: JobSpec): Promise<string> {
  const stdout = await call(client, ['cron', ...jobAddArgs(spec), '--json'], 'openclaw cron add');
  const id = idOf(stdout);
  if (id === undefined) throw new RunnerError('openclaw.callFailed', `openclaw cron add printed no job id: ${JSON.stringify(stdout.trim().slice(0, 200))}`);
  return id;
}

/** Remove the job with this id. */
export async function removeJob(client: CronClient, id: string): Promise<void> {
  await call(client, ['cron', 'rm', id, '--json'], 'openclaw cron rm');
}

/** A heartbeat monitor's scratch: its text (null when it has none) and revision (0 when it never had one). */
export interface Scratch {
  content: string | null;
  revision: number;
}

/** Read the scratch of the monitor job `jobId` (`cron scratch <id> --json`). */
export async function readScratch(client: CronClient, jobId: string): Promise<Scratch> {
  const stdout = await call(client, ['cron', 'scratch', jobId, '--json'], 'openclaw cron scratch');
  const answer = parseObject(stdout, 'openclaw cron scratch --json');
  const scratch = answer.scratch;
  const revision = answer.currentRevision;
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision)) throw unreadableScratch(stdout);
  if (scratch === null || scratch === undefined) return { content: null, revision };
  const content = (scratch as { content?: unknown }).content;
  if (typeof content !== 'string') throw unreadableScratch(stdout);
  return { content, revision };
}

/**
 * Replace the scratch of `jobId` with `content` (remove it for null), unless its revision is no
 * longer `expectedRevision`: then nothing is written and `openclaw.scratchChanged` is thrown, so a
 * concurrent edit is never overwritten. The text goes through a private temporary file (`--file`),
 * as a big scratch may not fit in one argument. Resolves to the new revision.
 */
export async function writeScratch(client: CronClient, jobId: string, content: string | null, expectedRevision: number): Promise<number> {
  const guard = ['--expected-revision', String(expectedRevision), '--json'];
  if (content === null) return revisionOf(await scratchCall(client, ['cron', 'scratch', jobId, '--unset', ...guard]));
  const folder = await mkdtemp(path.join(tmpdir(), 'runner-scratch-'));
  try {
    const file = path.join(folder, 'scratch.md');
    await writeFile(file, content, { mode: 0o600 });
    return revisionOf(await scratchCall(client, ['cron', 'scratch', jobId, '--file', file, ...guard]));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function scratchCall(client: CronClient, args: string[]): Promise<string> {
  const outcome = await runOpenClaw(args, { timeoutMs: client.timeoutMs, env: client.env, home: client.home });
  if (outcome.kind === 'ok') return outcome.stdout;
  if (outcome.kind === 'failed' && /changed concurrently/i.test(`${outcome.stdout}\n${outcome.stderr}`)) {
    throw new RunnerError('openclaw.scratchChanged', "the heartbeat monitor's scratch changed while installing (someone edited it); nothing of it was overwritten: run again");
  }
  throw callError(outcome, 'openclaw cron scratch');
}

function revisionOf(stdout: string): number {
  const revision = parseObject(stdout, 'openclaw cron scratch --json').currentRevision;
  if (typeof revision !== 'number') throw unreadableScratch(stdout);
  return revision;
}

async function call(client: CronClient, args: readonly string[], what: string): Promise<string> {
  const outcome: OpenClawOutcome = await runOpenClaw(args, { timeoutMs: client.timeoutMs, env: client.env, home: client.home });
  if (outcome.kind === 'ok') return outcome.stdout;
  throw callError(outcome, what);
}

/** The error for a call that did not succeed, with OpenClaw's own reason. */
export function callError(outcome: Exclude<OpenClawOutcome, { kind: 'ok' }>, what: string): RunnerError {
  const code = outcome.kind === 'missing' || outcome.kind === 'unusable' ? 'openclaw.notFound' : 'openclaw.callFailed';
  return new RunnerError(code, describeOpenClawFailure(outcome, what));
}

function parseObject(stdout: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(stdout) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Said below, with what was printed.
  }
  throw new RunnerError('openclaw.callFailed', `${what} printed no JSON object: ${JSON.stringify(stdout.trim().slice(0, 200))}`);
}

function unreadableScratch(stdout: string): RunnerError {
  return new RunnerError('openclaw.callFailed', `openclaw cron scratch --json printed no scratch and revision: ${JSON.stringify(stdout.trim().slice(0, 200))}`);
}

function idOf(stdout: string): string | undefined {
  try {
    const parsed = JSON.parse(stdout) as { id?: unknown; job?: { id?: unknown } };
    const id = parsed.job?.id ?? parsed.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
