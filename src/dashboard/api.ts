import type { IncomingMessage, ServerResponse } from 'node:http';
import { PRIORITIES, type Priority } from '../batch/queue-file.js';
import { parseDuration } from '../shared/duration.js';
import { taskNameProblem } from '../shared/task-name.js';
import { parseTimestamp } from '../shared/time.js';
import { RunnerError } from '../shared/errors.js';
import type { DashboardDataSource, NewBatchEntry, RunsQuery } from './data-source.js';
import type { LiveHub } from './live.js';
import type { RunLauncher } from './run-now.js';

/** Largest request body accepted (bytes). */
const MAX_BODY = 64 * 1024;
/** Records a runs page holds at most. */
export const MAX_PAGE = 500;
const DEFAULT_PAGE = 100;

export interface ApiContext {
  source: DashboardDataSource;
  live: LiveHub;
  runs: RunLauncher;
  timeZone: string | undefined;
  version: string;
}

type Handler = (context: ApiContext, url: URL, body: unknown) => Promise<unknown>;

/** GET routes: reads. */
const READS: Record<string, Handler> = {
  '/api/info': async ({ source, version }) => ({ ...source.describe(), version }),
  '/api/tasks': async ({ source }) => source.tasks(),
  '/api/runs': async ({ source, timeZone }, url) => source.runs(runsQuery(url, timeZone)),
  '/api/alerts': async ({ source }) => ({ alerts: await source.alerts() }),
  '/api/batch': async ({ source }, url) => {
    const [items, diary] = await Promise.all([source.batch(), source.diary(count(url, 'blocks', 5, 50))]);
    return { items, diary };
  },
  '/api/health': async ({ source }, url) => source.health(count(url, 'limit', 30, MAX_PAGE)),
};

/** POST routes: changes (the guard has checked method, type and origin). */
const CHANGES: Record<string, Handler> = {
  '/api/alerts/ack': async ({ source }, _url, body) => {
    const input = object(body);
    if (input.all === true) return source.ackAlerts('all');
    const ids = input.ids;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id !== '' && id.length <= 64)) {
      throw bad('expected {"ids": ["<alert id>", …]} or {"all": true}');
    }
    return source.ackAlerts(ids as string[]);
  },
  '/api/batch': async ({ source }, _url, body) => {
    const entry = batchEntry(body);
    // An entry that runs a task no one can run would only fail when the batch reaches it.
    if (entry.run !== undefined) await assertRunnable(source, entry.run);
    return source.addBatch(entry);
  },
  '/api/run': async ({ source, runs }, _url, body) => {
    const input = object(body);
    const task = input.task;
    if (typeof task !== 'string') throw bad('expected {"task": "<name>", "dry_run": false}');
    if (input.dry_run !== undefined && typeof input.dry_run !== 'boolean') throw bad('dry_run: expected true or false');
    await assertRunnable(source, task);
    return runs.start(task, input.dry_run === true);
  },
};

/**
 * Refuse a task this dashboard cannot run (not discovered here): the one check behind Run now and
 * a batch entry's `run`, so both refuse it alike.
 */
async function assertRunnable(source: DashboardDataSource, task: string): Promise<void> {
  const problem = taskNameProblem(task);
  if (problem) throw bad(`${JSON.stringify(task)} is not a task name: ${problem}`);
  if (!(await source.hasTask(task))) {
    throw new RunnerError('dashboard.unknownTask', `unknown task ${JSON.stringify(task)} (see the tasks panel, or \`runner list\`)`);
  }
}

/** Whether a path is an API route that changes something. */
export function isChange(pathname: string, method: string | undefined): boolean {
  return method !== 'GET' && method !== 'HEAD' && pathname.startsWith('/api/') && pathname !== '/api/events';
}

/** Answer an API request; resolves once the response is sent (or the stream opened). */
export async function handleApi(context: ApiContext, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  try {
    if (url.pathname === '/api/events' && request.method === 'GET') {
      context.live.attach(request, response);
      return;
    }
    const handler = request.method === 'POST' ? CHANGES[url.pathname] : request.method === 'GET' ? READS[url.pathname] : undefined;
    if (!handler) {
      const known = url.pathname in READS || url.pathname in CHANGES;
      sendJson(response, known ? 405 : 404, { error: known ? `${request.method} is not allowed here` : `no such route ${url.pathname}`, code: known ? 'dashboard.badRequest' : 'dashboard.notFound' });
      return;
    }
    const body = request.method === 'POST' ? await readJsonBody(request) : undefined;
    sendJson(response, 200, await handler(context, url, body));
  } catch (error) {
    const { status, payload } = errorResponse(error);
    if (status >= 500) process.stderr.write(`dashboard: ${request.method} ${url.pathname}: ${(error as Error)?.stack ?? String(error)}\n`);
    if (!response.headersSent) sendJson(response, status, payload);
    else response.end();
  }
}

const STATUS_OF: Partial<Record<string, number>> = {
  'dashboard.badRequest': 400,
  'runner.invalidArgument': 400,
  'runner.invalidTaskName': 400,
  'batch.invalid': 422,
  'runner.noWorkspace': 409,
  'dashboard.unknownTask': 404,
  'runner.unknownTask': 404,
  'dashboard.notFound': 404,
  'store.locked': 503,
};

