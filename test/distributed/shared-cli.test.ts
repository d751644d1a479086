import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { quickNamed } from '../fixtures/tasks.js';
import { makeHome, runCli, writeFile, type CliResult } from '../helpers/cli.js';
import { describeOnServers } from './helpers.js';

/** Raises `args[0]` alerts, each naming its run and number, then succeeds. */
const BURST = `
import { Task } from 'taskrunner';
export default class Burst extends Task {
  name = 'burst';
  description = 'Raises alerts';
  async run(ctx) {
    const count = Number(ctx.args[0] ?? 15);
    for (let i = 0; i < count; i++) await ctx.alert(ctx.runId + ' #' + i, 'warning');
    return { success: true, message: 'raised ' + count };
  }
}
`;

/** Raises an error alert, then fails. */
const BROKEN = `
import { Task } from 'taskrunner';
export default class Broken extends Task {
  name = 'broken';
  description = 'Alerts, then fails';
  async run(ctx) {
    await ctx.alert('disk on fire', 'error');
    throw new Error('the disk is on fire');
  }
}
`;

interface Alert {
  id: string;
  task: string;
  level: string;
  message: string;
  timestamp: string;
}

/** A runner home ("a host") whose config points at the shared queue. */
function host(url: string, prefix: string) {
  const { home, workspace } = makeHome('taskrunner-shared-');
  writeFile(home, 'tasks/burst.mjs', BURST);
  writeFile(home, 'tasks/broken.mjs', BROKEN);
  writeFile(home, 'runner.config.json', JSON.stringify({ workspace, retry: { attempts: 1 }, queue: { url, prefix } }));
  return { home, workspace, run: (args: string[]) => runCli([...args, '--home', home]) };
}

