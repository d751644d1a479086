// `runner dashboard` on a home with a 1,000,000-line run log and 300 tasks (300 task files, and
// records of all of them; see history-log.mjs): time to the printed URL (server ready), time to the
// first byte of the page and of the tasks API (cold: discovery and the log scan), time to a
// rendered tasks panel and runs panel in headless Chromium, and the server's RSS after that. Baselines: a bare
// node:http server (ready, first byte) and `runner status --json` on the same home. Medians of
// DASHBOARD_BENCH_RUNS fresh servers (default 5). Run alone with `node bench/dashboard.bench.mjs`
// after `npm run build`; DASHBOARD_BENCH_LINES and DASHBOARD_BENCH_TASKS change the home.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeRunLog } from './history-log.mjs';
import { CLI, median, printTable } from './lib.mjs';

const LINES = Number(process.env.DASHBOARD_BENCH_LINES ?? 1_000_000);
const TASK_COUNT = Number(process.env.DASHBOARD_BENCH_TASKS ?? 300);
const RUNS = Number(process.env.DASHBOARD_BENCH_RUNS ?? 5);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (!existsSync(CLI)) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(1);
}

const home = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-dashboard-'));
const workspace = path.join(home, 'workspace');
mkdirSync(workspace);
mkdirSync(path.join(home, 'tasks'));
const env = { ...process.env, RUNNER_HOME: '', OPENCLAW_WORKSPACE: '', NO_COLOR: '1' };

const names = Array.from({ length: TASK_COUNT }, (_, i) => `task_${String(i).padStart(3, '0')}`);
for (const name of names) {
  writeFileSync(
    path.join(home, 'tasks', `${name}.mjs`),
    `import { Task } from 'taskrunner';\nexport default class T extends Task {\n  name = '${name}';\n  description = 'Benchmark task ${name}';\n  async run() { return { success: true }; }\n}\n`,
    { mode: 0o644 },
  );
}

/** Start a server process; resolve when it prints its URL: { child, url, readyMs }. */
function startServer(command, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /(http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1], readyMs: performance.now() - started });
    });
    child.on('close', (code) => reject(new Error(`server exited ${code}: ${out}\n${err}`)));
  });
}

/** Time to the first byte of a GET, and to its end (ms). */
function timeGet(url) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, (response) => {
      let first;
      response.once('data', () => (first = performance.now() - started));
      response.on('end', () => resolve({ ttfb: first ?? performance.now() - started, total: performance.now() - started, status: response.statusCode }));
      response.resume();
    });
    req.on('error', reject);
    req.end();
  });
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function stop(child) {
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGTERM');
  return closed;
}

const BARE = "require('node:http').createServer((q, s) => s.end('<!doctype html><p>hi')).listen(0, '127.0.0.1', function () { console.log('http://127.0.0.1:' + this.address().port + '/'); })";

