import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { clockIn, HAVE_CHROMIUM, launchBrowser, minutesAgo, seededHome, startDashboardProcess, type Dashboard, type SeededHome } from './helpers.js';
import { openPanel, WAIT, type PanelName } from './panel-views.js';
import { screenshot } from './screenshots.js';

/** The browser's zone; every time on the page is shown in it, with its name. */
const ZONE = 'Europe/Berlin';

/** What the page says in a panel's `td.moment`: `5h ago 2026-11-23 18:13:40 GMT+1`. */
const MOMENT = /^(\d+[smhd] ago|just now) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+)$/;

describe.skipIf(!HAVE_CHROMIUM)('the dashboard agrees with its data', () => {
  let home: SeededHome;
  let dashboard: Dashboard;
  let browser: BrowserContext;
  let page: Page;
  /** Console errors, uncaught page errors and failed requests of every page of the browser. */
  const problems: string[] = [];

  beforeAll(async () => {
    home = seededHome();
    // After the seeded reports: the operator trying system_health as a dry run (its checks found the
    // disk critical), and a cron start that found it already running. Neither is a report.
    const extra = [
      { task: 'system_health', dry_run: true, timestamp: minutesAgo(3), success: true, message: 'critical: disk 97%', status: 'critical', checks: { disk: { status: 'critical', summary: '/ is 97% used' } }, duration_seconds: 0.2, run_id: 'dry1', attempts: 1 },
      { task: 'system_health', dry_run: false, timestamp: minutesAgo(2), success: false, error: 'Task is already running (locked)', locked: true, scheduled: true },
    ];
    appendFileSync(path.join(home.home, 'logs', 'tasks.jsonl'), extra.map((record) => `${JSON.stringify(record)}\n`).join(''));
    home.records.push(...extra);
    dashboard = await startDashboardProcess(home.args);
    browser = await launchBrowser({ timezoneId: ZONE });
    browser.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    browser.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
    browser.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    if (dashboard) expect(await dashboard.stop()).toBe(0);
  });

  it('loads every panel without a console error, its icon included', async () => {
    for (const panel of ['tasks', 'runs', 'alerts', 'batch', 'health'] as PanelName[]) {
      // A new document each time: each load asks for the page's files and its icon again.
      await page.goto('about:blank');
      await openPanel(page, dashboard.url, panel);
    }
    expect(problems).toEqual([]);
    const icon = await page.evaluate(async () => {
      const link = (globalThis as unknown as { document: { querySelector(s: string): { href: string } | null } }).document.querySelector('link[rel="icon"]');
      const answers = await Promise.all(['/favicon.ico', link?.href ?? '/no-icon-link'].map(async (url) => {
        const response = await fetch(url);
        return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
      }));
      return answers;
    });
    for (const answer of icon) {
      expect(answer).toMatchObject({ status: 200, type: 'image/svg+xml' });
      expect(answer.body).toMatch(/^<svg /);
    }
  });

  it('refuses a batch entry that runs an unknown task, as Run now refuses the task, and writes nothing', async () => {
    await openPanel(page, dashboard.url, 'batch');
    const listed = () => runCli(['batch', 'list', '--json', ...home.args]).then((result) => JSON.parse(result.stdout) as { id: string }[]);
    const before = await listed();
    await page.fill('#batch-form input[name="task"]', 'Run a task that is not there');
    await page.fill('#batch-form input[name="run"]', 'no_such_task');
    await page.click('#batch-form button[type="submit"]');
    const error = page.locator('#batch-error').filter({ hasText: 'no_such_task' });
    await error.waitFor(WAIT);
    await screenshot(page, 'batch-unknown-task');
    const runNow = await page.evaluate(async () => {
      const response = await fetch('/api/run', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'no_such_task' }) });
      return { status: response.status, body: (await response.json()) as { code: string; error: string } };
    });
    expect(runNow).toMatchObject({ status: 404, body: { code: 'dashboard.unknownTask' } });
    expect(await error.textContent()).toBe(`${runNow.body.error} [dashboard.unknownTask]`);
    expect(await listed()).toEqual(before);

    // A task that is there is queued.
    await page.fill('#batch-form input[name="run"]', 'hello');
    await page.click('#batch-form button[type="submit"]');
    await page.locator('#batch-added').filter({ hasText: /^added / }).waitFor(WAIT);
    expect(await listed()).toHaveLength(before.length + 1);
  });

  it('plots and lists only real system_health reports: no dry run, no locked start', async () => {
    await openPanel(page, dashboard.url, 'health');
    await page.locator('#health-chart canvas').first().waitFor(WAIT);
    const reports = home.records.filter((r) => r.task === 'system_health' && r.dry_run !== true && r.locked !== true);
    expect(reports).toHaveLength(3);
    expect(await page.locator('#health-status').textContent()).toBe(reports.at(-1)!.status);
    expect(await page.locator('#health-table tbody tr').count()).toBe(reports.length);
    expect(await page.locator('#health-chart').getAttribute('data-points')).toBe(String(reports.length));
    expect(await page.locator('#health-table').textContent()).not.toMatch(/critical|locked/);
    await screenshot(page, 'health-real-reports');
  });

  it("shows every time in the browser's zone, with the zone's name, alike on every panel", async () => {
    const expectMoments = async (selector: string, timestamps: string[]) => {
      const texts = await page.locator(selector).allTextContents();
      expect(texts.map((text) => MOMENT.exec(text)?.[2])).toEqual(timestamps.map((at) => clockIn(Date.parse(at), ZONE)));
    };
    await openPanel(page, dashboard.url, 'alerts');
    const byLevel = ['critical', 'error', 'warning', 'info'].flatMap((level) => home.alerts.filter((alert) => alert.level === level));
    await expectMoments('#alerts-list td.moment', byLevel.map((alert) => alert.timestamp));
    await screenshot(page, 'alerts-zone');

    await openPanel(page, dashboard.url, 'health');
    const reports = home.records.filter((r) => r.task === 'system_health' && r.dry_run !== true && r.locked !== true).reverse();
    await expectMoments('#health-table td.moment', reports.map((r) => String(r.timestamp)));
    expect(await page.locator('#health-latest .ago').getAttribute('title')).toBe(clockIn(Date.parse(String(reports[0]!.timestamp)), ZONE));

    await openPanel(page, dashboard.url, 'runs');
    const newest = [...home.records].sort((a, b) => Date.parse(String(b.timestamp)) - Date.parse(String(a.timestamp)))[0]!;
    expect(MOMENT.exec((await page.locator('#runs-table td.moment').first().textContent())!)?.[2]).toBe(clockIn(Date.parse(String(newest.timestamp)), ZONE));
    // The range's end is typed in local time: the form names the zone.
    expect(await page.locator('#runs-until-zone').textContent()).toBe(`(${clockIn(Date.now(), ZONE).split(' ')[2]})`);

    await openPanel(page, dashboard.url, 'batch');
    // The diary's headings are UTC (`17:52Z`): shown in the browser's zone too.
    expect(await page.locator('#diary .block[data-block="1136"] .head .dim').textContent()).toBe(`${clockIn(Date.parse('2026-02-03T17:52Z'), ZONE)} — `);

    await openPanel(page, dashboard.url, 'tasks');
    const hello = home.records.filter((r) => r.task === 'hello').at(-1)!;
    expect(await page.locator('#tasks-table tr[data-task="hello"] .last-run .ago').getAttribute('title')).toBe(clockIn(Date.parse(String(hello.timestamp)), ZONE));
    const next = await page.locator('#tasks-table tr[data-task="hello"] .until').getAttribute('title');
    expect(next).toMatch(/^\d{4}-\d\d-\d\d \d\d:00:00 GMT\+[12]$/);
  });
});
