import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, readRecords, writeFile } from '../helpers/cli.js';
import { liveEvents, startDashboardProcess, type Dashboard, type LiveEvents } from './helpers.js';

/** A user task that shares its name with a built-in command. */
const NAMED_HEARTBEAT = `
import { Task } from 'taskrunner';
export default class Heartbeat extends Task {
  name = 'heartbeat';
  description = 'A user task named like the heartbeat command';
  defaults = { attempts: 1 };
  async run(ctx) {
    return { success: true, message: 'the user task ran' + (ctx.dryRun ? ' (dry)' : '') };
  }
}
`;

const PENDING = `${JSON.stringify([
  { id: 'a1c0ffee0001', task: 'system_health', timestamp: '2026-02-03T17:35:00+00:00', level: 'critical', message: 'disk critical: / is 93% used' },
], null, 2)}\n`;

interface RunFinished {
  id: string;
  task: string;
  code: number | null;
  output: string;
}

describe('Run now on a task named like a command', () => {
  const { home, workspace } = makeHome('taskrunner-dashboard-run-now-');
  let dashboard: Dashboard;
  let events: LiveEvents;

  beforeAll(async () => {
    writeFile(home, 'tasks/heartbeat.mjs', NAMED_HEARTBEAT);
    writeFile(home, 'alerts/pending.json', PENDING);
    dashboard = await startDashboardProcess(['--home', home, '--workspace', workspace]);
    events = await liveEvents(dashboard.url);
  });

  afterAll(async () => {
    events?.close();
    if (dashboard) expect(await dashboard.stop()).toBe(0);
  });

  /** POST Run now as the page does, and wait for the run's end on the live stream. */
  async function runNow(task: string, dryRun: boolean): Promise<RunFinished> {
    const response = await fetch(`${dashboard.url}api/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(dashboard.url).origin },
      body: JSON.stringify({ task, dry_run: dryRun }),
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    const finished = await events.next((event) => event.type === 'run' && event.data.id === id && event.data.state === 'finished');
    return finished.data as unknown as RunFinished;
  }

  it('runs the user task, not `runner heartbeat`: its record is written and the alerts stay pending', async () => {
    const run = await runNow('heartbeat', false);
    expect(run.output).toContain('the user task ran');
    expect(run.code).toBe(0);
    const records = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records).toEqual([expect.objectContaining({ task: 'heartbeat', success: true, dry_run: false, message: 'the user task ran' })]);
    // The heartbeat command would have drained the alerts and created today's daily note.
    expect(readFileSync(path.join(home, 'alerts', 'pending.json'), 'utf8')).toBe(PENDING);
    expect(readdirSync(path.join(workspace, 'memory'))).toEqual([]);
  });

  it('passes --dry-run to the task', async () => {
    const run = await runNow('heartbeat', true);
    expect(run.code).toBe(0);
    expect(run.output).toContain('the user task ran (dry)');
    const records = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records[records.length - 1]).toMatchObject({ task: 'heartbeat', success: true, dry_run: true });
    expect(readFileSync(path.join(home, 'alerts', 'pending.json'), 'utf8')).toBe(PENDING);
  });
});
