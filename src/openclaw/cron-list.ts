import type { CronListJob } from './job-spec.js';
import { describeOpenClawFailure, runOpenClaw, type OpenClawOutcome } from './openclaw-cli.js';

/**
 * Every job of `openclaw cron list --json`, for `runner cron --install openclaw` and the cron check
 * of system_health alike. OpenClaw 2026.9.6 reads the gateway's pages itself and prints them all
 * with `hasMore: false`; an answer that says `hasMore: true` holds one page only, and the rest is
 * asked for with `--offset`/`--limit` (the gateway's `cron.list` parameters) until none is left. A
 * partial list is never returned as the whole: a job past the first page would be added twice,
 * missed by a removal, or not checked.
 */

/** How reading the list ended. */
export type CronListing =
  | { kind: 'ok'; jobs: CronListJob[] }
  /** The first call did not succeed: no `openclaw`, a non-zero exit, a hang. */
  | { kind: 'callFailed'; outcome: Exclude<OpenClawOutcome, { kind: 'ok' }> }
  /** An answer was not a job list, or its pages did not add up to the whole list; `reason` says how. */
  | { kind: 'unreadable'; reason: string };

export interface CronListOptions {
  /** Disabled jobs too (`--all`; without it OpenClaw leaves them out). */
  all?: boolean;
  /** Limit of each `openclaw` call, in ms. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** The runner home whose install record may say where `openclaw` is (see `runOpenClaw`). */
  home?: string;
  signal?: AbortSignal;
}

/** OpenClaw's own page size, and the most a page may hold. */
const PAGE_SIZE = 200;
/** OpenClaw stops there too (10 000 jobs): a list that never ends is a fault, not a long list. */
const MAX_PAGES = 50;

/** One answer of `cron list --json`: the 2026.9 object `{jobs, total, offset, limit, hasMore, nextOffset}` or the older bare array. */
interface Page {
  jobs: CronListJob[];
  total?: number;
  offset?: number;
  hasMore: boolean;
  nextOffset?: number;
}

/**
 * Read the whole job list. Resolves to how it ended and rejects only when `signal` aborts.
 */
export async function readCronJobs(options: CronListOptions): Promise<CronListing> {
  const base = ['cron', 'list', ...(options.all ? ['--all'] : []), '--json'];
  const first = await runOpenClaw(base, options);
  options.signal?.throwIfAborted();
  if (first.kind !== 'ok') return { kind: 'callFailed', outcome: first };
  let page = parsePage(first.stdout);
  if (typeof page === 'string') return { kind: 'unreadable', reason: page };
  const jobs = [...page.jobs];
  const { total } = page;
  for (let pages = 1; page.hasMore; pages++) {
    const offset = jobs.length;
    const listed = `openclaw cron list --json listed ${offset}${total === undefined ? '' : ` of ${total}`} jobs and has more`;
    if (pages >= MAX_PAGES) return unreadable(`${listed} after ${MAX_PAGES} pages; stopped reading`);
    if (page.jobs.length === 0) return unreadable(`${listed}, but its last page was empty`);
    if (page.nextOffset !== undefined && page.nextOffset !== offset) return unreadable(`${listed}, but says the next page starts at ${page.nextOffset}`);
    const outcome = await runOpenClaw([...base, '--offset', String(offset), '--limit', String(PAGE_SIZE)], options);
    options.signal?.throwIfAborted();
    if (outcome.kind !== 'ok') {
      return unreadable(`${listed}, but the next page failed: ${describeOpenClawFailure(outcome, `openclaw cron list --offset ${offset} --limit ${PAGE_SIZE}`)}`);
    }
    const next = parsePage(outcome.stdout);
    if (typeof next === 'string') return unreadable(`${listed}, but the next page is unreadable: ${next}`);
    if (next.offset !== undefined && next.offset !== offset) return unreadable(`${listed}, but the page asked for at ${offset} starts at ${next.offset}`);
    if (next.total !== undefined && total !== undefined && next.total !== total) {
      return unreadable(`the job list changed while it was read (${total} jobs, then ${next.total}); try again`);
    }
    jobs.push(...next.jobs);
    page = next;
  }
  if (total !== undefined && jobs.length !== total) return unreadable(`openclaw cron list --json listed ${jobs.length} of ${total} jobs`);
  return { kind: 'ok', jobs };
}

/** The page in `stdout`, or why it is not one. */
function parsePage(stdout: string): Page | string {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch (error) {
    const excerpt = JSON.stringify(stdout.trim().slice(0, 80));
    return `openclaw cron list --json printed no valid JSON (${(error as Error).message}): ${excerpt}`;
  }
  if (Array.isArray(value)) return { jobs: value.filter(isObject), hasMore: false };
  const page = (isObject(value) ? value : {}) as { jobs?: unknown; total?: unknown; offset?: unknown; hasMore?: unknown; nextOffset?: unknown };
  if (!Array.isArray(page.jobs)) return 'openclaw cron list --json printed neither a list of jobs nor {"jobs": […]}';
  return {
    jobs: page.jobs.filter(isObject),
    total: count(page.total),
    offset: count(page.offset),
    hasMore: page.hasMore === true,
    nextOffset: count(page.nextOffset),
  };
}

function isObject(value: unknown): value is CronListJob {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function unreadable(reason: string): CronListing {
  return { kind: 'unreadable', reason };
}
