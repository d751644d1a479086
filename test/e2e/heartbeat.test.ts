import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { calendarDay } from '../../src/shared/time.js';
import { formatRunTime } from '../../src/shared/cron-expression.js';
import { quickNamed } from '../fixtures/tasks.js';
import { makeHome, runCli, runCliWithStdoutTo, writeFile } from '../helpers/cli.js';

const ZONE = 'Pacific/Kiritimati';

/** A home whose config sets a time zone (and `extra`), with an empty workspace. */
function heartbeatHome(extra: Record<string, unknown> = {}) {
  const { home, workspace } = makeHome('taskrunner-heartbeat-');
  writeFile(home, 'runner.config.json', JSON.stringify({ timezone: ZONE, ...extra }));
  const pending = path.join(home, 'alerts', 'pending.json');
  return { home, workspace, pending, args: ['--home', home, '--workspace', workspace] };
}

/** Run a heartbeat, knowing which day it saw: the day before and after it ran (equal unless midnight passed). */
async function heartbeat(args: readonly string[], env?: Record<string, string | undefined>) {
  const before = calendarDay(new Date(), ZONE);
  const result = await runCli(['heartbeat', ...args], { env });
  const after = calendarDay(new Date(), ZONE);
  return { ...result, days: [before, after] };
}

/**
 * Today and tomorrow in the heartbeat's zone: a test that gives both days their note holds whether
 * or not midnight passes while the heartbeat runs (it then sees tomorrow).
 */
function nearDays(): [string, string] {
  const now = Date.now();
  return [calendarDay(new Date(now), ZONE), calendarDay(new Date(now + 86_400_000), ZONE)];
}

/** Matches any one of `values` (the heartbeat's day is the one before or after it ran). */
const oneOf = (values: readonly string[]) => expect.toSatisfy((value: unknown) => values.includes(value as string));

function writeAlerts(file: string, alerts: Array<Record<string, unknown>>): string {
  const text = `${JSON.stringify(alerts, null, 2)}\n`;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return text;
}

const pendingOf = (file: string) => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown[]) : []);

