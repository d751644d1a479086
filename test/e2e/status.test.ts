import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { quickNamed } from '../fixtures/tasks.js';
import { makeHome, runCli } from '../helpers/cli.js';

const NOW = Date.now();
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString().replace('Z', '+00:00');

/**
 * Known data: `alpha` ran 30 times, run n lasting n+1 seconds and failing when n is a multiple of 5;
 * its newest 20 (n = 10…29) last 11…30 s with failures at 10, 15, 20 and 25. `beta` last found
 * itself locked; `gamma` last timed out; `bulk` ran 3000 times first, so the log runs to thousands
 * of lines; `delta` ran only in dry runs. Two damaged lines sit among the newest.
 */
function knownLog(): string[] {
  const lines: string[] = [];
  const add = (record: Record<string, unknown>) => lines.push(JSON.stringify(record));
  for (let n = 0; n < 3000; n++) {
    add({ task: 'bulk', dry_run: false, timestamp: at(5000 - n), success: n % 3 !== 0, duration_seconds: 0.5, run_id: `b${n}`, attempts: 1 });
  }
  for (let n = 0; n < 30; n++) {
    const ok = n % 5 !== 0;
    add({
      task: 'alpha', dry_run: false, timestamp: at(100 - n), success: ok, duration_seconds: n + 1, run_id: `a${n}`, attempts: 1,
      ...(ok ? {} : { error: `boom ${n}`, error_type: 'Error', retry_attempts: 0, all_attempts_failed: true }),
    });
    add({ task: 'alpha', dry_run: true, timestamp: at(100 - n), success: true, duration_seconds: 99, run_id: `d${n}`, attempts: 1 });
  }
  add({ task: 'beta', dry_run: false, timestamp: at(50), success: true, duration_seconds: 2, run_id: 'b1', attempts: 1 });
  add({ task: 'beta', timestamp: at(3), success: false, error: 'Task is already running (locked)', locked: true });
  add({ task: 'gamma', dry_run: false, timestamp: at(10), success: false, duration_seconds: 30, run_id: 'g1', attempts: 1,
    error: 'timed out after 30s', error_type: 'timed_out', retry_attempts: 0, all_attempts_failed: false, timed_out: true });
  add({ task: 'delta', dry_run: true, timestamp: at(1), success: true, duration_seconds: 1, run_id: 'x', attempts: 1 });
  lines.push('not json at all', '{"task":"alpha","timestamp":"cut sho');
  return lines;
}

function homeWith(lines: string[]) {
  const { home, workspace } = makeHome('taskrunner-status-');
  mkdirSync(path.join(home, 'logs'));
  writeFileSync(path.join(home, 'logs', 'tasks.jsonl'), `${lines.join('\n')}\n`);
  return { home, workspace };
}

const args = (home: string, workspace: string, ...rest: string[]) => ['status', '--home', home, '--workspace', workspace, ...rest];

