// The dashboard page: plain ES module, no build step. Everything read from the server is put in the
// page as text (textContent), never as HTML.

const RESULT_CLASS = { ok: 'green', failed: 'red', locked: 'yellow', 'timed out': 'red', cancelled: 'yellow' };
const HEALTH_CLASS = { healthy: 'green', skipped: 'dim', unknown: 'dim', warning: 'yellow', degraded: 'yellow', unhealthy: 'red', critical: 'red' };
const HEALTH_RANK = { healthy: 0, skipped: 0, unknown: 1, warning: 2, degraded: 2, unhealthy: 3, critical: 4 };
const LEVELS = ['critical', 'error', 'warning', 'info'];
const LEVEL_CLASS = { critical: 'red', error: 'red', warning: 'yellow', info: 'dim' };
const PAGE = 100;

const state = {
  panel: 'tasks',
  tasks: undefined,
  runs: { records: [], offset: 0, more: false, skipped: 0, filter: {} },
  alerts: [],
  runsStarted: new Map(),
  loaded: new Set(),
};

// ---------- small helpers ----------

/** An element with attributes (`class`, `data-*`, properties) and children (nodes or text). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-') || key === 'title' || key === 'type' || key === 'colspan') node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const $ = (selector) => document.querySelector(selector);

class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

async function api(path, body) {
  const init = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  let response;
  try {
    response = await fetch(path, { ...init, credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError(`the dashboard server did not answer (${error.message})`, 'dashboard.unreachable', 0);
  }
  const text = await response.text();
  let value;
  try {
    value = text === '' ? {} : JSON.parse(text);
  } catch {
    value = { error: text.slice(0, 300) };
  }
  if (!response.ok) throw new ApiError(value.error ?? `HTTP ${response.status}`, value.code ?? `http.${response.status}`, response.status);
  return value;
}

function showError(error, where) {
  const text = error instanceof ApiError ? `${error.message} [${error.code}]` : String(error?.message ?? error);
  const target = where ? $(where) : $('#error');
  target.textContent = text;
  if (!where) target.hidden = false;
}

function clearError(where) {
  const target = where ? $(where) : $('#error');
  target.textContent = '';
  if (!where) target.hidden = true;
}

function ago(ms) {
  const diff = Date.now() - ms;
  if (!Number.isFinite(diff)) return '-';
  if (diff < 1000) return 'just now';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]]) {
    if (diff >= size) return `${Math.floor(diff / size)}${unit} ago`;
  }
  return 'just now';
}

/** How long until `ms`: `in 12m`, or `now` once it is due. */
function until(ms) {
  const diff = ms - Date.now();
  if (!Number.isFinite(diff)) return '-';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]]) {
    if (diff >= size) return `in ${Math.floor(diff / size)}${unit}`;
  }
  return 'now';
}