describe('runner heartbeat', () => {
  it('when nothing needs attention prints only HEARTBEAT_OK and makes today\'s memory file', async () => {
    const h = heartbeatHome();
    const result = await heartbeat(h.args);
    expect([result.code, result.stdout]).toEqual([0, 'HEARTBEAT_OK\n']);
    const notes = readdirSync(path.join(h.workspace, 'memory'));
    expect(notes).toHaveLength(1);
    expect(result.days.map((day) => `${day}.md`)).toContain(notes[0]);
    expect(readFileSync(path.join(h.workspace, 'memory', notes[0]!), 'utf8')).toBe(`# ${notes[0]!.slice(0, 10)}\n\n`);
  });

  it('prints NO_REPLY instead when the config or --ack says so (the flag wins)', async () => {
    const h = heartbeatHome({ heartbeat: { ack: 'NO_REPLY' } });
    expect((await heartbeat(h.args)).stdout).toBe('NO_REPLY\n');
    expect((await heartbeat([...h.args, '--ack', 'HEARTBEAT_OK'])).stdout).toBe('HEARTBEAT_OK\n');
    const plain = heartbeatHome();
    expect((await heartbeat([...plain.args, '--ack', 'NO_REPLY'])).stdout).toBe('NO_REPLY\n');
    const bad = await heartbeat([...plain.args, '--ack', 'OK']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Allowed choices are HEARTBEAT_OK, NO_REPLY/);
  });

  it('drains the alerts into one message grouped by level, and the next heartbeat is quiet', async () => {
    const h = heartbeatHome();
    writeAlerts(h.pending, [
      { id: 'w1', task: 'disk_report', timestamp: '2026-02-03T17:35:00Z', level: 'warning', message: 'only 8% disk free' },
      { id: 'c1', task: 'system_health', timestamp: '2026-02-03T17:36:00Z', level: 'critical', message: 'gateway down' },
      // Old scripts wrote alerts without an id.
      { task: 'memory_capture', timestamp: '2026-02-03T17:37:00', level: 'warning', message: 'only 8% disk free' },
      { id: 'i1', task: 'batch', timestamp: '2026-02-03T17:38:00Z', level: 'info', message: 'queue empty' },
    ]);
    const result = await heartbeat(h.args);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '4 alerts need attention (1 critical, 2 warning, 1 info).',
        'CRITICAL (1):',
        '- system_health: gateway down',
        'WARNING (2):',
        '- disk_report: only 8% disk free',
        '- memory_capture: only 8% disk free',
        'INFO (1):',
        '- batch: queue empty',
        '',
      ].join('\n'),
    );
    expect(pendingOf(h.pending)).toEqual([]);
    const again = await heartbeat(h.args);
    expect([again.code, again.stdout]).toEqual([0, 'HEARTBEAT_OK\n']);
  });

  it('--json carries the ack or the message, every alert in full, and the daily note', async () => {
    const h = heartbeatHome();
    const quiet = await heartbeat([...h.args, '--json']);
    const note = JSON.parse(quiet.stdout) as Record<string, unknown>;
    expect(note).toEqual({ ack: 'HEARTBEAT_OK', alerts: [], daily_note: expect.stringMatching(/^memory\/\d{4}-\d{2}-\d{2}\.md$/), created_daily_note: true, overdue: [] });
    const alert = { id: 'e1', task: 'writer', timestamp: '2026-02-03T17:35:00Z', level: 'error', message: 'x'.repeat(500) };
    writeAlerts(h.pending, [alert]);
    const loud = JSON.parse((await heartbeat([...h.args, '--json'])).stdout) as Record<string, unknown>;
    expect(loud).toEqual({ message: expect.stringContaining('ERROR (1):\n- writer: xxx'), alerts: [alert], daily_note: note.daily_note, created_daily_note: false, overdue: [] });
    expect(loud).not.toHaveProperty('ack');
    // The message cuts a long alert; the JSON keeps it whole.
    expect((loud.message as string).length).toBeLessThan(300);
  });

  it('leaves an existing daily note alone: same content, same mtime', async () => {
    const h = heartbeatHome();
    const files = nearDays().map((day) => writeFile(h.workspace, `memory/${day}.md`, '## Morning\n- **Cron** moved\n'));
    for (const file of files) utimesSync(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    const before = files.map((file) => statSync(file).mtimeMs);
    const result = await heartbeat([...h.args, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ daily_note: oneOf(result.days.map((day) => `memory/${day}.md`)), created_daily_note: false });
    expect(files.map((file) => readFileSync(file, 'utf8'))).toEqual(files.map(() => '## Morning\n- **Cron** moved\n'));
    expect(files.map((file) => statSync(file).mtimeMs)).toEqual(before);
  });

  it('counts a memory/<day>-<slug>.md as today\'s note and creates no other', async () => {
    const h = heartbeatHome();
    const notes = nearDays().map((day) => `${day}-api-design.md`);
    for (const note of notes) writeFile(h.workspace, `memory/${note}`, '- decided things\n');
    const result = await heartbeat([...h.args, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ daily_note: oneOf(result.days.map((day) => `memory/${day}-api-design.md`)), created_daily_note: false });
    expect(readdirSync(path.join(h.workspace, 'memory')).sort()).toEqual(notes);
  });

  it('with stdout on a full disk removes no alert and exits 1', async () => {
    const h = heartbeatHome();
    const before = writeAlerts(h.pending, [{ id: 'c1', task: 'system_health', timestamp: '2026-02-03T17:36:00Z', level: 'critical', message: 'gateway down' }]);
    const { code, stderr } = await runCliWithStdoutTo('/dev/full', ['heartbeat', ...h.args]);
    expect(code).toBe(1);
    expect(stderr).toBe(`error: could not write the alerts to standard output (ENOSPC); none of the 1 alert(s) was removed from ${h.pending}\n`);
    expect(readFileSync(h.pending, 'utf8')).toBe(before);
  });

  it('still delivers the alerts when the workspace is missing, and says so', async () => {
    const h = heartbeatHome();
    writeAlerts(h.pending, [{ id: 'w1', task: 'disk_report', timestamp: '2026-02-03T17:35:00Z', level: 'warning', message: 'low disk' }]);
    const missing = path.join(h.home, 'no-such-workspace');
    const result = await heartbeat(['--home', h.home, '--workspace', missing]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Heartbeat problem: could not create today's memory file memory/[\\d-]+\\.md: workspace ${missing} does not exist`));
    expect(result.stdout).toContain('- disk_report: low disk');
    expect(existsSync(missing)).toBe(false);
    expect(pendingOf(h.pending)).toEqual([]);
  });

  it('finds the workspace the way OpenClaw does when nothing names it', async () => {
    const h = heartbeatHome();
    const state = path.join(h.home, 'oc-state');
    const agent = path.join(h.home, 'agent-workspace');
    mkdirSync(agent);
    writeFile(state, 'openclaw.json', `{\n  // JSON5, as OpenClaw writes it\n  agents: { defaults: { workspace: '${agent}', }, },\n}\n`);
    const result = await heartbeat(['--home', h.home, '--json'], { HOME: h.home, OPENCLAW_STATE_DIR: state });
    expect(result.code).toBe(0);
    expect(readdirSync(path.join(agent, 'memory'))).toEqual([path.basename(JSON.parse(result.stdout).daily_note as string)]);

  });

  it('with an OpenClaw config that cannot be parsed still delivers the alerts, and says what is wrong with it', async () => {
    const h = heartbeatHome();
    const state = path.join(h.home, 'oc-state');
    writeFile(state, 'openclaw.json', '{ agents: { defaults: { workspace: ');
    writeAlerts(h.pending, [{ id: 'w1', task: 'disk_report', timestamp: '2026-02-03T17:35:00Z', level: 'warning', message: 'low disk' }]);
    const result = await heartbeat(['--home', h.home], { HOME: h.home, OPENCLAW_STATE_DIR: state });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Heartbeat problem: could not create today's memory file memory\/[\d-]+\.md: /);
    expect(result.stdout).toContain(`OpenClaw config ${path.join(state, 'openclaw.json')} cannot be parsed`);
    expect(result.stdout).toContain('- disk_report: low disk');
    expect(pendingOf(h.pending)).toEqual([]);
  });
});

