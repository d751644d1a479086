import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator } from 'playwright-core';
import { alerter } from '../fixtures/tasks.js';
import { collect, makeHome, startCli, writeFile } from '../helpers/cli.js';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it), or `$CHROMIUM_PATH`. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

if (!HAVE_CHROMIUM) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: the dashboard's browser tests must run in CI (.ci/run installs chromium)`);
  console.warn(`dashboard browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

/** Headless Chromium with a fresh profile (its own user-data dir), as one browser context. */
export async function launchBrowser(options: { ignoreHTTPSErrors?: boolean; timezoneId?: string } = {}): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(tmpdir(), 'taskrunner-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 860 },
    locale: 'en-US',
    ...options,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface Dashboard {
  url: string;
  /** The token in the printed URL, when there is one. */
  token: string | undefined;
  child: ChildProcess;
  stdout: () => string;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
}

/** Start `runner dashboard --port 0 …` as a process and read its URL from stdout. */
export async function startDashboardProcess(args: readonly string[]): Promise<Dashboard> {
  const child = startCli(['dashboard', '--port', '0', ...args]);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 30 s; stdout:\n${out}\nstderr:\n${err}`)), 30_000);
    const look = () => {
      const match = /runner dashboard: (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`dashboard exited ${code}:\n${out}\n${err}`));
    });
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? undefined;
  return {
    url: `${parsed.origin}/`,
    token,
    child,
    stdout: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      return (await collect(child)).code;
    },
  };
}

/** One server-sent event of `GET /api/events`. */
export interface LiveEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface LiveEvents {
  /** The first event, already received or still to come, that `matches`. */
  next(matches: (event: LiveEvent) => boolean): Promise<LiveEvent>;
  close(): void;
}

/** Open the dashboard's live stream; resolves once the server has greeted it (later events reach it). */
export async function liveEvents(dashboardUrl: string, headers: Record<string, string> = {}): Promise<LiveEvents> {
  const controller = new AbortController();
  const response = await fetch(`${dashboardUrl}api/events`, { headers, signal: controller.signal });
  if (response.status !== 200) throw new Error(`GET /api/events: ${response.status} ${await response.text()}`);
  const received: LiveEvent[] = [];
  const waiters = new Set<() => void>();
  let greeted!: () => void;
  const hello = new Promise<void>((resolve) => (greeted = resolve));
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type === undefined || data === undefined) continue;
          if (type === 'hello') greeted();
          received.push({ type, data: JSON.parse(data) as Record<string, unknown> });
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // Closed by the test.
    }
  })();
  await hello;
  return {
    next: (matches) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(look);
          reject(new Error(`no such event within 30 s; received:\n${received.map((event) => JSON.stringify(event)).join('\n')}`));
        }, 30_000);
        function look() {
          const found = received.find(matches);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(look);
          resolve(found);
        }
        waiters.add(look);
        look();
      }),
    close: () => controller.abort(),
  };
}

const NOW = Date.now();
/** An ISO timestamp with offset `minutes` ago, as the runner writes them. */
export const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString().replace('Z', '+00:00');

/** A task that succeeds at once. */
const HELLO = `
import { Task } from 'taskrunner';
export default class Hello extends Task {
  name = 'hello';
  description = 'Says hello';
  defaults = { attempts: 1, schedule: '0 */6 * * *', tz: 'UTC' };
  async run() {
    return { success: true, message: 'hello from the page' };
  }
}
`;

/** A task that fails at once. */
const FAILING = `
import { Task } from 'taskrunner';
export default class Failing extends Task {
  name = 'failing';
  description = 'Always fails';
  defaults = { attempts: 1, schedule: '*/30 * * * *' };
  async run() {
    throw new Error('disk on fire');
  }
}
`;

export interface SeededHome {
  home: string;
  workspace: string;
  args: string[];
  records: Record<string, unknown>[];
  alerts: { id: string; task: string; timestamp: string; level: string; message: string }[];
}

/**
 * A home with known contents: three user tasks (`hello`, `failing`, `alerter`), a run log (hello 30 runs of
 * n+1 seconds, all ok; failing 12 runs, every third ok, the newest failed; three system_health
 * reports; `retired`, a task no longer discovered), four pending alerts, a batch queue with ready,
 * waiting, blocked, failed and running entries, and a diary of two work blocks.
 */
