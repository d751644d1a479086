import type { Locator, Page } from 'playwright-core';

/** How long the page gets to show something (a slow machine, a cold cache). */
export const WAIT = { timeout: 30_000 };

/** The dashboard's panels, by their tab. */
export type PanelName = 'tasks' | 'runs' | 'alerts' | 'batch' | 'health';

/** What shows that a panel has its data. */
const READY: Record<PanelName, string> = {
  tasks: '#tasks-table tbody tr td.chart canvas',
  runs: '#runs-table tbody tr.run',
  alerts: '#alerts-list tr[data-id]',
  batch: '#batch-table tr[data-id]',
  health: '#health-status',
};

/** Open a panel of the dashboard at `url` and wait for its data. */
export async function openPanel(page: Page, url: string, panel: PanelName): Promise<void> {
  await page.goto(`${url}#${panel}`);
  await page.locator(READY[panel]).first().waitFor(WAIT);
}

/** Apply the runs panel's filter as an operator would, and wait for the page it asked for. */
export async function filterRuns(page: Page, filter: { task?: string; failedOnly?: boolean; since?: string }): Promise<void> {
  await page.selectOption('#runs-task', filter.task ?? '');
  await page.setChecked('#runs-failed', filter.failedOnly === true);
  await page.selectOption('#runs-since', filter.since ?? '');
  await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === '/api/runs'),
    page.click('#runs-filter button[type="submit"]'),
  ]);
}

/**
 * Run a task with the tasks panel's "run now" form (`dry` ticks "dry run"), and wait until its
 * record is shown in the panel's run log; resolves to that entry.
 */
export async function runFromPage(page: Page, task: string, dry = false): Promise<Locator> {
  const recorded = page.locator(`#run-log li[data-task="${task}"][data-state="recorded"]`);
  const before = await recorded.count();
  // The record reaches the page on the live stream: it must be open before the run ends.
  await page.locator('#live').filter({ hasText: '● live' }).waitFor(WAIT);
  await page.selectOption('#run-task', task);
  await page.setChecked('#run-dry', dry);
  await page.click('#run-form button[type="submit"]');
  await waitForCount(recorded, before + 1);
  await page.setChecked('#run-dry', false);
  // Entries are listed newest first.
  return recorded.first();
}

async function waitForCount(locator: Locator, count: number): Promise<void> {
  await locator.nth(count - 1).waitFor(WAIT);
}