describe('runner heartbeat: overdue tasks', () => {
  const NOW = Date.now();
  const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString().replace('Z', '+00:00');
  const record = (task: string, minutesAgo: number, success: boolean, extra: Record<string, unknown> = {}) => ({
    task, dry_run: false, timestamp: at(minutesAgo), success, duration_seconds: 1, run_id: `${task}-${minutesAgo}`, attempts: 1,
    ...(success ? {} : { error: 'boom', error_type: 'Error', retry_attempts: 0, all_attempts_failed: true }), ...extra,
  });

  /** A home whose config gives `backup` and `adhoc` a schedule every 15 minutes, with records appended to its log. */
  function overdueHome() {
    const h = heartbeatHome({ tasks: { backup: { schedule: '*/15 * * * *' }, adhoc: { schedule: '*/15 * * * *' } } });
    writeFile(h.home, 'tasks/backup.mjs', quickNamed('backup'));
    writeFile(h.home, 'tasks/adhoc.mjs', quickNamed('adhoc'));
    const log = path.join(h.home, 'logs', 'tasks.jsonl');
    mkdirSync(path.dirname(log), { recursive: true });
    const append = (...records: Record<string, unknown>[]) => appendFileSync(log, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const state = path.join(h.home, '.runner', 'overdue-reported.json');
    return { ...h, append, state };
  }
  /** The line the heartbeat writes for `backup`, its last success `minutesAgo` old, in the config's zone. */
  const line = (minutesAgo: number) =>
    `OVERDUE: backup has not succeeded since ${formatRunTime(new Date(Date.parse(at(minutesAgo))), ZONE)} (schedule */15 * * * *)\n`;

  it('reports a scheduled task once per episode: not on the next beat; a success ends the episode', async () => {
    const h = overdueHome();
    h.append(record('backup', 180, true, { scheduled: true }), record('backup', 90, false, { scheduled: true }), record('adhoc', 600, true));
    const first = await heartbeat(h.args);
    expect([first.code, first.stdout]).toEqual([0, line(180)]);
    const second = await heartbeat(h.args);
    expect([second.code, second.stdout]).toEqual([0, 'HEARTBEAT_OK\n']);

    // A success (a scheduled run that really ran: --skip-if-running marks its record) ends the episode.
    const ran = await runCli(['backup', '--skip-if-running', ...h.args]);
    expect(ran.code).toBe(0);
    expect(readFileSync(path.join(h.home, 'logs', 'tasks.jsonl'), 'utf8').trim().split('\n').at(-1)).toMatch(/"attempts":1,"scheduled":true\}$/);
    const after = await heartbeat(h.args);
    expect(after.stdout).toBe('HEARTBEAT_OK\n');
    expect(JSON.parse(readFileSync(h.state, 'utf8'))).toEqual({});
  });

  it('reports again once the task has succeeded and then fallen behind again', async () => {
    const h = overdueHome();
    h.append(record('backup', 300, true, { scheduled: true }));
    expect((await heartbeat(h.args)).stdout).toBe(line(300));
    expect((await heartbeat(h.args)).stdout).toBe('HEARTBEAT_OK\n');
    h.append(record('backup', 120, true, { scheduled: true }));
    const json = JSON.parse((await heartbeat([...h.args, '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      message: line(120),
      overdue: [{ task: 'backup', last_success: at(120), since: at(120), schedule: '*/15 * * * *', tz: ZONE }],
    });
    expect(json).not.toHaveProperty('ack');
    expect(JSON.parse(readFileSync(h.state, 'utf8'))).toEqual({ backup: { last_success: at(120), since: at(120), reported_at: expect.stringMatching(/\.\d{3}[+-]\d\d:\d\d$/) } });
    expect((await heartbeat(h.args)).stdout).toBe('HEARTBEAT_OK\n');
  });

  it('never reports a task no scheduler started, nor one inside its schedule', async () => {
    const h = overdueHome();
    h.append(record('adhoc', 6000, true), record('adhoc', 5000, false), record('backup', 5, true, { scheduled: true }));
    const result = await heartbeat([...h.args, '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ ack: 'HEARTBEAT_OK', overdue: [] });
  });

  it('reports a task that never succeeded since its first scheduled run, and the alerts beside it', async () => {
    const h = overdueHome();
    h.append(record('backup', 200, false, { scheduled: true }), record('backup', 100, false, { scheduled: true }));
    writeAlerts(h.pending, [{ id: 'e1', task: 'backup', timestamp: at(100), level: 'error', message: 'backup failed' }]);
    const result = await heartbeat(h.args);
    expect(result.stdout).toBe(
      `OVERDUE: backup has not succeeded since it was scheduled (first scheduled run ${formatRunTime(new Date(Date.parse(at(200))), ZONE)}; schedule */15 * * * *)\n` +
        '1 alert needs attention (1 error).\nERROR (1):\n- backup: backup failed\n',
    );
    expect(pendingOf(h.pending)).toEqual([]);
  });

  it('a state file that cannot be parsed is moved aside and reported; the alerts and the overdue task still get through', async () => {
    const h = overdueHome();
    h.append(record('backup', 300, true, { scheduled: true }));
    mkdirSync(path.dirname(h.state), { recursive: true });
    writeFileSync(h.state, '{"backup": {"last_success": ');
    writeAlerts(h.pending, [{ id: 'w1', task: 'disk_report', timestamp: at(1), level: 'warning', message: 'low disk' }]);
    const result = await heartbeat(h.args);
    expect(result.code).toBe(0);
    const aside = readdirSync(path.dirname(h.state)).filter((name) => name.startsWith('overdue-reported.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(path.dirname(h.state), aside[0]!), 'utf8')).toBe('{"backup": {"last_success": ');
    expect(result.stdout).toMatch(
      new RegExp(`^Heartbeat problem: cannot parse ${escape(h.state)} at end of file \\(truncated\\?\\): .*; moved it to ${escape(path.join(path.dirname(h.state), aside[0]!))} and report the overdue tasks again\n`),
    );
    expect(result.stdout).toContain(line(300));
    expect(result.stdout).toContain('- disk_report: low disk');
    expect(pendingOf(h.pending)).toEqual([]);
    // Back to normal: the new state knows the episode.
    expect((await heartbeat(h.args)).stdout).toBe('HEARTBEAT_OK\n');
  });

  it('a heartbeat whose output fails records nothing: the overdue task is reported by the next one', async () => {
    const h = overdueHome();
    h.append(record('backup', 300, true, { scheduled: true }));
    const failed = await runCliWithStdoutTo('/dev/full', ['heartbeat', ...h.args]);
    expect(failed.code).toBe(1);
    expect(existsSync(h.state) ? JSON.parse(readFileSync(h.state, 'utf8')) : {}).toEqual({});
    expect((await heartbeat(h.args)).stdout).toBe(line(300));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('runner heartbeat: overdue tasks without a place to keep their state', () => {
  it('reports every overdue task on every beat, saying why, and still drains the alerts', async () => {
    const h = heartbeatHome({ tasks: { backup: { schedule: '*/15 * * * *' } } });
    writeFile(h.home, 'tasks/backup.mjs', quickNamed('backup'));
    const old = new Date(Date.now() - 300 * 60_000).toISOString();
    writeFile(h.home, 'logs/tasks.jsonl', `${JSON.stringify({ task: 'backup', dry_run: false, timestamp: old, success: true, duration_seconds: 1, run_id: 'b', attempts: 1, scheduled: true })}\n`);
    // `.runner` is a file: the state folder cannot be made.
    writeFile(h.home, '.runner', 'not a folder\n');
    writeAlerts(h.pending, [{ id: 'w1', task: 'disk_report', timestamp: old, level: 'warning', message: 'low disk' }]);
    for (const round of [1, 2]) {
      const result = await heartbeat(h.args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Heartbeat problem: cannot keep track of reported overdue tasks in ${h.home}/\\.runner/overdue-reported\\.json \\(.*\\); every overdue task is reported on every heartbeat until it can\n`));
      expect(result.stdout).toContain('OVERDUE: backup has not succeeded since');
      if (round === 1) expect(result.stdout).toContain('- disk_report: low disk');
    }
    expect(pendingOf(h.pending)).toEqual([]);
  });
});
