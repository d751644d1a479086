import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { calendarDay } from '../../src/core/time.js';
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
    expect(note).toEqual({ ack: 'HEARTBEAT_OK', alerts: [], daily_note: expect.stringMatching(/^memory\/\d{4}-\d{2}-\d{2}\.md$/), created_daily_note: true });
    const alert = { id: 'e1', task: 'writer', timestamp: '2026-02-03T17:35:00Z', level: 'error', message: 'x'.repeat(500) };
    writeAlerts(h.pending, [alert]);
    const loud = JSON.parse((await heartbeat([...h.args, '--json'])).stdout) as Record<string, unknown>;
    expect(loud).toEqual({ message: expect.stringContaining('ERROR (1):\n- writer: xxx'), alerts: [alert], daily_note: note.daily_note, created_daily_note: false });
    expect(loud).not.toHaveProperty('ack');
    // The message cuts a long alert; the JSON keeps it whole.
    expect((loud.message as string).length).toBeLessThan(300);
  });

  it('leaves an existing daily note alone: same content, same mtime', async () => {
    const h = heartbeatHome();
    const today = calendarDay(new Date(), ZONE);
    const file = writeFile(h.workspace, `memory/${today}.md`, '## Morning\n- **Cron** moved\n');
    utimesSync(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    const before = statSync(file);
    const result = await heartbeat([...h.args, '--json']);
    // Midnight between writing the note and the heartbeat would make another day; the note is untouched either way.
    if (result.days[0] === today) expect(JSON.parse(result.stdout)).toMatchObject({ daily_note: `memory/${today}.md`, created_daily_note: false });
    expect(readFileSync(file, 'utf8')).toBe('## Morning\n- **Cron** moved\n');
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
  });

  it('counts a memory/<day>-<slug>.md as today\'s note and creates no other', async () => {
    const h = heartbeatHome();
    const today = calendarDay(new Date(), ZONE);
    writeFile(h.workspace, `memory/${today}-api-design.md`, '- decided things\n');
    const result = await heartbeat([...h.args, '--json']);
    if (result.days[0] !== today) return; // midnight passed: another day's note, nothing to check
    expect(JSON.parse(result.stdout)).toMatchObject({ daily_note: `memory/${today}-api-design.md`, created_daily_note: false });
    expect(readdirSync(path.join(h.workspace, 'memory'))).toEqual([`${today}-api-design.md`]);
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

    writeFile(state, 'openclaw.json', '{ agents: { defaults: { workspace: ');
    const bad = await heartbeat(['--home', h.home], { HOME: h.home, OPENCLAW_STATE_DIR: state });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`OpenClaw config ${path.join(state, 'openclaw.json')} cannot be parsed`);
  });
});
