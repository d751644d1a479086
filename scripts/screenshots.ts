// `npm run screenshots`: the pictures of the dashboard in docs/dashboard.md, docs/screenshots/*.png,
// taken in headless Chromium from a demo home (test/dashboard/demo-home.ts) with the dashboard
// tests' own helpers. Run by vitest (vitest.screenshots.config.ts), which runs the TypeScript
// helpers as the tests do; the test suite itself never writes into docs/.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../test/helpers/cli.js';
import { demoHome } from '../test/dashboard/demo-home.js';
import { CHROMIUM, HAVE_CHROMIUM, launchBrowser, startDashboardProcess } from '../test/dashboard/helpers.js';
import { filterRuns, openPanel, runFromPage, WAIT } from '../test/dashboard/panel-views.js';
import { screenshot } from '../test/dashboard/screenshots.js';

const DIR = path.join(REPO_ROOT, 'docs', 'screenshots');

it('takes the screenshots of the dashboard for docs/dashboard.md', async () => {
  expect(HAVE_CHROMIUM, `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`).toBe(true);
  const home = demoHome();
  const dashboard = await startDashboardProcess(home.args);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const taken: string[] = [];
    const shoot = async (name: string) => taken.push(await screenshot(page, name, DIR));

    await openPanel(page, dashboard.url, 'tasks');
    await shoot('tasks');

    await openPanel(page, dashboard.url, 'runs');
    await filterRuns(page, { task: 'backup_workspace' });
    await page.locator('#runs-table tbody tr.run').first().click();
    await shoot('runs');

    await openPanel(page, dashboard.url, 'alerts');
    await shoot('alerts');

    await openPanel(page, dashboard.url, 'batch');
    await shoot('batch');

    await openPanel(page, dashboard.url, 'health');
    await page.locator('#health-chart canvas').first().waitFor(WAIT);
    await shoot('health');

    await openPanel(page, dashboard.url, 'tasks');
    await runFromPage(page, 'disk_report');
    await runFromPage(page, 'backup_workspace', true);
    await shoot('run-now');

    console.log(`screenshots: ${taken.map((file) => path.relative(REPO_ROOT, file)).join(', ')}`);
  } finally {
    await browser.close();
    await dashboard.stop();
    rmSync(home.home, { recursive: true, force: true });
  }
});