let browser;
try {
  const generated = performance.now();
  writeRunLog(home, LINES, names);
  console.log(`wrote ${LINES} lines of ${TASK_COUNT} tasks in ${((performance.now() - generated) / 1000).toFixed(1)} s`);
  const where = ['--home', home, '--workspace', workspace];

  if (existsSync(CHROMIUM)) {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } else {
    console.log(`no Chromium at ${CHROMIUM}: the rendered-panel column is left out`);
  }

  const rows = { bareReady: [], bareTtfb: [], ready: [], pageTtfb: [], apiTtfb: [], apiWarm: [], runs: [], rareFailed: [], rendered: [], runsRendered: [], rss: [], status: [], logs: [] };
  // One untimed round first: page cache, V8 code cache, compiled task modules.
  for (let round = -1; round < RUNS; round++) {
    const timed = round >= 0;
    const bare = await startServer(process.execPath, ['-e', BARE]);
    const bareGet = await timeGet(bare.url);
    await stop(bare.child);

    const server = await startServer(process.execPath, [CLI, 'dashboard', '--port', '0', ...where]);
    const page = await timeGet(server.url);
    const api = await timeGet(`${server.url}api/tasks`);
    const warm = await timeGet(`${server.url}api/tasks`);
    const runsPage = await timeGet(`${server.url}api/runs?limit=100`);
    const failedPage = await timeGet(`${server.url}api/runs?limit=100&failed=1&task=${names[TASK_COUNT - 1]}`);
    if (api.status !== 200) throw new Error(`/api/tasks answered ${api.status}`);
    await stop(server.child);

    // A fresh server for the browser: the panel is timed from a cold start of its data too.
    const viewed = await startServer(process.execPath, [CLI, 'dashboard', '--port', '0', ...where]);
    let rendered = NaN;
    let runsRendered = NaN;
    if (browser) {
      const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const started = performance.now();
      await tab.goto(`${viewed.url}#tasks`);
      // Checked on every frame (a locator's wait polls more coarsely and would add its own delay).
      await tab.waitForFunction(
        (count) => globalThis.document.querySelectorAll('#tasks-table tbody tr').length >= count && globalThis.document.querySelector('#tasks-table td.chart canvas') !== null,
        TASK_COUNT,
        { polling: 'raf', timeout: 120_000 },
      );
      rendered = performance.now() - started;
      // The runs panel of the same page: its first screen of the big history.
      const runsStarted = performance.now();
      await tab.goto(`${viewed.url}#runs`);
      await tab.waitForFunction(() => globalThis.document.querySelectorAll('#runs-table tbody tr.run').length >= 100, undefined, { polling: 'raf', timeout: 120_000 });
      runsRendered = performance.now() - runsStarted;
      await tab.close();
    } else {
      await timeGet(`${viewed.url}api/tasks`);
    }
    const rss = rssMiB(viewed.child.pid);
    await stop(viewed.child);

    const statusStarted = performance.now();
    const status = spawnSync(process.execPath, [CLI, 'status', '--json', ...where], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const statusMs = performance.now() - statusStarted;
    if (status.status !== 0) throw new Error(`runner status exited ${status.status}: ${status.stderr}`);

    const logsStarted = performance.now();
    const logs = spawnSync(process.execPath, [CLI, 'logs', '--json', '--limit', '100', ...where], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const logsMs = performance.now() - logsStarted;
    if (logs.status !== 0) throw new Error(`runner logs exited ${logs.status}: ${logs.stderr}`);

    if (!timed) continue;
    rows.runs.push(runsPage.total);
    rows.rareFailed.push(failedPage.total);
    rows.logs.push(logsMs);
    rows.bareReady.push(bare.readyMs);
    rows.bareTtfb.push(bareGet.ttfb);
    rows.ready.push(server.readyMs);
    rows.pageTtfb.push(page.ttfb);
    rows.apiTtfb.push(api.ttfb);
    rows.apiWarm.push(warm.ttfb);
    rows.rendered.push(rendered);
    rows.runsRendered.push(runsRendered);
    rows.rss.push(rss);
    rows.status.push(statusMs);
  }

  printTable(
    `runner dashboard on a ${LINES}-line log, ${TASK_COUNT} tasks; median of ${RUNS} fresh servers`,
    ['measure', 'runner dashboard', 'baseline', 'baseline is'],
    [
      ['start to URL printed (ms)', median(rows.ready), median(rows.bareReady), 'bare node:http server'],
      ['first byte of the page (ms)', median(rows.pageTtfb), median(rows.bareTtfb), 'bare node:http server'],
      ['first byte of /api/tasks, cold (ms)', median(rows.apiTtfb), median(rows.status), 'runner status --json (whole process)'],
      ['first byte of /api/tasks, again (ms)', median(rows.apiWarm), median(rows.status), 'runner status --json (whole process)'],
      ['/api/runs, newest 100 (ms, whole answer)', median(rows.runs), median(rows.logs), 'runner logs --json --limit 100 (whole process)'],
      ['/api/runs, failed runs of the rarest task (ms)', median(rows.rareFailed), NaN, '-'],
      ['goto to rendered tasks panel (ms)', median(rows.rendered), NaN, '-'],
      ['goto to rendered runs panel, 100 rows (ms)', median(rows.runsRendered), NaN, '-'],
      ['server RSS after the panels (MiB)', median(rows.rss), NaN, '-'],
    ],
    1,
  );
} finally {
  await browser?.close();
  rmSync(home, { recursive: true, force: true });
}
