import { expect, it } from 'vitest';
import { openSharedStores } from '../../src/distributed/open-shared-stores.js';
import type { Alert } from '../../src/store/alerts.js';
import { makeHome, runCli, writeFile } from '../helpers/cli.js';
import { describeOnServers, withServer } from './helpers.js';

// Entries of the shared inbox that are not alerts (a hand edit, a bug, a half-restored backup):
// each command used to fail on them (not JSON) or hide them for ever (an id without its alert).
await describeOnServers('unreadable entries of the shared alerts inbox', (server) => {
  const { prefix } = server;

  it('are reported once, naming the id and the problem, and removed; the readable alerts still show and drain', async () => {
    const { home, workspace } = makeHome('taskrunner-badalerts-');
    writeFile(home, 'runner.config.json', JSON.stringify({ workspace, queue: { url: server.url, prefix } }));
    const good = await withServer(server.kind, prefix, async (connection) => {
      const stores = await openSharedStores(connection);
      const { alert } = await stores.alerts.raise({ task: 'disk', level: 'error', message: 'disk almost full' });
      if (connection.redis) {
        const base = `${prefix}:runner-store:`;
        await connection.redis.zadd(`${base}alerts`, 1000, 'notjson00001', 1001, 'noalert00002', 1002, 'missing00003');
        await connection.redis.hset(`${base}alerts-data`, 'notjson00001', '{"id": "notjson00001", "task"', 'noalert00002', '42');
      } else {
        await connection.pg!.query(
          `INSERT INTO "${prefix}".runner_alerts (id, task, level, message, body) VALUES ('notjson00001', 't', 'error', 'm', '{"id": "notjson00001", "task"'), ('noalert00002', 't', 'error', 'm', '42')`,
        );
      }
      return alert;
    });
    const bad =
      server.kind === 'redis'
        ? { notjson00001: /not JSON \(.*\): \{"id": "notjson00001", "task"$/, noalert00002: /not an alert object: 42/, missing00003: /the alert itself is missing/ }
        : { notjson00001: /not JSON \(.*\): \{"id": "notjson00001", "task"$/, noalert00002: /not an alert object: 42/ };

    const listed = await runCli(['alerts', '--json', '--home', home]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout) as Alert[]).toEqual([good]);
    for (const [id, why] of Object.entries(bad)) {
      const line = listed.stderr.split('\n').find((text) => text.includes(id));
      expect(line, `a warning naming ${id}`).toMatch(/^warning: removed unreadable alert \S+ from the shared alerts inbox at /);
      expect(line).toMatch(why);
    }

    // Gone from the server: no id left pending for ever.
    await withServer(server.kind, prefix, async (connection) => {
      if (connection.redis) {
        expect(await connection.redis.zrange(`${prefix}:runner-store:alerts`, '0', '-1')).toEqual([good.id]);
        expect(await connection.redis.hkeys(`${prefix}:runner-store:alerts-data`)).toEqual([good.id]);
      } else {
        const { rows } = await connection.pg!.query(`SELECT id FROM "${prefix}".runner_alerts`);
        expect(rows.map((row: { id: string }) => row.id)).toEqual([good.id]);
      }
    });

    // Reported once: the heartbeat after it says nothing of them, and drains the readable alert.
    const beat = await runCli(['heartbeat', '--json', '--home', home]);
    expect(beat.code, beat.stderr).toBe(0);
    expect(beat.stderr).not.toMatch(/unreadable/);
    expect((JSON.parse(beat.stdout) as { alerts: Alert[] }).alerts).toEqual([good]);
    const after = await runCli(['alerts', '--json', '--home', home]);
    expect(JSON.parse(after.stdout)).toEqual([]);
    expect(after.stderr).toBe('');
  });
});
