import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeFile } from '../helpers/cli.js';
import { HAVE_CHROMIUM, launchBrowser, liveEvents, seededHome, startDashboardProcess, type Dashboard, type SeededHome } from './helpers.js';

const WAIT = { timeout: 30_000 };
const PUBLIC = 'https://runner.example.org';
const TOKEN = 'a-token-of-thirty-two-characters';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request to the dashboard as a reverse proxy (or a forger) sends it: every header as given,
 * `Host` included, which fetch() would set itself.
 */
function send(dashboard: Dashboard, method: 'GET' | 'POST', route: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const { hostname, port } = new URL(dashboard.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: hostname, port, method, path: route, headers: { host: `${hostname}:${port}`, ...headers } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const hostOf = (dashboard: Dashboard) => new URL(dashboard.url).host;
const queuedTasks = (home: SeededHome) =>
  (JSON.parse(readFileSync(path.join(home.workspace, 'batch-tasks.json'), 'utf8')) as { task: string }[]).map((entry) => entry.task);
const pendingIds = (home: SeededHome) =>
  (JSON.parse(readFileSync(path.join(home.home, 'alerts', 'pending.json'), 'utf8')) as { id: string }[]).map((alert) => alert.id);

/** The three changes the page makes (ack, batch add, run), each with `headers`; their statuses. */
async function changes(dashboard: Dashboard, home: SeededHome, headers: Record<string, string>, label: string): Promise<number[]> {
  const all = { ...JSON_TYPE, ...headers };
  const ack = await send(dashboard, 'POST', '/api/alerts/ack', all, { ids: [pendingIds(home)[0]] });
  const add = await send(dashboard, 'POST', '/api/batch', all, { task: label });
  const run = await send(dashboard, 'POST', '/api/run', all, { task: 'hello', dry_run: true });
  return [ack.status, add.status, run.status];
}

describe('changes through a TLS reverse proxy, without proxy settings', () => {
  let home: SeededHome;
  let dashboard: Dashboard;

  beforeAll(async () => {
    home = seededHome();
    dashboard = await startDashboardProcess(home.args);
  });

  afterAll(async () => {
    if (dashboard) expect(await dashboard.stop()).toBe(0);
  });

  it('stays strict: an https Origin is refused, also with a forged X-Forwarded-Proto', async () => {
    const alerts = pendingIds(home);
    const queue = queuedTasks(home);
    expect(await changes(dashboard, home, { origin: `https://${hostOf(dashboard)}` }, 'https origin')).toEqual([403, 403, 403]);
    expect(await changes(dashboard, home, { origin: `https://${hostOf(dashboard)}`, 'x-forwarded-proto': 'https' }, 'forged proto')).toEqual([403, 403, 403]);
    expect(await changes(dashboard, home, { origin: PUBLIC, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'runner.example.org' }, 'forged host')).toEqual([403, 403, 403]);
    expect(pendingIds(home)).toEqual(alerts);
    expect(queuedTasks(home)).toEqual(queue);
    // The page's own origin, reached directly, still changes things.
    const direct = await send(dashboard, 'POST', '/api/batch', { ...JSON_TYPE, origin: `http://${hostOf(dashboard)}` }, { task: 'direct' });
    expect(direct.status).toBe(200);
    expect(queuedTasks(home)).toEqual([...queue, 'direct']);
  });
});

describe('dashboard.publicOrigin', () => {
  let home: SeededHome;
  let dashboard: Dashboard;

  beforeAll(async () => {
    home = seededHome();
    writeFile(home.home, 'runner.config.json', JSON.stringify({ dashboard: { publicOrigin: 'HTTPS://Runner.Example.org:443/' } }));
    dashboard = await startDashboardProcess(home.args);
  });

  afterAll(async () => {
    if (dashboard) expect(await dashboard.stop()).toBe(0);
  });

  it('prints the public URL', () => {
    expect(dashboard.stdout()).toContain(`through the reverse proxy: ${PUBLIC}/\n`);
  });

  it('accepts ack, batch add and run from the public origin, the proxy sending its upstream Host', async () => {
    const alerts = pendingIds(home);
    const events = await liveEvents(dashboard.url);
    try {
      const run = await send(dashboard, 'POST', '/api/run', { ...JSON_TYPE, origin: PUBLIC }, { task: 'hello' });
      expect(run.status, run.body).toBe(200);
      const { id } = JSON.parse(run.body) as { id: string };
      const finished = await events.next((event) => event.type === 'run' && event.data.id === id && event.data.state === 'finished');
      expect(finished.data.code).toBe(0);
    } finally {
      events.close();
    }
    const ack = await send(dashboard, 'POST', '/api/alerts/ack', { ...JSON_TYPE, origin: PUBLIC }, { ids: [alerts[0]] });
    expect(ack.status, ack.body).toBe(200);
    expect(pendingIds(home)).toEqual(alerts.slice(1));
    const add = await send(dashboard, 'POST', '/api/batch', { ...JSON_TYPE, origin: PUBLIC }, { task: 'from the public page' });
    expect(add.status, add.body).toBe(200);
    expect(queuedTasks(home)).toContain('from the public page');
  });

  it('accepts the public Host on loopback (a proxy passing it on), and nothing else', async () => {
    const publicHost = { host: 'runner.example.org' };
    expect((await send(dashboard, 'GET', '/', publicHost)).status).toBe(200);
    const add = await send(dashboard, 'POST', '/api/batch', { ...JSON_TYPE, ...publicHost, origin: PUBLIC }, { task: 'through a Host-keeping proxy' });
    expect(add.status, add.body).toBe(200);
    // That Host's page is the public one: plain http from it is another origin.
    const plain = await send(dashboard, 'POST', '/api/batch', { ...JSON_TYPE, ...publicHost, origin: 'http://runner.example.org' }, { task: 'plain http' });
    expect(plain.status).toBe(403);
    // Another origin, and another Host (DNS rebinding), are still refused.
    const queue = queuedTasks(home);
    expect(await changes(dashboard, home, { origin: 'https://evil.example' }, 'evil')).toEqual([403, 403, 403]);
    const rebound = await send(dashboard, 'GET', '/api/tasks', { host: 'evil.example:8321' });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('is not a loopback address nor the host of dashboard.publicOrigin');
    expect(queuedTasks(home)).toEqual(queue);
  });
});

describe('dashboard.trustProxy', () => {
  let home: SeededHome;
  let dashboard: Dashboard;
  const bearer = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    home = seededHome();
    writeFile(home.home, 'runner.config.json', JSON.stringify({ dashboard: { trustProxy: true, token: TOKEN } }));
    dashboard = await startDashboardProcess(home.args);
  });

  afterAll(async () => {
    if (dashboard) expect(await dashboard.stop()).toBe(0);
  });

  it('accepts the origin X-Forwarded-Proto and X-Forwarded-Host name', async () => {
    const proxied = { ...bearer, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'runner.example.org' };
    expect(await changes(dashboard, home, { ...proxied, origin: PUBLIC }, 'forwarded host')).toEqual([200, 200, 200]);
    // Without X-Forwarded-Host, the Host the proxy sent.
    expect(await changes(dashboard, home, { ...bearer, 'x-forwarded-proto': 'https', origin: `https://${hostOf(dashboard)}` }, 'forwarded proto')).toEqual([200, 200, 200]);
    expect(queuedTasks(home)).toEqual(expect.arrayContaining(['forwarded host', 'forwarded proto']));
  });

  it('refuses an Origin other than the forwarded one, and keeps checking the real Host', async () => {
    const queue = queuedTasks(home);
    expect(await changes(dashboard, home, { ...bearer, 'x-forwarded-proto': 'https', origin: PUBLIC }, 'no forwarded host')).toEqual([403, 403, 403]);
    expect(await changes(dashboard, home, { ...bearer, 'x-forwarded-proto': 'https', origin: `http://${hostOf(dashboard)}` }, 'page was https')).toEqual([403, 403, 403]);
    expect(await changes(dashboard, home, { ...bearer, 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'evil.example', origin: PUBLIC }, 'other host')).toEqual([403, 403, 403]);
    // X-Forwarded-Host never stands in for Host: a rebinding page could send it.
    const rebound = await send(dashboard, 'GET', '/api/tasks', { ...bearer, host: 'runner.example.org', 'x-forwarded-host': '127.0.0.1' });
    expect(rebound.status).toBe(403);
    expect(queuedTasks(home)).toEqual(queue);
  });

  it('marks the token cookie Secure when the page was served over https', async () => {
    const overHttps = await send(dashboard, 'GET', `/?token=${TOKEN}`, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'runner.example.org' });
    expect(overHttps.status).toBe(303);
    expect(overHttps.headers['set-cookie']?.[0]).toMatch(/; Secure$/);
    const direct = await send(dashboard, 'GET', `/?token=${TOKEN}`, {});
    expect(direct.status).toBe(303);
    expect(direct.headers['set-cookie']?.[0]).not.toMatch(/Secure/);
  });
});