describe('runner status', () => {
  const { home, workspace } = homeWith(knownLog());

  it('computes success rate and nearest-rank p50/p95 over the newest 20 real runs (--json)', async () => {
    const result = await runCli(args(home, workspace, '--json'));
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { tasks: Record<string, unknown>[] } & Record<string, unknown>;
    expect(report).toMatchObject({ window: 20, skipped_lines: 2, scan_complete: true, max_lines: 1_000_000 });
    expect(report.lines_read).toBe(3000 + 60 + 4 + 2);
    expect(report.tasks.map((t) => t.task)).toEqual(['alpha', 'beta', 'bulk', 'gamma']);
    const [alpha, beta, bulk, gamma] = report.tasks;
    expect(alpha).toEqual({
      task: 'alpha', last_run: at(71), last_result: 'ok', runs: 20, successes: 16, success_rate: 0.8,
      duration_p50: 20, duration_p95: 29, last_error: 'boom 25', last_error_at: at(75),
      last_success: at(71), scheduled_since: null, schedule: null, next_run: null, overdue: false, overdue_since: null,
    });
    expect(beta).toMatchObject({ last_run: at(3), last_result: 'locked', runs: 1, successes: 1, duration_p50: 2, last_error: null });
    // bulk's newest 20 are n = 2980…2999, of which 2982, 2985, … 2997 (multiples of 3) failed: 6.
    expect(bulk).toMatchObject({ runs: 20, successes: 14, success_rate: 0.7, duration_p50: 0.5, duration_p95: 0.5, last_result: 'ok' });
    expect(gamma).toMatchObject({ last_result: 'timed out', runs: 1, successes: 0, success_rate: 0, last_error: 'timed out after 30s' });
  });

  it('--runs sets the window', async () => {
    const result = await runCli(args(home, workspace, '--json', '--runs', '4'));
    const alpha = (JSON.parse(result.stdout) as { tasks: Record<string, unknown>[] }).tasks[0];
    // n = 26…29: durations 27…30, all successes.
    expect(alpha).toMatchObject({ runs: 4, successes: 4, duration_p50: 28, duration_p95: 30, last_error: null });
  });

  it('prints a table with relative times and a footer for skipped lines', async () => {
    const result = await runCli(args(home, workspace));
    expect(result.code).toBe(0);
    const rows = result.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^TASK +LAST RUN +RESULT +SUCCESS +P50 +P95 +SCHEDULE +NEXT RUN +LAST ERROR$/);
    expect(rows[1]).toMatch(/^alpha +1h ago +ok +80% of 20 +20s +29s +- +- +boom 25$/);
    expect(rows[2]).toMatch(/^beta +3m ago +locked +100% of 1 +2s +2s +- +-$/);
    expect(rows[4]).toMatch(/^gamma +10m ago +timed out +0% of 1 +30s +30s +- +- +timed out after 30s$/);
    expect(rows.at(-1)).toBe('2 unparseable line(s) skipped');
  });

  it('says when --max-lines cut the scan', async () => {
    const json = JSON.parse((await runCli(args(home, workspace, '--json', '--max-lines', '50'))).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ scan_complete: false, lines_read: 50 });
    expect((json.tasks as { task: string }[]).map((t) => t.task)).toEqual(['alpha', 'beta', 'gamma']);
    // The newest 50 lines are the damaged two, the four of beta, gamma and delta, and 44 of alpha's.
    const human = await runCli(args(home, workspace, '--max-lines', '50'));
    expect(human.stdout).toContain('read the newest 50 lines of the log');
    expect(human.stdout).not.toContain('bulk');
  });

  it('reports an empty history, and refuses a bad --runs', async () => {
    const empty = makeHome('taskrunner-status-empty-');
    const result = await runCli(args(empty.home, empty.workspace));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^no runs recorded in .*tasks\.jsonl\n$/);
    const json = JSON.parse((await runCli(args(empty.home, empty.workspace, '--json'))).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ tasks: [], lines_read: 0, skipped_lines: 0, scan_complete: true });
    const bad = await runCli(args(home, workspace, '--runs', 'many'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--runs');
  });
});