function timeOf(text) {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

const ZONE_NAME = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' });

/** The name of the browser's time zone at `ms` (`UTC`, `CET`, `GMT+1`, `EDT`: summer time included). */
function zoneOf(ms) {
  return ZONE_NAME.formatToParts(new Date(ms)).find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/**
 * A moment as the page shows it everywhere: the browser's local time with its zone,
 * `2026-11-23 18:13:40 CET`, whatever offset the record was written with.
 */
function clock(ms) {
  const date = new Date(ms);
  const two = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ${zoneOf(ms)}`.trim();
}

/** {@link clock} of a timestamp's text; the text as it is when it cannot be read. */
function clockOf(text) {
  const ms = timeOf(text);
  return ms === undefined ? String(text ?? '') : clock(ms);
}

/** A relative time that keeps itself current (see the ticker below); the moment itself on hover. */
function agoCell(text) {
  const ms = timeOf(text);
  return el('span', { class: 'ago', title: clockOf(text), 'data-at': ms ?? '' }, ms === undefined ? String(text ?? '-') : ago(ms));
}

/** A table's time column: how long ago, then the moment with its zone. */
function momentCell(text) {
  return el('td', { class: 'moment' }, agoCell(text), timeOf(text) === undefined ? null : el('span', { class: 'dim clock' }, ` ${clockOf(text)}`));
}

function seconds(value) {
  return typeof value === 'number' ? `${value}s` : '-';
}

function resultOf(record) {
  if (record.success === true) return 'ok';
  if (record.locked === true) return 'locked';
  if (record.timed_out === true || record.error_type === 'timed_out') return 'timed out';
  if (record.cancelled === true || record.error_type === 'cancelled') return 'cancelled';
  return 'failed';
}

function resultCell(result, dry) {
  return el('span', { class: `result ${RESULT_CLASS[result] ?? ''}` }, result, dry ? el('span', { class: 'dim' }, ' (dry)') : null);
}

function oneLine(text, max = 120) {
  const line = String(text ?? '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function setCount(id, value, tone) {
  const node = $(id);
  node.textContent = value ? String(value) : '';
  node.className = `count ${tone ?? ''}`;
}

// ---------- navigation ----------

function showPanel(name) {
  if (!document.querySelector(`[data-panel="${name}"]`)) name = 'tasks';
  state.panel = name;
  for (const panel of document.querySelectorAll('[data-panel]')) panel.hidden = panel.dataset.panel !== name;
  for (const tab of document.querySelectorAll('[data-tab]')) tab.classList.toggle('active', tab.dataset.tab === name);
  if (!state.loaded.has(name)) {
    state.loaded.add(name);
    void LOADERS[name]();
  }
}

// ---------- tasks ----------

let chartObserver;

function sparkline(cell) {
  const recent = cell.recent;
  if (!recent || recent.t.length === 0 || typeof uPlot === 'undefined') {
    cell.textContent = recent && recent.t.length === 0 ? '' : '…';
    return;
  }
  const xs = recent.t.map((t) => t / 1000);
  const durations = recent.d.map((d) => (d === null ? null : d));
  const failures = recent.d.map((d, i) => (recent.ok[i] ? null : (d ?? 0)));
  const options = {
    width: 180,
    height: 32,
    legend: { show: false },
    cursor: { show: false },
    select: { show: false },
    axes: [{ show: false }, { show: false }],
    padding: [4, 4, 2, 4],
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max ?? 1, 0.001) * 1.15] } },
    series: [
      {},
      { stroke: '#4ec27a', width: 1, points: { show: xs.length <= 2, size: 4 }, spanGaps: true },
      { stroke: '#f0605a', width: 0, paths: () => null, points: { show: true, size: 5, fill: '#f0605a', stroke: '#f0605a' } },
    ],
  };
  cell.textContent = '';
  // A chart is drawn once; a fresh table replaces it.
  new uPlot(options, [xs, durations, failures], cell);
}

function observeCharts(table) {
  chartObserver?.disconnect();
  // Only rows on screen get their chart: the first screen of hundreds of tasks stays fast.
  chartObserver = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      chartObserver.unobserve(entry.target);
      sparkline(entry.target);
    }
  }, { rootMargin: '200px' });
  for (const cell of table.querySelectorAll('td.chart')) chartObserver.observe(cell);
}

async function loadTasks() {
  try {
    const view = await api('/api/tasks');
    clearError();
    state.tasks = view;
    renderTasks(view);
  } catch (error) {
    showError(error);
  }
}

function renderTasks(view) {
  const body = el('tbody');
  let failing = 0;
  for (const task of view.tasks) {
    const status = task.status;
    if ((status && status.last_result !== 'ok' && status.last_result !== 'locked') || task.overdue) failing += 1;
    const chart = el('td', { class: 'chart' });
    chart.recent = task.recent;
    const row = el('tr', { 'data-task': task.name },
      el('td', { title: task.description || task.name }, task.name, task.source === 'history' ? el('span', { class: 'dim' }, ' (not found now)') : null),
      el('td', { class: 'last-run' }, status ? agoCell(status.last_run) : el('span', { class: 'dim', title: view.scan_complete ? 'no run in the log' : `no run in the newest ${view.lines_read} lines of the log` }, view.scan_complete ? 'never' : 'not recently')),
      el('td', {}, status ? resultCell(status.last_result) : el('span', { class: 'dim' }, '-'), failingSince(task)),
      el('td', { class: 'success' }, status && status.success_rate !== null ? `${Math.round(status.success_rate * 100)}% of ${status.runs}` : '-'),
      el('td', { class: 'num p50' }, seconds(status?.duration_p50)),
      el('td', { class: 'num p95' }, seconds(status?.duration_p95)),
      scheduleCell(task),
      chart,
      el('td', { class: 'wrap grow red', title: status?.last_error ?? '' }, status?.last_error ? oneLine(status.last_error, 90) : '', status?.last_error_at ? el('span', { class: 'dim nowrap' }, ' · ', agoCell(status.last_error_at)) : null),
      el('td', {},
        task.source === 'history' ? null : el('button', { type: 'button', class: 'small run', 'data-task': task.name, onclick: () => runNow(task.name, false) }, 'run'),
        ' ',
        task.source === 'history' ? null : el('button', { type: 'button', class: 'small dry', 'data-task': task.name, onclick: () => runNow(task.name, true) }, 'dry'),
      ),
    );
    body.append(row);
  }
  const table = $('#tasks-table');
  table.tBodies[0].replaceWith(body);
  observeCharts(table);
  setCount('#count-tasks', failing, failing > 0 ? 'red' : '');
  const scanned = view.scan_complete ? `the whole log (${view.lines_read} lines)` : `the newest ${view.lines_read} lines of the log`;
  $('#tasks-note').textContent = `${view.tasks.length} tasks; success and p50/p95 over each task's last ${view.window} runs, chart of the last ${view.points}; read ${scanned}` +
    (view.skipped_lines > 0 ? `; ${view.skipped_lines} unparseable line(s) skipped` : '');
  $('#tasks-broken').textContent = view.broken.length === 0 ? '' : `broken task files: ${view.broken.map((b) => `${b.file}: ${b.reason}`).join('; ')}`;
  fillTaskSelects(view.tasks.filter((task) => task.source !== 'history').map((task) => task.name), view.tasks.map((task) => task.name));
}

/**
 * The task's schedule (its zone in the tooltip) and when it runs next; `overdue` in red, saying
 * since when, for a task that has missed two scheduled runs (as `runner status` says it).
 */
function scheduleCell(task) {
  if (task.schedule_error) return el('td', { class: 'schedule red', title: task.schedule_error }, 'unreadable');
  if (!task.schedule) return el('td', { class: 'schedule dim' }, '-');
  const { cron, tz, source } = task.schedule;
  const next = timeOf(task.next_run);
  return el('td', { class: 'schedule' },
    el('span', { title: `${cron} in ${tz}, from ${source === 'config' ? `tasks.${task.name}.schedule in the config` : "the task's defaults.schedule"}` }, cron),
    next === undefined ? null : el('span', { class: 'dim' }, ' · next ', el('span', { class: 'until', title: clock(next), 'data-at': next }, until(next))),
    task.overdue ? el('span', { class: 'red overdue', title: `no success since ${clockOf(task.overdue_since)}: two scheduled runs and a grace have passed` }, ' overdue') : null,
  );
}

/** "× 3 since 2h ago": how many runs in a row have failed, counted back from the newest, and since when. */
function failingSince(task) {
  const { recent, status } = task;
  if (!status || status.last_result === 'ok' || status.last_result === 'locked' || recent.ok.length === 0) return null;
  let first = recent.ok.length;
  while (first > 0 && !recent.ok[first - 1]) first -= 1;
  const streak = recent.ok.length - first;
  if (streak === 0) return null;
  const since = new Date(recent.t[first]).toISOString();
  return el('span', { class: 'dim failing-since', title: `failed ${streak} run(s) in a row, the first at ${clock(recent.t[first])}` },
    ` ×${streak}${first === 0 ? '+' : ''} since `, agoCell(since));
}

function fillTaskSelects(runnable, all) {
  const runSelect = $('#run-task');
  const keep = runSelect.value;
  runSelect.replaceChildren(...runnable.map((name) => el('option', { value: name }, name)));
  if (runnable.includes(keep)) runSelect.value = keep;
  const filter = $('#runs-task');
  const chosen = filter.value;
  filter.replaceChildren(el('option', { value: '' }, 'all'), ...all.map((name) => el('option', { value: name }, name)));
  filter.value = all.includes(chosen) ? chosen : '';
}

// ---------- run now ----------

async function runNow(task, dryRun) {
  clearError('#run-error');
  try {
    const started = await api('/api/run', { task, dry_run: dryRun });
    noteRun({ ...started, state: 'started' });
  } catch (error) {
    showError(error, '#run-error');
  }
}

function noteRun(event) {
  let entry = state.runsStarted.get(event.id);
  if (!entry) {
    const item = el('li', { 'data-run': event.id, 'data-task': event.task });
    $('#run-log').prepend(item);
    entry = { item, task: event.task, dry: event.dry_run, startedAt: Date.now(), record: undefined, finished: undefined };
    state.runsStarted.set(event.id, entry);
  }
  if (event.state === 'finished') entry.finished = event;
  renderRun(entry);
}

function renderRun(entry) {
  const { item, task, dry, record, finished } = entry;
  const parts = [el('span', { class: 'blue' }, `▶ ${task}${dry ? ' --dry-run' : ''} `)];
  if (record) {
    parts.push(el('span', { class: 'record' }, resultCell(resultOf(record), record.dry_run === true), ` in ${seconds(record.duration_seconds)}`, record.message ? ` · ${oneLine(record.message, 100)}` : '', record.error ? ` · ${oneLine(record.error, 100)}` : ''));
    item.dataset.state = 'recorded';
  } else {
    parts.push(el('span', { class: 'dim' }, finished ? `exited ${finished.code}` : 'running…'));
  }
  // The run's own output only when it wrote no record (it could not start: the record says the rest).
  if (!record && finished && finished.code !== 0 && finished.output) parts.push(el('pre', {}, finished.output.trim()));
  item.replaceChildren(...parts);
}

function matchRunRecord(record) {
  // The newest run of that task started from here and still without its record.
  const candidates = [...state.runsStarted.values()].filter((entry) => entry.task === record.task && !entry.record);
  const entry = candidates[candidates.length - 1] ?? candidates[0];
  if (!entry) return;
  const started = timeOf(record.timestamp);
  if (started !== undefined && started < entry.startedAt - 60_000) return;
  entry.record = record;
  renderRun(entry);
}

// ---------- runs ----------

function runsFilter() {
  const until = $('#runs-until').value;
  return {
    task: $('#runs-task').value,
    failed: $('#runs-failed').checked,
    since: $('#runs-since').value,
    until: until ? new Date(until).toISOString() : '',
  };
}

function runsUrl(filter, offset) {
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (filter.task) params.set('task', filter.task);
  if (filter.failed) params.set('failed', '1');
  if (filter.since) params.set('since', filter.since);
  if (filter.until) params.set('until', filter.until);
  return `/api/runs?${params}`;
}

async function loadRuns(append = false) {
  const filter = append ? state.runs.filter : runsFilter();
  const offset = append ? state.runs.offset + state.runs.records.length : 0;
  try {
    const page = await api(runsUrl(filter, offset));
    clearError();
    if (!append) {
      state.runs = { records: [], offset: 0, more: false, skipped: 0, filter };
      $('#runs-table').tBodies[0].replaceChildren();
    }
    state.runs.records.push(...page.records);
    state.runs.more = page.more;
    state.runs.skipped = page.skipped_lines;
    const body = $('#runs-table').tBodies[0];
    for (const record of page.records) body.append(...runRows(record));
    $('#runs-more').hidden = !page.more;
    renderRunsNote();
  } catch (error) {
    showError(error);
  }
}

function runRows(record, fresh = false) {
  const detail = el('tr', { class: 'detail', hidden: true }, el('td', { colspan: 6 }, el('pre', { class: 'json' }, JSON.stringify(record, null, 2))));
  const result = resultOf(record);
  const text = record.error ?? record.message ?? '';
  const row = el('tr', { class: `clickable run${fresh ? ' fresh' : ''}`, 'data-task': record.task, 'data-run-id': record.run_id ?? '', title: 'click for the full record', onclick: () => (detail.hidden = !detail.hidden) },
    momentCell(record.timestamp),
    el('td', {}, record.task),
    el('td', {}, resultCell(result, record.dry_run === true)),
    el('td', { class: 'num' }, seconds(record.duration_seconds)),
    el('td', { class: 'num' }, record.attempts ?? '-'),
    el('td', { class: `wrap grow ${record.success === true ? '' : 'red'}` }, oneLine(text, 160)),
  );
  return [row, detail];
}

/** What the runs panel shows, counted from its rows' records (live ones included). */
function renderRunsNote() {
  const { records, more, skipped } = state.runs;
  $('#runs-note').textContent = `${records.length} run(s) shown${more ? ', older ones below' : ''}${skipped ? `; ${skipped} unparseable line(s) skipped` : ''}`;
}

/**
 * A record that arrived live, put where it belongs: the list is by start, newest first, and a run
 * is recorded when it ends, so a long run lands below runs that started after it. One older than
 * every row shown is left to the page of older runs when there is one.
 */
function showLiveRun(record) {
  const started = timeOf(record.timestamp) ?? -Infinity;
  const at = state.runs.records.findIndex((shown) => (timeOf(shown.timestamp) ?? -Infinity) <= started);
  if (at === -1 && state.runs.more) return;
  const rows = runRows(record, true);
  if (at === -1) {
    state.runs.records.push(record);
    $('#runs-table').tBodies[0].append(...rows);
  } else {
    state.runs.records.splice(at, 0, record);
    $('#runs-table').tBodies[0].querySelectorAll('tr.run')[at].before(...rows);
  }
  renderRunsNote();
}

function recordMatches(record, filter) {
  if (filter.task && record.task !== filter.task) return false;
  if (filter.failed && record.success === true) return false;
  if (filter.until) return false; // a fixed range does not grow
  return true;
}

// ---------- alerts ----------

async function loadAlerts() {
  try {
    const { alerts } = await api('/api/alerts');
    clearError();
    state.alerts = alerts;
    renderAlerts(alerts);
  } catch (error) {
    showError(error);
  }
}

function renderAlerts(alerts) {
  const byLevel = new Map(LEVELS.map((level) => [level, []]));
  for (const alert of alerts) (byLevel.get(alert.level) ?? byLevel.get('info')).push(alert);
  const groups = [];
  for (const [level, list] of byLevel) {
    if (list.length === 0) continue;
    groups.push(el('tbody', { 'data-level': level },
      el('tr', { class: 'level-head' }, el('td', { colspan: 5, class: LEVEL_CLASS[level] }, `${level} (${list.length})`)),
      list.map((alert) => el('tr', { 'data-id': alert.id },
        el('td', { class: 'dim' }, alert.id),
        momentCell(alert.timestamp),
        el('td', {}, String(alert.task ?? '')),
        el('td', { class: `wrap grow ${LEVEL_CLASS[level]}` }, String(alert.message ?? '')),
        el('td', {}, el('button', { type: 'button', class: 'small ack', 'data-id': alert.id, onclick: () => ackAlerts([alert.id]) }, 'ack')),
      )),
    ));
  }
  $('#alerts-list').replaceChildren(groups.length === 0
    ? el('p', { class: 'dim', id: 'no-alerts' }, 'no pending alerts')
    : el('table', { class: 'grid', id: 'alerts-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'ID'), el('th', {}, 'RAISED'), el('th', {}, 'TASK'), el('th', {}, 'MESSAGE'), el('th', {}, ''))),
      groups));
  const counts = LEVELS.map((level) => [level, byLevel.get(level).length]).filter(([, n]) => n > 0);
  $('#alerts-summary').textContent = alerts.length === 0 ? '' : `${alerts.length} pending: ${counts.map(([level, n]) => `${n} ${level}`).join(', ')}`;
  $('#ack-all').disabled = alerts.length === 0;
  const severe = byLevel.get('critical').length + byLevel.get('error').length;
  setCount('#count-alerts', alerts.length, severe > 0 ? 'red' : alerts.length > 0 ? 'yellow' : '');
}

async function ackAlerts(ids) {
  clearError('#alerts-error');
  try {
    const outcome = await api('/api/alerts/ack', { ids });
    if (outcome.missing.length > 0) $('#alerts-error').textContent = `already gone (acknowledged or drained elsewhere): ${outcome.missing.join(', ')}`;
  } catch (error) {
    showError(error, '#alerts-error');
  }
  await loadAlerts();
}

// ---------- batch ----------

async function loadBatch() {
  try {
    const { items, diary } = await api('/api/batch?blocks=5');
    clearError();
    renderBatch(items, diary);
  } catch (error) {
    showError(error);
  }
}

const STATE_CLASS = { ready: 'green', waiting: 'dim', blocked: 'yellow', running: 'blue', failed: 'red' };

function stateText(item) {
  switch (item.state) {
    case 'waiting': return `waiting for ${item.waiting_for.join(',')}`;
    case 'blocked': return `blocked: ${item.blocked_by.join(',')} failed`;
    case 'running': return `running (run ${item.claimed_by ?? '?'})`;
    case 'failed': return `failed: ${oneLine(item.error ?? 'unknown error', 60)}`;
    default: return 'ready';
  }
}

function renderBatch(items, diary) {
  const count = (state) => items.filter((item) => item.state === state).length;
  const pending = count('ready') + count('waiting');
  $('#batch-summary').textContent = items.length === 0 ? 'no pending batch tasks' : `pending ${pending}, running ${count('running')}, blocked ${count('blocked')}, failed ${count('failed')}`;
  $('#batch-table').tBodies[0].replaceChildren(...items.map((item) => el('tr', { 'data-id': item.id, 'data-state': item.state },
    el('td', { class: 'num' }, item.position ?? '-'),
    el('td', { class: 'dim' }, item.id),
    el('td', { class: item.priority === 'high' ? 'yellow' : item.priority === 'low' ? 'dim' : '' }, item.priority),
    el('td', { class: STATE_CLASS[item.state] ?? '' }, stateText(item)),
    el('td', { class: 'num' }, `${item.attempts}/${item.max_attempts}`),
    el('td', {}, item.depends_on.length > 0 ? item.depends_on.join(',') : '-'),
    el('td', { class: 'dim' }, item.kind),
    el('td', { class: 'wrap grow' }, oneLine(item.task, 100)),
  )));
  setCount('#count-batch', pending + count('running'), count('failed') > 0 ? 'red' : '');
  $('#diary').replaceChildren(...(diary.length === 0 ? [el('p', { class: 'dim' }, 'no work blocks yet')] : diary.map((block) => el('div', { class: 'block', 'data-block': block.number },
    el('div', { class: 'head' }, el('span', { class: 'dim', title: `as the diary says: ${block.time}` }, `${clockOf(block.time)} — `), `Work Block ${block.number} — ${block.task}`),
    el('div', { class: 'field' }, el('b', {}, 'Result: '), block.result),
    el('div', { class: 'field' }, el('b', {}, 'Insight: '), block.insight),
    el('div', { class: 'field' }, el('b', {}, 'Next: '), block.next),
    // The diary's ✅ is drawn as a check mark any monospace font has.
    block.status ? el('div', { class: /complete/i.test(block.status) ? 'field green' : 'field' }, block.status.replace('✅', '✓')) : null,
  ))));
}

async function addBatch(event) {
  event.preventDefault();
  clearError('#batch-error');
  $('#batch-added').textContent = '';
  const form = event.target;
  const entry = {};
  for (const [key, value] of new FormData(form)) if (String(value).trim() !== '') entry[key] = String(value);
  try {
    const added = await api('/api/batch', entry);
    form.reset();
    $('#batch-added').textContent = `added ${added.id} (${added.pending} pending)`;
    await loadBatch();
  } catch (error) {
    showError(error, '#batch-error');
  }
}

// ---------- health ----------

let healthChart;

async function loadHealth() {
  try {
    const { reports } = await api('/api/health?limit=60');
    clearError();
    renderHealth(reports);
  } catch (error) {
    showError(error);
  }
}

function checkCell(report, name) {
  const check = report.checks?.[name];
  return el('td', { class: HEALTH_CLASS[check?.status] ?? 'dim', title: check?.summary ?? '' }, check?.status ?? '-');
}

function renderHealth(reports) {
  const latest = reports[0];
  if (!latest) {
    $('#health-latest').replaceChildren(el('p', { class: 'dim' }, 'no system_health report yet: run it from the tasks panel, or `runner system_health`'));
  } else {
    const status = latest.status ?? resultOf(latest);
    const checks = Object.entries(latest.checks ?? {});
    $('#health-latest').replaceChildren(
      el('div', { class: 'report' },
        el('span', { class: 'dim' }, 'latest'), el('span', {}, el('span', { class: `big ${HEALTH_CLASS[status] ?? RESULT_CLASS[status] ?? ''}`, id: 'health-status' }, status), ' ', agoCell(latest.timestamp)),
        el('span', { class: 'dim' }, 'message'), el('span', {}, String(latest.message ?? latest.error ?? '')),
      ),
      el('table', { class: 'grid', id: 'health-checks' },
        el('thead', {}, el('tr', {}, el('th', {}, 'CHECK'), el('th', {}, 'STATUS'), el('th', {}, 'SUMMARY'))),
        el('tbody', {}, checks.map(([name, check]) => el('tr', { 'data-check': name },
          el('td', {}, name),
          el('td', { class: HEALTH_CLASS[check.status] ?? '' }, check.status),
          el('td', { class: 'wrap grow' }, String(check.summary ?? '')),
        ))),
      ),
    );
    const worst = latest.status;
    setCount('#count-health', worst && worst !== 'healthy' ? '!' : '', HEALTH_RANK[worst] >= 3 ? 'red' : 'yellow');
  }
  $('#health-table').tBodies[0].replaceChildren(...reports.map((report) => el('tr', {},
    momentCell(report.timestamp),
    el('td', { class: HEALTH_CLASS[report.status] ?? RESULT_CLASS[resultOf(report)] }, report.status ?? resultOf(report)),
    checkCell(report, 'gateway'), checkCell(report, 'disk'), checkCell(report, 'cron'),
    el('td', { class: 'wrap grow' }, oneLine(report.message ?? report.error ?? '', 120)),
  )));
  const points = [...reports].reverse().filter((report) => timeOf(report.timestamp) !== undefined && report.status in HEALTH_RANK);
  const holder = $('#health-chart');
  healthChart?.destroy();
  healthChart = undefined;
  holder.replaceChildren();
  // How many reports the chart plots (for whoever checks it against the table).
  holder.dataset.points = String(points.length);
  if (points.length > 1 && typeof uPlot !== 'undefined') {
    healthChart = new uPlot({
      width: Math.min(900, holder.clientWidth || 900),
      height: 170,
      legend: { show: false },
      scales: { x: { time: true }, y: { range: [0, 4.2] } },
      axes: [
        { stroke: '#7d868c', grid: { stroke: '#2a2f33' }, label: `local time (${zoneOf(Date.now())})`, labelSize: 20 },
        { stroke: '#7d868c', grid: { stroke: '#2a2f33' }, splits: () => [0, 1, 2, 3, 4], values: (_u, splits) => splits.map((v) => ['healthy', 'unknown', 'warning', 'unhealthy', 'critical'][v] ?? ''), size: 80 },
      ],
      series: [{}, { label: 'status', stroke: '#e0b341', width: 1.5, points: { show: true, size: 4 }, paths: uPlot.paths.stepped({ align: 1 }) }],
    }, [points.map((report) => timeOf(report.timestamp) / 1000), points.map((report) => HEALTH_RANK[report.status])], holder);
  }
}

// ---------- live ----------

const LOADERS = { tasks: loadTasks, runs: () => loadRuns(false), alerts: loadAlerts, batch: loadBatch, health: loadHealth };
const pending = new Map();

/** Reload a panel soon (once for a burst of changes); a panel not shown is reloaded when shown. */
function refresh(name, delay = 150) {
  if (state.panel !== name) {
    state.loaded.delete(name);
    return;
  }
  clearTimeout(pending.get(name));
  pending.set(name, setTimeout(() => void LOADERS[name](), delay));
}

function connect() {
  const live = $('#live');
  const events = new EventSource('/api/events');
  let connected = false;
  events.addEventListener('hello', () => {
    live.textContent = '● live';
    live.className = 'live';
    // Reconnected (the server restarted, the network dropped): what changed meanwhile was not
    // streamed, so the panels read again.
    if (connected) for (const name of Object.keys(LOADERS)) refresh(name, 0);
    connected = true;
  });
  events.addEventListener('error', () => {
    live.textContent = '○ reconnecting';
    live.className = 'live off';
  });
  events.addEventListener('record', (message) => {
    const { record } = JSON.parse(message.data);
    matchRunRecord(record);
    if (state.loaded.has('runs') && recordMatches(record, state.runs.filter)) showLiveRun(record);
    // The tasks panel reads the log's end again: at most about once a second while records pour in.
    refresh('tasks', 700);
    if (record.task === 'system_health') refresh('health');
  });
  events.addEventListener('alerts', () => {
    refresh('alerts');
    if (state.panel !== 'alerts') void api('/api/alerts').then(({ alerts }) => renderAlertsCount(alerts), () => undefined);
  });
  events.addEventListener('batch', () => refresh('batch'));
  events.addEventListener('diary', () => refresh('batch'));
  events.addEventListener('run', (message) => noteRun(JSON.parse(message.data)));
}

function renderAlertsCount(alerts) {
  const severe = alerts.filter((alert) => alert.level === 'critical' || alert.level === 'error').length;
  setCount('#count-alerts', alerts.length, severe > 0 ? 'red' : alerts.length > 0 ? 'yellow' : '');
}

// ---------- start ----------

function start() {
  $('#run-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const task = $('#run-task').value;
    if (task) void runNow(task, $('#run-dry').checked);
  });
  $('#runs-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    void loadRuns(false);
  });
  $('#runs-more').addEventListener('click', () => void loadRuns(true));
  $('#ack-all').addEventListener('click', () => void ackAlerts(state.alerts.map((alert) => alert.id)));
  $('#batch-form').addEventListener('submit', (event) => void addBatch(event));
  window.addEventListener('hashchange', () => showPanel(location.hash.slice(1)));
  // The range's end is typed in the browser's local time: say which.
  $('#runs-until-zone').textContent = `(${zoneOf(Date.now())})`;
  setInterval(() => {
    for (const node of document.querySelectorAll('.ago[data-at]')) {
      const at = Number(node.dataset.at);
      if (node.dataset.at !== '' && Number.isFinite(at)) node.textContent = ago(at);
    }
    for (const node of document.querySelectorAll('.until[data-at]')) node.textContent = until(Number(node.dataset.at));
  }, 5000);
  void api('/api/info').then((info) => {
    $('#where').textContent = `${info.mode === 'files' ? '' : `${info.mode} · `}home ${info.home} · workspace ${info.workspace} · v${info.version}`;
  }, (error) => showError(error));
  // The tasks list fills the selects of the other panels; the alert count shows on every panel.
  if (location.hash.slice(1) !== 'tasks') void api('/api/tasks').then((view) => {
    state.tasks = view;
    fillTaskSelects(view.tasks.filter((task) => task.source !== 'history').map((task) => task.name), view.tasks.map((task) => task.name));
  }, () => undefined);
  void api('/api/alerts').then(({ alerts }) => renderAlertsCount(alerts), () => undefined);
  showPanel(location.hash.slice(1) || 'tasks');
  connect();
}

// uPlot is a classic deferred script: it has run before this module (modules are deferred too, in order).
start();