/** A RunnerError as `{error, code}` with a 4xx status (bad input) or 5xx (the files); anything else is 500. */
export function errorResponse(error: unknown): { status: number; payload: { error: string; code: string } } {
  if (error instanceof RunnerError) {
    return { status: STATUS_OF[error.code] ?? 500, payload: { error: error.message, code: error.code } };
  }
  return { status: 500, payload: { error: 'internal error (see the dashboard server output)', code: 'dashboard.internal' } };
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw bad(`request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    throw bad('the request body is not valid JSON');
  }
}

function bad(message: string): RunnerError {
  return new RunnerError('dashboard.badRequest', message);
}

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('expected a JSON object');
  return body as Record<string, unknown>;
}

function count(url: URL, name: string, fallback: number, max: number): number {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw bad(`${name}: expected a whole number above zero, got ${JSON.stringify(text)}`);
  return Math.min(Number(text), max);
}

/** `?task=&failed=1&since=2h|ISO&until=ISO&offset=&limit=` */
export function runsQuery(url: URL, timeZone: string | undefined): RunsQuery {
  const params = url.searchParams;
  const task = params.get('task') || undefined;
  if (task !== undefined) {
    const problem = taskNameProblem(task);
    if (problem) throw bad(`task: ${JSON.stringify(task)} is not a task name: ${problem}`);
  }
  const offsetText = params.get('offset');
  if (offsetText && !/^\d+$/.test(offsetText)) throw bad(`offset: expected a whole number, got ${JSON.stringify(offsetText)}`);
  return {
    task,
    failed: params.get('failed') === '1' || params.get('failed') === 'true',
    sinceMs: time(params.get('since'), 'since', timeZone, true),
    untilMs: time(params.get('until'), 'until', timeZone, false),
    offset: offsetText ? Number(offsetText) : 0,
    limit: count(url, 'limit', DEFAULT_PAGE, MAX_PAGE),
  };
}

/** A time: an ISO timestamp, or (for `since`) a duration back from now such as `2h`. */
function time(text: string | null, name: string, timeZone: string | undefined, durationAllowed: boolean): number | undefined {
  if (text === null || text.trim() === '') return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const at = parseTimestamp(text.trim(), timeZone);
    if (at === undefined) throw bad(`${name}: invalid timestamp ${JSON.stringify(text)}`);
    return at;
  }
  if (!durationAllowed) throw bad(`${name}: expected an ISO timestamp, got ${JSON.stringify(text)}`);
  try {
    return Date.now() - parseDuration(text, name);
  } catch (error) {
    throw bad((error as Error).message);
  }
}

function optionalText(input: Record<string, unknown>, key: string, max = 2000): string | undefined {
  const value = input[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw bad(`${key}: expected text`);
  if (value.length > max) throw bad(`${key}: at most ${max} characters`);
  return value;
}

/** A batch entry from the page, checked here for shape; `addBatchTask` checks the rest as `batch add` does. */
export function batchEntry(body: unknown): NewBatchEntry {
  const input = object(body);
  const allowed = new Set(['task', 'result', 'insight', 'next_step', 'priority', 'depends_on', 'run', 'max_attempts']);
  const unknown = Object.keys(input).filter((key) => !allowed.has(key));
  if (unknown.includes('command')) throw bad('command entries run shell code: add them with `runner batch add --command` on the machine');
  if (unknown.length > 0) throw bad(`unknown field(s): ${unknown.join(', ')}`);
  const task = optionalText(input, 'task');
  if (task === undefined || task.trim() === '') throw bad('task: the task text is required');
  const priority = optionalText(input, 'priority');
  if (priority !== undefined && !PRIORITIES.includes(priority as Priority)) throw bad(`priority: one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(priority)}`);
  let dependsOn: string[] | undefined;
  if (input.depends_on !== undefined && input.depends_on !== null) {
    const raw = typeof input.depends_on === 'string' ? input.depends_on.split(/[\s,]+/) : input.depends_on;
    if (!Array.isArray(raw) || !raw.every((id) => typeof id === 'string')) throw bad('depends_on: expected a list of ids');
    dependsOn = (raw as string[]).map((id) => id.trim()).filter((id) => id !== '');
  }
  let maxAttempts: number | undefined;
  if (input.max_attempts !== undefined && input.max_attempts !== null && input.max_attempts !== '') {
    maxAttempts = Number(input.max_attempts);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) throw bad(`max_attempts: a whole number from 1 to 100, got ${JSON.stringify(input.max_attempts)}`);
  }
  const entry: NewBatchEntry = { task };
  for (const key of ['result', 'insight', 'next_step', 'run'] as const) {
    const value = optionalText(input, key);
    if (value !== undefined) entry[key] = value;
  }
  if (priority !== undefined) entry.priority = priority as Priority;
  if (dependsOn !== undefined && dependsOn.length > 0) entry.depends_on = dependsOn;
  if (maxAttempts !== undefined) entry.max_attempts = maxAttempts;
  return entry;
}
