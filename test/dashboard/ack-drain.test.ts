import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeHome, REPO_ROOT, runCli } from '../helpers/cli.js';
import { HAVE_CHROMIUM, launchBrowser, startDashboardProcess, type Dashboard, type PageDocument } from './helpers.js';

const COUNT = 60;
const WAIT = { timeout: 30_000 };

describe.skipIf(!HAVE_CHROMIUM)('acknowledging alerts in the page while `runner alerts --drain` runs', () => {
  let dashboard: Dashboard;
  let browser: BrowserContext;
  const { home, workspace } = makeHome('taskrunner-dashboard-ack-');
  const args = ['--home', home, '--workspace', workspace];

  beforeAll(async () => {
    dashboard = await startDashboardProcess(args);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    if (dashboard) expect(await dashboard.stop()).toBe(0);
  });

  it('loses none and hands none out twice: acked + drained = raised', async () => {
    const page = await browser.newPage();
    const answers: Promise<{ acknowledged: string[]; missing: string[] }>[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/api/alerts/ack')) answers.push(response.json() as Promise<{ acknowledged: string[]; missing: string[] }>);
    });
    await page.goto(`${dashboard.url}#alerts`);
    await page.locator('#no-alerts').waitFor(WAIT);
    await page.locator('#live').filter({ hasText: '● live' }).waitFor(WAIT);

    // Another process raises alerts through the store, as tasks do, a few ms apart.
    const writer = spawn(process.execPath, ['--input-type=module', '-e', `
      const { AlertStore } = await import(${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'dist', 'index.mjs')).href)});
      const store = AlertStore.forHome(${JSON.stringify(home)});
      const ids = [];
      for (let i = 0; i < ${COUNT}; i++) {
        ids.push((await store.append({ task: 'racer', level: ['info', 'warning', 'error', 'critical'][i % 4], message: 'alert ' + i })).id);
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      process.stdout.write(JSON.stringify(ids));
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    let written = '';
    writer.stdout.on('data', (chunk: Buffer) => (written += chunk.toString()));
    let writing = true;
    const raisedIds = new Promise<string[]>((resolve) => writer.on('close', () => {
      writing = false;
      resolve(JSON.parse(written || '[]') as string[]);
    }));

    // Drains from other processes, back to back, while alerts come in and the page acknowledges.
    const drained: string[] = [];
    let racing = true;
    const drains = (async () => {
      let rounds = 0;
      do {
        const result = await runCli(['alerts', '--drain', '--json', ...args]);
        expect(result.code).toBe(0);
        drained.push(...(JSON.parse(result.stdout) as { id: string }[]).map((alert) => alert.id));
        rounds += 1;
        // As a heartbeat polls: often, not continuously, so the page gets its share.
        await new Promise((resolve) => setTimeout(resolve, 100));
      } while (racing);
      return rounds;
    })();

    // The page acknowledges every alert as it shows up, clicking its button (the list refreshes live).
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await page.evaluate(() => {
        const { document } = globalThis as unknown as { document: PageDocument };
        for (const button of document.querySelectorAll('button.ack:not([data-clicked])')) {
          button.setAttribute('data-clicked', '1');
          button.click();
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (!writing && (await page.locator('button.ack').count()) === 0) break;
    }
    const raised = await raisedIds;
    expect(raised).toHaveLength(COUNT);
    racing = false;
    const rounds = await drains;
    await page.waitForLoadState('networkidle');
    const outcomes = await Promise.all(answers);
    const acked = outcomes.flatMap((outcome) => outcome.acknowledged);
    const refused = outcomes.flatMap((outcome) => outcome.missing);
    const ids = raised;
    const rest = JSON.parse((await runCli(['alerts', '--drain', '--json', ...args])).stdout) as { id: string }[];
    drained.push(...rest.map((alert) => alert.id));

    const handedOut = [...acked, ...drained];
    expect(new Set(handedOut).size).toBe(handedOut.length);
    expect(new Set(handedOut)).toEqual(new Set(ids));
    // Whatever the page could not acknowledge had been drained, or acknowledged by an earlier click.
    for (const id of refused) expect(handedOut).toContain(id);
    expect(acked.length).toBeGreaterThan(0);
    expect(JSON.parse((await runCli(['alerts', '--json', ...args])).stdout)).toEqual([]);
    await page.locator('#no-alerts').waitFor(WAIT);
    console.log(`ack/drain race: ${acked.length} acknowledged in the page, ${drained.length} drained in ${rounds} drain(s)`);
    await page.close();
  });
});