describe('runner status: schedules and overdue tasks', () => {
  /** A home with tasks and records written straight into the log, in the documented record format. */
  function scheduledHome(config: Record<string, unknown>, tasks: Record<string, string>, records: Record<string, unknown>[]) {
    const h = homeWith(records.map((record) => JSON.stringify(record)));
    writeFileSync(path.join(h.home, 'runner.config.json'), JSON.stringify(config));
    mkdirSync(path.join(h.home, 'tasks'), { recursive: true });
    for (const [name, source] of Object.entries(tasks)) writeFileSync(path.join(h.home, 'tasks', `${name}.mjs`), source, { mode: 0o644 });
    return h;
  }
  const run = (task: string, minutesAgo: number, success: boolean, extra: Record<string, unknown> = {}) => ({
    task, dry_run: false, timestamp: at(minutesAgo), success, duration_seconds: 1, run_id: `${task}${minutesAgo}`, attempts: 1,
    ...(success ? {} : { error: 'boom', error_type: 'Error', retry_attempts: 0, all_attempts_failed: true }), ...extra,
  });
  type Row = Record<string, unknown> & { task: string };
  const statusJson = async (h: { home: string; workspace: string }) => {
    const result = await runCli(args(h.home, h.workspace, '--json'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return new Map((JSON.parse(result.stdout) as { tasks: Row[] }).tasks.map((row) => [row.task, row]));
  };

  it('says overdue for a scheduled task whose last success is two intervals and the grace old, never for one no scheduler ran', async () => {
    const h = scheduledHome(
      { timezone: 'UTC', tasks: { backup: { schedule: '*/15 * * * *' }, adhoc: { schedule: '*/15 * * * *' }, fresh: { schedule: '*/15 * * * *' } } },
      { backup: quickNamed('backup'), adhoc: quickNamed('adhoc'), fresh: quickNamed('fresh'), nightly: quickNamed('nightly', { schedule: '0 3 * * *', tz: 'Asia/Tokyo' }) },
      [
        run('backup', 180, true, { scheduled: true }),
        run('backup', 120, false, { scheduled: true }),
        { task: 'backup', timestamp: at(60), success: false, error: 'Task is already running (locked)', locked: true, scheduled: true },
        // Run by hand only: its schedule is not in use, so it is never overdue.
        run('adhoc', 600, true),
        run('fresh', 5, true, { scheduled: true }),
        run('nightly', 60, true, { scheduled: true }),
      ],
    );
    const rows = await statusJson(h);
    expect(rows.get('backup')).toMatchObject({
      last_result: 'locked', last_success: at(180), scheduled_since: at(180), overdue: true, overdue_since: at(180),
      schedule: { cron: '*/15 * * * *', tz: 'UTC', source: 'config' },
    });
    expect(rows.get('adhoc')).toMatchObject({ last_success: at(600), scheduled_since: null, overdue: false, overdue_since: null, schedule: { cron: '*/15 * * * *' } });
    expect(rows.get('fresh')).toMatchObject({ overdue: false, overdue_since: at(5) });
    expect(rows.get('nightly')).toMatchObject({ overdue: false, schedule: { cron: '0 3 * * *', tz: 'Asia/Tokyo', source: 'task' } });
    for (const row of rows.values()) {
      // The next run is the schedule's next time: within a quarter of an hour, or a day for nightly.
      const next = Date.parse(String(row.next_run));
      expect(next).toBeGreaterThan(Date.now() - 60_000);
      expect(next).toBeLessThanOrEqual(Date.now() + (row.task === 'nightly' ? 86_400_000 : 15 * 60_000));
    }
    // In the schedule's own zone, with its offset, as every time the runner writes.
    expect(rows.get('nightly')!.next_run).toMatch(/T03:00:00\.000\+09:00$/);

    const table = (await runCli(args(h.home, h.workspace))).stdout.split('\n');
    expect(table.find((line) => line.startsWith('backup'))).toMatch(/ \*\/15 \* \* \* \* +overdue \(next (in \d+[ms]|now)\)/);
    expect(table.find((line) => line.startsWith('adhoc'))).toMatch(/ \*\/15 \* \* \* \* +(in \d+[ms]|now)\s*$/);
    expect(table.find((line) => line.startsWith('nightly'))).toMatch(/ 0 3 \* \* \* Asia\/Tokyo +(in \d+[hms]|now)\s*$/);
  });

  it('counts a task that never succeeded from its first scheduled run, and reads back past 20 failures to the last success', async () => {
    const failures = (task: string, from: number, count: number) => Array.from({ length: count }, (_, n) => run(task, from - n, false, { scheduled: true }));
    const h = scheduledHome(
      { timezone: 'UTC', tasks: { broken: { schedule: '* * * * *' }, flapping: { schedule: '* * * * *' }, newcomer: { schedule: '*/15 * * * *' } } },
      { broken: quickNamed('broken'), flapping: quickNamed('flapping'), newcomer: quickNamed('newcomer') },
      [
        run('flapping', 200, true, { scheduled: true }),
        ...failures('flapping', 100, 30),
        ...failures('broken', 100, 30),
        ...failures('newcomer', 10, 1),
      ],
    );
    const rows = await statusJson(h);
    expect(rows.get('flapping')).toMatchObject({ runs: 20, successes: 0, last_success: at(200), overdue: true, overdue_since: at(200) });
    expect(rows.get('broken')).toMatchObject({ last_success: null, scheduled_since: at(100), overdue: true, overdue_since: at(100) });
    // Scheduled ten minutes ago, failed once: not two intervals yet.
    expect(rows.get('newcomer')).toMatchObject({ last_success: null, scheduled_since: at(10), overdue: false });
  });

  it('reports a task whose own schedule cannot be read, and shows the others', async () => {
    const h = scheduledHome(
      {},
      { odd: quickNamed('odd', { schedule: 'every day' }), fine: quickNamed('fine', { schedule: '@hourly' }) },
      [run('odd', 100, true, { scheduled: true }), run('fine', 10, true, { scheduled: true })],
    );
    const rows = await statusJson(h);
    expect(rows.get('odd')).toMatchObject({ schedule: null, overdue: false });
    expect(String(rows.get('odd')!.schedule_error)).toMatch(/^task "odd" of .*tasks\/odd\.mjs: defaults\.schedule: "every day" has 2 fields; expected 5/);
    expect(rows.get('fine')).toMatchObject({ schedule: { cron: '@hourly', source: 'task' }, overdue: false });
    const human = await runCli(args(h.home, h.workspace));
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^odd .* unreadable /m);
    expect(human.stdout).toMatch(/^odd: schedule unreadable: task "odd" of .*defaults\.schedule: "every day" has 2 fields/m);
  });
});