describe('bad dashboard proxy settings', () => {
  it.each([
    [{ publicOrigin: 'runner.example.org' }, 'dashboard.publicOrigin: expected an origin such as "https://runner.example.org"'],
    [{ publicOrigin: 'https://runner.example.org/dashboard' }, 'dashboard.publicOrigin: expected an origin'],
    [{ publicOrigin: 'ftp://runner.example.org' }, 'dashboard.publicOrigin: expected an origin'],
    [{ trustProxy: 'yes' }, 'dashboard.trustProxy: '],
    [{ publicorigin: PUBLIC }, 'dashboard.publicorigin'],
  ])('%j is refused at start, naming the key', async (settings, message) => {
    const home = seededHome();
    writeFile(home.home, 'runner.config.json', JSON.stringify({ dashboard: settings }));
    const result = await runCli(['dashboard', '--port', '0', ...home.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(path.join(home.home, 'runner.config.json'));
    expect(result.stderr).toContain(message);
  });
});

/** A self-signed certificate for localhost, made with openssl. */
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskrunner-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

const HAVE_OPENSSL = ['/usr/bin/openssl', '/usr/local/bin/openssl', '/bin/openssl'].some((file) => existsSync(file));

describe.skipIf(!HAVE_CHROMIUM || !HAVE_OPENSSL)('the page in Chromium through a TLS reverse proxy', () => {
  let home: SeededHome;
  let dashboard: Dashboard;
  let proxy: HttpsServer;
  let publicUrl: string;

  beforeAll(async () => {
    home = seededHome();
    // As Caddy does by default: the client's Host passed on, X-Forwarded-* set; the stream unbuffered.
    let upstream = '';
    proxy = createHttpsServer(selfSigned(), (incoming, outgoing) => {
      const target = new URL(upstream);
      const forwarded = httpRequest({
        host: target.hostname, port: target.port, method: incoming.method, path: incoming.url,
        headers: { ...incoming.headers, 'x-forwarded-proto': 'https', 'x-forwarded-host': incoming.headers.host ?? '' },
      }, (answer) => {
        outgoing.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(outgoing);
      });
      forwarded.on('error', () => outgoing.destroy());
      incoming.pipe(forwarded);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    publicUrl = `https://localhost:${(proxy.address() as AddressInfo).port}`;
    writeFile(home.home, 'runner.config.json', JSON.stringify({ dashboard: { publicOrigin: publicUrl } }));
    dashboard = await startDashboardProcess(home.args);
    upstream = dashboard.url;
  });

  afterAll(async () => {
    if (dashboard) expect(await dashboard.stop()).toBe(0);
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  });

  it('acknowledges an alert, adds to the queue and runs a task from the https page', async () => {
    const browser = await launchBrowser({ ignoreHTTPSErrors: true });
    try {
      const page = await browser.newPage();
      const changeStatuses: number[] = [];
      page.on('response', (response) => {
        if (response.request().method() === 'POST') changeStatuses.push(response.status());
      });
      await page.goto(`${publicUrl}/#alerts`);
      await page.locator('#live').filter({ hasText: '● live' }).waitFor(WAIT);
      const [first, ...rest] = pendingIds(home);
      await page.click(`button.ack[data-id="${first}"]`);
      await page.locator(`#alerts-list tr[data-id="${first}"]`).waitFor({ state: 'detached', ...WAIT });
      expect(pendingIds(home)).toEqual(rest);

      await page.goto(`${publicUrl}/#batch`);
      await page.fill('#batch-form input[name="task"]', 'added through the proxy');
      await page.click('#batch-form button[type="submit"]');
      await page.locator('#batch-table tr').filter({ hasText: 'added through the proxy' }).waitFor(WAIT);
      expect(queuedTasks(home)).toContain('added through the proxy');

      await page.goto(`${publicUrl}/#tasks`);
      await page.locator('#live').filter({ hasText: '● live' }).waitFor(WAIT);
      await page.click('#tasks-table button.run[data-task="hello"]');
      await page.locator('#run-log li[data-task="hello"][data-state="recorded"]').waitFor(WAIT);
      expect(changeStatuses).toEqual([200, 200, 200]);
    } finally {
      await browser.close();
    }
  });
});