export function seededHome(): SeededHome {
  const { home, workspace } = makeHome('taskrunner-dashboard-');
  writeFile(home, 'tasks/hello.mjs', HELLO);
  writeFile(home, 'tasks/failing.mjs', FAILING);
  writeFile(home, 'tasks/alerter.mjs', alerter('alerter'));
  const records: Record<string, unknown>[] = [];
  const add = (record: Record<string, unknown>) => records.push(record);
  add({ task: 'retired', dry_run: false, timestamp: minutesAgo(5000), success: true, duration_seconds: 4, run_id: 'r0', attempts: 1 });
  for (let n = 0; n < 30; n++) {
    // hello and failing are scheduled (their schedules are their own defaults): failing has missed
    // two half-hours since its last success, hello's next six-hourly run is still to come.
    add({ task: 'hello', dry_run: false, timestamp: minutesAgo(600 - n * 10), success: true, message: `hello ${n}`, duration_seconds: n + 1, run_id: `h${n}`, attempts: 1, scheduled: true });
    if (n < 12) {
      const ok = n % 3 === 0 && n !== 11;
      add({
        task: 'failing', dry_run: false, timestamp: minutesAgo(590 - n * 20), success: ok, duration_seconds: 0.5 + n, run_id: `f${n}`, attempts: 1,
        ...(ok ? { message: 'fine' } : { error: `disk on fire ${n}`, error_type: 'Error', retry_attempts: 0, all_attempts_failed: true }),
        scheduled: true,
      });
    }
  }
  const health = (minutes: number, status: string, disk: string) => add({
    task: 'system_health', dry_run: false, timestamp: minutesAgo(minutes), success: true,
    message: status === 'healthy' ? 'healthy: gateway, disk and cron' : `${status}: disk ${disk}`,
    status,
    checks: {
      gateway: { status: 'healthy', summary: 'live at http://127.0.0.1:18789/health' },
      disk: { status: disk, summary: `/ is ${disk === 'healthy' ? 41 : 86}% used` },
      cron: { status: 'skipped', summary: 'no openclaw on PATH' },
    },
    duration_seconds: 0.2, run_id: `s${minutes}`, attempts: 1,
  });
  health(300, 'healthy', 'healthy');
  health(200, 'warning', 'warning');
  health(5, 'warning', 'warning');
  writeRunLog(home, records);

  const alerts = [
    { id: 'a1c0ffee0001', task: 'system_health', timestamp: minutesAgo(50), level: 'critical', message: 'disk critical: / is 93% used' },
    { id: 'a1c0ffee0002', task: 'failing', timestamp: minutesAgo(40), level: 'error', message: 'failing failed after 1 attempt: disk on fire' },
    { id: 'a1c0ffee0003', task: 'memory_consolidate', timestamp: minutesAgo(30), level: 'info', message: 'pruned 64 entries' },
    { id: 'a1c0ffee0004', task: 'hello', timestamp: minutesAgo(20), level: 'warning', message: '<b>not bold</b> & not HTML' },
  ];
  writeAlerts(home, alerts);
  writeBatchQueue(workspace);
  writeDiary(workspace);
  return { home, workspace, args: ['--home', home, '--workspace', workspace], records, alerts };
}

/** Write the home's run log: one line per record, in the order given (the order of writing). */
export function writeRunLog(home: string, records: readonly Record<string, unknown>[]): void {
  mkdirSync(path.join(home, 'logs'), { recursive: true });
  writeFileSync(path.join(home, 'logs', 'tasks.jsonl'), records.map((record) => `${JSON.stringify(record)}\n`).join(''));
}

/** Write the home's pending alerts, as the inbox keeps them. */
export function writeAlerts(home: string, alerts: readonly Record<string, unknown>[]): void {
  writeFile(home, 'alerts/pending.json', `${JSON.stringify(alerts, null, 2)}\n`);
}

/** A batch queue entry as the batch task keeps it (`added` 100 minutes ago unless `extra` says). */
export const queueEntry = (id: string, task: string, extra: Record<string, unknown> = {}) => ({
  task, result: '', insight: '', next_step: '', status: 'pending', added: minutesAgo(100), id, ...extra,
});

/**
 * Write the workspace's batch queue; by default one entry in each state: b0000001 ready (high),
 * b0000002 waiting for it, b0000003 failed for good, b0000004 blocked by that failure, b0000005
 * complete (an old-style entry).
 */
export function writeBatchQueue(workspace: string, entries: readonly Record<string, unknown>[] = [
  queueEntry('b0000001', 'Document the API', { priority: 'high' }),
  queueEntry('b0000002', 'Publish the docs', { depends_on: ['b0000001'] }),
  queueEntry('b0000003', 'Rebuild the index', { status: 'failed', attempts: 3, max_attempts: 3, error: 'exit code 2', priority: 'low' }),
  queueEntry('b0000004', 'Reindex after rebuild', { depends_on: ['b0000003'] }),
  queueEntry('b0000005', 'Old-style entry, no extras', { status: 'complete', completed: minutesAgo(90) }),
]): void {
  writeFile(workspace, 'batch-tasks.json', `${JSON.stringify(entries, null, 2)}\n`);
}

/** One work block of the diary. */
export interface WorkBlock {
  number: number;
  /** As the heading writes it: `2026-02-03T17:35Z`. */
  time: string;
  task: string;
  result: string;
  insight: string;
  next: string;
}

/** Write the workspace's diary, in the batch task's format; by default two work blocks, 1135 and 1136. */
export function writeDiary(workspace: string, blocks: readonly WorkBlock[] = [
  { number: 1135, time: '2026-02-03T17:35Z', task: 'Document block-counter.py', result: 'Created README (4753 bytes)', insight: 'Batch execution = velocity multiplier', next: 'Continue documentation sprint' },
  { number: 1136, time: '2026-02-03T17:52Z', task: 'Write the changelog', result: 'CHANGELOG.md for 0.1.0', insight: 'Small releases read better', next: 'Tag the release' },
]): void {
  writeFile(workspace, 'diary.md', ['# Diary', '', ...blocks.flatMap((block) => [
    `### ${block.time} — Work Block ${block.number} — ${block.task}`, '',
    `**Task:** ${block.task}`, `**Result:** ${block.result}`, `**Insight:** ${block.insight}`, `**Next:** ${block.next}`, '',
    '**Status:** ✅ Complete', '',
  ])].join('\n'));
}

/** An attribute of every element a locator matches, in page order. */
export function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
  return locator.evaluateAll((elements, attribute) => elements.map((element) => element.getAttribute(attribute)), name);
}

/**
 * What the tests' page scripts use of the DOM (the test files are compiled without the DOM's
 * types, for Node). Page functions run in the browser, where these are the real thing.
 */
export interface PageDocument {
  querySelectorAll(selector: string): Iterable<{ click(): void; setAttribute(name: string, value: string): void }>;
  querySelector(selector: string): { submit(): void } | null;
}

/**
 * A moment as the page shows it in a browser whose zone is `timeZone` (locale en-US, as
 * {@link launchBrowser} sets): `2026-11-23 12:13:40 EST`.
 */
export function clockIn(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}
