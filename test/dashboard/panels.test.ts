import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { attributes, clockIn, HAVE_CHROMIUM, launchBrowser, seededHome, startDashboardProcess, type Dashboard, type SeededHome } from './helpers.js';
import { openPanel, runFromPage, WAIT } from './panel-views.js';
import { screenshot } from './screenshots.js';

/** The browser's zone: the page shows every time in it, with its name. */
const ZONE = 'America/New_York';

/** Nearest-rank percentile, as `runner status` computes it. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const failingRunsOf = (home: SeededHome) => home.records.filter((r) => r.task === 'failing');

/** The log's records as the runs panel lists them: by start, newest first (the later written first among equal starts). */
const byStartNewestFirst = (records: Record<string, unknown>[]) =>
  [...records].reverse().sort((a, b) => Date.parse(String(b.timestamp)) - Date.parse(String(a.timestamp)));

describe.skipIf(!HAVE_CHROMIUM)('runner dashboard in headless Chromium', () => {
  let home: SeededHome;
  let dashboard: Dashboard;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    home = seededHome();
    dashboard = await startDashboardProcess(home.args);
    browser = await launchBrowser({ timezoneId: ZONE });
    page = await browser.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
  });

  afterAll(async () => {
    await browser?.close();
    if (dashboard) expect(await dashboard.stop()).toBe(0);
  });

  it('tasks: every discovered task with its last result, success rate, p50/p95 and a chart, as the log says', async () => {
    await page.goto(`${dashboard.url}#tasks`);
    await page.locator('#tasks-table tr[data-task="hello"] canvas').first().waitFor(WAIT);
    const names = await attributes(page.locator('#tasks-table tbody tr'), 'data-task');
    expect(names).toEqual(['alerter', 'batch', 'failing', 'hello', 'memory_capture', 'memory_consolidate', 'retired', 'system_health']);

    const hello = page.locator('#tasks-table tr[data-task="hello"]');
    const durations = home.records.filter((r) => r.task === 'hello').slice(-20).map((r) => r.duration_seconds as number);
    await expect.poll(() => hello.locator('.result').textContent()).toBe('ok');
    expect(await hello.locator('.success').textContent()).toBe('100% of 20');
    expect(await hello.locator('.p50').textContent()).toBe(`${nearestRank(durations, 50)}s`);
    expect(await hello.locator('.p95').textContent()).toBe(`${nearestRank(durations, 95)}s`);
    expect(await hello.locator('.last-run').textContent()).toBe('5h ago');

    const failing = page.locator('#tasks-table tr[data-task="failing"]');
    const failingRuns = home.records.filter((r) => r.task === 'failing');
    const successes = failingRuns.filter((r) => r.success === true).length;
    expect(await failing.locator('.result').textContent()).toBe('failed');
    // Failing since: the newest runs failed in a row (n = 10 and 11), since the first of them.
    expect(await failing.locator('.failing-since').textContent()).toBe(' ×2 since 6h ago');
    expect(await failing.locator('.failing-since').getAttribute('title')).toContain(clockIn(Date.parse(String(failingRunsOf(home)[10]!.timestamp)), ZONE));
    expect(await failing.locator('.result').getAttribute('class')).toContain('red');
    expect(await failing.locator('.success').textContent()).toBe(`${Math.round((successes / failingRuns.length) * 100)}% of ${failingRuns.length}`);
    expect(await failing.textContent()).toContain('disk on fire 11');
    expect(await page.locator('#tasks-table tr[data-task="retired"]').textContent()).toContain('not found now');
    expect(await page.locator('#tasks-table tr[data-task="memory_capture"]').textContent()).toContain('never');

    // Schedules and their next runs, as `runner status` shows them; failing has missed two of its
    // half-hours since its last success and is marked overdue, hello and the rest are not.
    expect(await failing.locator('.schedule').textContent()).toMatch(/^\*\/30 \* \* \* \* · next (in \d+[ms]|now) overdue$/);
    expect(await failing.locator('.overdue').getAttribute('class')).toContain('red');
    const lastSuccess = failingRunsOf(home).filter((r) => r.success === true).at(-1)!.timestamp;
    expect(await failing.locator('.overdue').getAttribute('title')).toBe(`no success since ${clockIn(Date.parse(String(lastSuccess)), ZONE)}: two scheduled runs and a grace have passed`);
    expect(await hello.locator('.schedule').textContent()).toMatch(/^0 \*\/6 \* \* \* · next (in \d+[hms]|now)$/);
    expect(await hello.locator('.schedule span').first().getAttribute('title')).toBe("0 */6 * * * in UTC, from the task's defaults.schedule");
    expect(await page.locator('#tasks-table tr[data-task="memory_capture"] .schedule').textContent()).toMatch(/^5 \* \* \* \* · next (in \d+[ms]|now)$/);
    expect(await page.locator('#tasks-table tr[data-task="batch"] .schedule').textContent()).toBe('-');
    expect(await page.locator('#tasks-table .overdue').count()).toBe(1);
    // The alerts tab counts what pending.json holds, on every panel.
    expect(await page.locator('#count-alerts').textContent()).toBe(String(home.alerts.length));
    await screenshot(page, 'tasks');
  });

  it('runs: the history newest start first, filters, and each record\'s full JSON one click away', async () => {
    await openPanel(page, dashboard.url, 'runs');
    const rows = page.locator('#runs-table tbody tr.run');
    // The file is in order of writing (each run's end); the page lists runs by their start, which it shows.
    const newestFirst = byStartNewestFirst(home.records);
    expect(newestFirst.map((r) => r.run_id)).not.toEqual([...home.records].reverse().map((r) => r.run_id));
    expect(await rows.count()).toBe(Math.min(100, home.records.length));
    expect(await attributes(rows, 'data-run-id')).toEqual(newestFirst.slice(0, 100).map((r) => r.run_id));
    const started = Date.parse(String(newestFirst[0]!.timestamp));
    expect(await rows.first().locator('td.moment').textContent()).toBe(`${(await rows.first().locator('.ago').textContent())!} ${clockIn(started, ZONE)}`);

    await rows.first().click();
    const detail = page.locator('#runs-table tbody tr.detail').first();
    expect(JSON.parse((await detail.locator('pre').textContent())!)).toEqual(newestFirst[0]);

    await page.selectOption('#runs-task', 'failing');
    await page.check('#runs-failed');
    await page.click('#runs-filter button[type="submit"]');
    const failedIds = newestFirst.filter((r) => r.task === 'failing' && r.success !== true).map((r) => r.run_id);
    await expect.poll(() => attributes(rows, 'data-run-id'), WAIT).toEqual(failedIds);
    await rows.nth(1).click();
    await screenshot(page, 'runs');

    // A time range: runs started in the last 3 hours only.
    await page.uncheck('#runs-failed');
    await page.selectOption('#runs-task', '');
    await page.selectOption('#runs-since', '6h');
    await page.click('#runs-filter button[type="submit"]');
    const recent = newestFirst.filter((r) => Date.parse(String(r.timestamp)) >= Date.now() - 6 * 3_600_000).map((r) => r.run_id);
    await expect.poll(() => attributes(rows, 'data-run-id'), WAIT).toEqual(recent);
  });

  it('alerts: pending alerts by level, as pending.json holds them, shown as text', async () => {
    await openPanel(page, dashboard.url, 'alerts');
    for (const alert of home.alerts) {
      const row = page.locator(`#alerts-list tbody[data-level="${alert.level}"] tr[data-id="${alert.id}"]`);
      expect(await row.textContent()).toContain(alert.message);
    }
    // Markup in a message is text, never HTML.
    expect(await page.locator('#alerts-list b').count()).toBe(0);
    expect(await page.locator('#alerts-summary').textContent()).toBe('4 pending: 1 critical, 1 error, 1 warning, 1 info');
    await screenshot(page, 'alerts');
  });

  it('batch: the queue as `runner batch list` orders it, the diary, and an entry added from the page', async () => {
    await openPanel(page, dashboard.url, 'batch');
    const listed = JSON.parse((await runCli(['batch', 'list', '--json', ...home.args])).stdout) as { id: string; state: string }[];
    expect(await attributes(page.locator('#batch-table tr[data-id]'), 'data-id')).toEqual(listed.map((item) => item.id));
    expect(await attributes(page.locator('#batch-table tr[data-id]'), 'data-state')).toEqual(listed.map((item) => item.state));
    expect(await page.locator('#batch-table tr[data-id="b0000004"]').textContent()).toContain('blocked: b0000003 failed');
    expect(await attributes(page.locator('#diary .block'), 'data-block')).toEqual(['1136', '1135']);

    await page.fill('#batch-form input[name="task"]', 'Added from the dashboard');
    await page.selectOption('#batch-form select[name="priority"]', 'high');
    await page.fill('#batch-depends', 'b0000001');
    await page.click('#batch-form button[type="submit"]');
    await page.locator('#batch-added').filter({ hasText: /^added / }).waitFor(WAIT);
    const id = /^added (\S+)/.exec((await page.locator('#batch-added').textContent())!)![1]!;
    const after = JSON.parse((await runCli(['batch', 'list', '--json', ...home.args])).stdout) as { id: string; task: string; priority: string; depends_on: string[] }[];
    expect(after.find((item) => item.id === id)).toMatchObject({ task: 'Added from the dashboard', priority: 'high', depends_on: ['b0000001'] });
    await page.locator(`#batch-table tr[data-id="${id}"]`).waitFor(WAIT);

    // A malformed entry is a clear error on the page, and nothing is written.
    await page.fill('#batch-form input[name="task"]', 'Depends on nothing real');
    await page.fill('#batch-depends', 'nosuchid');
    await page.click('#batch-form button[type="submit"]');
    await page.locator('#batch-error').filter({ hasText: 'no task with id nosuchid' }).waitFor(WAIT);
    expect(await page.locator('#batch-error').textContent()).toContain('[runner.invalidArgument]');
    const unchanged = JSON.parse((await runCli(['batch', 'list', '--json', ...home.args])).stdout) as unknown[];
    expect(unchanged).toHaveLength(after.length);
    await page.fill('#batch-form input[name="task"]', '');
    await page.fill('#batch-depends', '');
    await page.locator('#batch-error').evaluate((node) => (node.textContent = ''));
    await screenshot(page, 'batch');
  });

  it('health: the latest system_health report and its history', async () => {
    await openPanel(page, dashboard.url, 'health');
    const reports = home.records.filter((r) => r.task === 'system_health');
    const latest = reports[reports.length - 1]!;
    expect(await page.locator('#health-status').textContent()).toBe(latest.status);
    expect(await page.locator('#health-checks tr[data-check="disk"]').textContent()).toContain((latest.checks as { disk: { summary: string } }).disk.summary);
    expect(await page.locator('#health-table tbody tr').count()).toBe(reports.length);
    await page.locator('#health-chart canvas').first().waitFor(WAIT);
    await screenshot(page, 'health');
  });

  it('run now: a task run from the page writes its record, which appears live', async () => {
    await page.goto(`${dashboard.url}#runs`);
    const rows = page.locator('#runs-table tbody tr.run');
    await rows.first().waitFor(WAIT);
    const shownBefore = await rows.count();
    await page.locator('#live').filter({ hasText: 'live' }).waitFor(WAIT);
    await page.goto(`${dashboard.url}#tasks`);
    await page.locator('#live').filter({ hasText: '● live' }).waitFor(WAIT);
    await page.click('#tasks-table button.run[data-task="hello"]');
    const entry = page.locator('#run-log li[data-task="hello"][data-state="recorded"]');
    await entry.waitFor(WAIT);
    expect(await entry.textContent()).toContain('hello from the page');
    const log = readFileSync(path.join(home.home, 'logs', 'tasks.jsonl'), 'utf8').trim().split('\n');
    const record = JSON.parse(log[log.length - 1]!) as Record<string, unknown>;
    expect(record).toMatchObject({ task: 'hello', success: true, message: 'hello from the page' });
    // The tasks table refreshes itself with the new run.
    await expect.poll(() => page.locator('#tasks-table tr[data-task="hello"] .last-run').textContent(), WAIT).toMatch(/just now|^\d+s ago$/);

    // A dry run of the failing task: its failure is shown, red.
    const dry = await runFromPage(page, 'failing', true);
    expect(await dry.textContent()).toContain('failed (dry)');
    await screenshot(page, 'run-now');

    // The runs panel, open before the runs, got both records live, on top: its count says so.
    await page.goto(`${dashboard.url}#runs`);
    await expect.poll(() => rows.count(), WAIT).toBe(shownBefore + 2);
    expect((await attributes(rows, 'data-task')).slice(0, 2)).toEqual(['failing', 'hello']);
    expect(await page.locator('#runs-note').textContent()).toMatch(new RegExp(`^${shownBefore + 2} run\\(s\\) shown`));

    // An unknown task is a clear error, not a 500.
    const refused = await page.evaluate(async () => {
      const response = await fetch('/api/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'no_such_task' }) });
      return { status: response.status, body: (await response.json()) as { code: string; error: string } };
    });
    expect(refused).toMatchObject({ status: 404, body: { code: 'dashboard.unknownTask' } });
  });

  it('alerts raised by a run appear on the open page without a reload', async () => {
    await page.goto(`${dashboard.url}#alerts`);
    await page.locator('#alerts-list tr[data-id]').first().waitFor(WAIT);
    const shown = await page.locator('#alerts-list tr[data-id]').count();
    const raised = await runCli(['alerter', 'raised while the page was open', ...home.args]);
    expect(raised.code).toBe(0);
    await page.locator('#alerts-list tr[data-id]').filter({ hasText: 'raised while the page was open' }).waitFor(WAIT);
    expect(await page.locator('#alerts-list tr[data-id]').count()).toBe(shown + 1);
  });
});