function parsed<T>(result: CliResult): T {
  expect(result.stderr, `exit ${result.code}`).not.toMatch(/error:/);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

// The real CLI as processes, several "hosts" (homes) sharing one queue server.
await describeOnServers('shared alerts and history through the CLI', (server) => {
  const { prefix } = server;

  it('alerts raised by 4 processes on 4 hosts, drained in a loop from a fifth: none lost, none twice', async () => {
    const raisers = Array.from({ length: 4 }, () => host(server.url, prefix));
    const drainer = host(server.url, prefix);
    let running = true;
    const drained: Alert[] = [];
    let drains = 0;
    const loop = (async () => {
      // At least one drain overlaps the raisers, whatever the timing.
      while (running || drains === 0) {
        drained.push(...parsed<Alert[]>(await drainer.run(['alerts', '--drain', '--json'])));
        drains += 1;
      }
    })();
    const runs = await Promise.all(raisers.map((h) => h.run(['burst', '15', '--json'])));
    running = false;
    await loop;
    drained.push(...parsed<Alert[]>(await drainer.run(['alerts', '--drain', '--json'])));

    const runIds = runs.map((result) => parsed<{ run_id: string; success: boolean }>(result).run_id);
    const expected = runIds.flatMap((id) => Array.from({ length: 15 }, (_, i) => `${id} #${i}`));
    const ids = drained.map((alert) => alert.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(drained.map((alert) => alert.message).sort()).toEqual(expected.sort());
    expect(drained[0]).toMatchObject({ task: 'burst', level: 'warning' });
    expect(Object.keys(drained[0]!)).toEqual(['id', 'task', 'timestamp', 'level', 'message']);
    // Nothing went to any host's file inbox.
    for (const h of [...raisers, drainer]) expect(existsSync(path.join(h.home, 'alerts', 'pending.json'))).toBe(false);
    expect(parsed<Alert[]>(await drainer.run(['alerts', '--json']))).toEqual([]);
  });

  it('a failed run on host A shows in status and heartbeat on host B', async () => {
    const a = host(server.url, prefix);
    const b = host(server.url, prefix);
    const failed = await a.run(['broken']);
    expect(failed.code).toBe(1);

    const status = parsed<{ tasks: { task: string; last_result: string; last_error: string | null; runs: number }[] }>(
      await b.run(['status', '--json']),
    );
    expect(status.tasks.find((t) => t.task === 'broken')).toMatchObject({ last_result: 'failed', last_error: 'the disk is on fire', runs: 1 });
    const table = await b.run(['status']);
    expect(table.stdout).toMatch(/broken .*failed/);
    expect(existsSync(path.join(b.home, 'logs', 'tasks.jsonl'))).toBe(false);

    const beat = parsed<{ message?: string; alerts: Alert[] }>(await b.run(['heartbeat', '--json']));
    expect(beat.message).toContain('broken: disk on fire');
    expect(beat.alerts.map((alert) => alert.message)).toContain('disk on fire');
    // Drained for every host: A's next heartbeat has nothing.
    const quiet = await a.run(['heartbeat']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('HEARTBEAT_OK\n');
  });

  it("the shared history holds the record exactly as host A's logs/tasks.jsonl has it", async () => {
    const a = host(server.url, prefix);
    expect((await a.run(['burst', '1'])).code).toBe(0);
    const line = readFileSync(path.join(a.home, 'logs', 'tasks.jsonl'), 'utf8').trim();
    const status = parsed<{ tasks: { task: string; last_run: string }[] }>(await host(server.url, prefix).run(['status', '--json']));
    expect(status.tasks.find((t) => t.task === 'burst')?.last_run).toBe((JSON.parse(line) as { timestamp: string }).timestamp);
    // The stored text itself, read back through the library the CLI uses.
    const { openQueueConnection } = await import('../../src/distributed/connection.js');
    const { openSharedStores } = await import('../../src/distributed/open-shared-stores.js');
    const connection = await openQueueConnection({ kind: server.kind, url: server.url, displayUrl: server.url, prefix }, { bullmq: false });
    try {
      const stores = await openSharedStores(connection);
      let newest: unknown;
      await stores.history.scanNewestFirst((record) => {
        newest = record;
        return false;
      });
      expect(JSON.stringify(newest)).toBe(line);
    } finally {
      await connection.close();
    }
  });

  it("a scheduled task that fell behind on host A is overdue in host B's status and heartbeat, reported once", async () => {
    // A task name of this test only: the history is shared by the whole describe.
    const task = `late_${server.kind}`;
    const b = host(server.url, prefix);
    writeFile(b.home, `tasks/${task}.mjs`, quickNamed(task));
    writeFile(b.home, 'runner.config.json', JSON.stringify({
      workspace: b.workspace, timezone: 'UTC', queue: { url: server.url, prefix }, tasks: { [task]: { schedule: '*/15 * * * *' } },
    }));
    const old = new Date(Date.now() - 5 * 3_600_000).toISOString();
    // Host A's scheduled run, five hours ago, straight into the shared history.
    const { openQueueConnection } = await import('../../src/distributed/connection.js');
    const { openSharedStores } = await import('../../src/distributed/open-shared-stores.js');
    const connection = await openQueueConnection({ kind: server.kind, url: server.url, displayUrl: server.url, prefix }, { bullmq: false });
    try {
      const stores = await openSharedStores(connection);
      await stores.history.append({ task, dry_run: false, timestamp: old, success: true, duration_seconds: 1, run_id: 'a1', attempts: 1, scheduled: true });
      await stores.close();
    } finally {
      await connection.close();
    }
    const status = parsed<{ tasks: { task: string; overdue: boolean; overdue_since: string | null }[] }>(await b.run(['status', '--json']));
    expect(status.tasks.find((t) => t.task === task)).toMatchObject({ overdue: true, overdue_since: old });
    const beat = parsed<{ message?: string; overdue: { task: string }[] }>(await b.run(['heartbeat', '--json']));
    expect(beat.overdue.map((entry) => entry.task)).toEqual([task]);
    expect(beat.message).toContain(`OVERDUE: ${task} has not succeeded since`);
    expect(parsed<{ overdue: unknown[] }>(await b.run(['heartbeat', '--json'])).overdue).toEqual([]);
    expect(existsSync(path.join(b.home, 'logs', 'tasks.jsonl'))).toBe(false);
  });

  it('alerts ack removes by id for every host and names ids that are not pending', async () => {
    const a = host(server.url, prefix);
    const b = host(server.url, prefix);
    await b.run(['alerts', '--drain', '--json']);
    expect((await a.run(['burst', '2'])).code).toBe(0);
    const pending = parsed<Alert[]>(await b.run(['alerts', '--json']));
    expect(pending).toHaveLength(2);
    const ack = await b.run(['alerts', 'ack', pending[0]!.id, 'feedbeef0000', '--json']);
    expect(ack.code).toBe(1);
    expect(JSON.parse(ack.stdout)).toEqual({ acknowledged: [pending[0]!.id], missing: ['feedbeef0000'] });
    expect(parsed<Alert[]>(await a.run(['alerts', '--drain', '--json']))).toEqual([pending[1]]);
  });
});

describe('an unreachable queue server', () => {
  const cases = [
    { url: 'redis://:secret@127.0.0.1:1', shown: 'redis://:***@127.0.0.1:1' },
    { url: 'postgres://postgres:secret@127.0.0.1:1/test', shown: 'postgres://postgres:***@127.0.0.1:1/test' },
  ];
  for (const { url, shown } of cases) {
    it(`fails clearly with exit 1, naming ${shown} without its password`, async () => {
      const h = host(url, 'unreachable');
      for (const args of [['alerts', '--drain', '--json'], ['alerts'], ['status'], ['heartbeat'], ['burst', '1']]) {
        const result = await h.run(args);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr).toContain(`cannot reach the queue server at ${shown}`);
        expect(result.stderr).not.toContain('secret');
        expect(result.stdout).toBe('');
      }
      // The task did not run: no record, no alert file.
      expect(existsSync(path.join(h.home, 'logs', 'tasks.jsonl'))).toBe(false);
      expect(existsSync(path.join(h.home, 'alerts', 'pending.json'))).toBe(false);
    });
  }
});
