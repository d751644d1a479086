import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, writeFile } from '../helpers/cli.js';
import { HAVE_CHROMIUM, launchBrowser, startDashboardProcess, type Dashboard, type PageDocument } from './helpers.js';

const WAIT = { timeout: 30_000 };

describe('a dashboard beyond loopback needs its token', () => {
  const { home, workspace } = makeHome('taskrunner-dashboard-token-');
  const queueFile = path.join(workspace, 'batch-tasks.json');
  let dashboard: Dashboard;

  beforeAll(async () => {
    writeFile(workspace, 'batch-tasks.json', '[]\n');
    // Every address: reached here through 127.0.0.1, but not a loopback-only server.
    dashboard = await startDashboardProcess(['--host', '0.0.0.0', '--home', home, '--workspace', workspace]);
  });

  afterAll(async () => {
    if (dashboard) expect(await dashboard.stop()).toBe(0);
  });

  const local = (route: string) => `${dashboard.url.replace('0.0.0.0', '127.0.0.1')}${route.replace(/^\//, '')}`;

  it('prints a fresh token in its URL', () => {
    expect(dashboard.token).toMatch(/^[\w-]{32}$/);
    expect(dashboard.stdout()).toContain('every request needs the token');
  });

  it('refuses every request without the token, pages and API alike', async () => {
    for (const route of ['/', '/assets/app.js', '/api/tasks', '/api/alerts', '/api/events']) {
      const response = await fetch(local(route));
      expect(response.status, route).toBe(401);
      expect(((await response.json()) as { code: string }).code).toBe('dashboard.unauthorized');
    }
    const wrong = await fetch(local('/api/tasks'), { headers: { authorization: 'Bearer not-the-token-at-all-not-it-no' } });
    expect(wrong.status).toBe(401);
    const post = await fetch(local('/api/batch'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'sneaky' }) });
    expect(post.status).toBe(401);
    expect(readFileSync(queueFile, 'utf8')).toBe('[]\n');
  });

  it('answers with the token: Bearer, or the cookie a ?token= visit sets', async () => {
    const bearer = await fetch(local('/api/alerts'), { headers: { authorization: `Bearer ${dashboard.token}` } });
    expect(bearer.status).toBe(200);
    const visit = await fetch(local(`/?token=${dashboard.token}`), { redirect: 'manual' });
    expect(visit.status).toBe(303);
    expect(visit.headers.get('location')).toBe('/');
    const cookie = visit.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(local('/'), { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('runner dashboard');
  });

  it('refuses a cross-origin POST even with the token, and a change by GET', async () => {
    const headers = { authorization: `Bearer ${dashboard.token}`, 'content-type': 'application/json' };
    const crossOrigin = await fetch(local('/api/batch'), { method: 'POST', headers: { ...headers, origin: 'http://evil.example' }, body: JSON.stringify({ task: 'sneaky' }) });
    expect(crossOrigin.status).toBe(403);
    expect(((await crossOrigin.json()) as { code: string }).code).toBe('dashboard.forbidden');
    const form = await fetch(local('/api/batch'), { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: 'task=sneaky' });
    expect(form.status).toBe(415);
    const byGet = await fetch(local('/api/alerts/ack?all=1'), { headers });
    expect(byGet.status).toBe(405);
    expect(readFileSync(queueFile, 'utf8')).toBe('[]\n');
    const sameOrigin = await fetch(local('/api/batch'), { method: 'POST', headers, body: JSON.stringify({ task: 'by a script with the token' }) });
    expect(sameOrigin.status).toBe(200);
    expect(JSON.parse(readFileSync(queueFile, 'utf8'))).toEqual([expect.objectContaining({ task: 'by a script with the token' })]);
  });

  describe.skipIf(!HAVE_CHROMIUM)('in a browser', () => {
    let evil: Server;
    beforeAll(async () => {
      // A page of another origin that posts a form to the dashboard (no preflight for a form).
      evil = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(`<form id="f" method="POST" action="${local('/api/batch')}" enctype="text/plain"><input name='{"task":"csrf","x":"' value='"}'></form>
          <script>fetch(${JSON.stringify(local('/api/batch'))}, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{"task":"csrf by fetch"}' }).then((r) => document.title = 'fetch ' + r.status, (e) => document.title = 'fetch refused');</script>`);
      });
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => evil.close(() => resolve())));

    it('opens with ?token=, then a page of another origin cannot change anything', async () => {
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        await page.goto(local(`/?token=${dashboard.token}#tasks`));
        expect(new URL(page.url()).search).toBe('');
        await page.locator('#tasks-table tr[data-task="system_health"]').waitFor(WAIT);
        const before = readFileSync(queueFile, 'utf8');

        const other = await browser.newPage();
        await other.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
        await expect.poll(() => other.title(), WAIT).toMatch(/^fetch /);
        expect(await other.title()).not.toBe('fetch 200');
        const answer = other.waitForResponse((response) => response.url().endsWith('/api/batch'));
        await other.evaluate(() => (globalThis as unknown as { document: PageDocument }).document.querySelector('#f')!.submit());
        expect([401, 403, 415]).toContain((await answer).status());
        expect(readFileSync(queueFile, 'utf8')).toBe(before);
      } finally {
        await browser.close();
      }
    });
  });
});
