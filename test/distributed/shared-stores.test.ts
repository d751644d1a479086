import { afterAll, beforeAll, expect, it } from 'vitest';
import type { QueueTarget } from '../../src/config/queue.js';
import { openQueueConnection, type QueueConnection } from '../../src/distributed/connection.js';
import { openSharedStores, type SharedStores } from '../../src/distributed/open-shared-stores.js';
import { PostgresHistory } from '../../src/distributed/shared-history-postgres.js';
import type { Alert } from '../../src/store/alerts.js';
import type { RunRecord } from '../../src/store/run-log.js';
import { describeOnServers } from './helpers.js';

// The shared stores in-process, against the real servers: the same suite on Redis and PostgreSQL.
await describeOnServers('shared stores', (server) => {
  const { prefix } = server;

  const target: QueueTarget = { kind: server.kind, url: server.url, displayUrl: server.url, prefix };
  const connections: QueueConnection[] = [];
  let stores: SharedStores;

  async function open(options?: { historyLimit?: number }): Promise<SharedStores> {
    const connection = await openQueueConnection(target, { bullmq: false });
    connections.push(connection);
    return openSharedStores(connection, options);
  }

  beforeAll(async () => {
    stores = await open();
  });
  afterAll(async () => {
    for (const connection of connections) await connection.close();
  });

  it('raises alerts in the file inbox format, lists them oldest first, and acks by id', async () => {
    const a = await stores.alerts.raise({ task: 'disk', level: 'warning', message: 'first' });
    const b = await stores.alerts.raise({ task: 'disk', level: 'critical', message: 'second' });
    expect(a.added).toBe(true);
    expect(Object.keys(a.alert)).toEqual(['id', 'task', 'timestamp', 'level', 'message']);
    expect(a.alert.id).toMatch(/^[0-9a-f]{12}$/);
    expect(await stores.alerts.list()).toEqual([a.alert, b.alert]);
    expect(await stores.alerts.ack([a.alert.id, 'nope', a.alert.id])).toEqual(['nope']);
    expect(await stores.alerts.list()).toEqual([b.alert]);
    expect(await stores.alerts.drain(async () => {})).toEqual([b.alert]);
    expect(await stores.alerts.list()).toEqual([]);
  });

  it('refuses an unknown level and writes nothing in dry-run', async () => {
    await expect(stores.alerts.raise({ task: 'x', level: 'loud' as 'info', message: 'm' })).rejects.toThrow(TypeError);
    const dry = await stores.alerts.raise({ task: 'x', level: 'info', message: 'dry' }, { dryRun: true });
    expect(dry.added).toBe(false);
    expect(await stores.alerts.list()).toEqual([]);
  });

  it('unlessPending: identical raises from several connections at once add one alert', async () => {
    const others = await Promise.all([open(), open(), open()]);
    const raises = await Promise.all(
      [stores, ...others].flatMap((s) => Array.from({ length: 5 }, () => s.alerts.raise({ task: 'gw', level: 'error', message: 'down' }, { unlessPending: true }))),
    );
    expect(raises.filter((r) => r.added)).toHaveLength(1);
    const pending = await stores.alerts.list();
    expect(pending).toHaveLength(1);
    expect(new Set(raises.map((r) => r.alert.id))).toEqual(new Set([pending[0]!.id]));
    await stores.alerts.drain(async () => {});
  });

  it('a keyed raise refreshes the pending alert (same id, newest message, highest level); resolve removes it', async () => {
    const first = await stores.alerts.raise({ task: 'system_health', level: 'critical', message: 'disk 95%', key: 'system_health:disk' });
    expect(first).toMatchObject({ added: true, escalated: false });
    expect(Object.keys(first.alert)).toEqual(['id', 'task', 'timestamp', 'level', 'message', 'key']);
    const plain = await stores.alerts.raise({ task: 'x', level: 'info', message: 'no key' });
    const second = await stores.alerts.raise({ task: 'system_health', level: 'error', message: 'disk 96%', key: 'system_health:disk' });
    expect(second).toMatchObject({ added: false, escalated: false, alert: { id: first.alert.id, level: 'critical', message: 'disk 96%' } });
    const third = await stores.alerts.raise({ task: 'system_health', level: 'critical', message: 'gateway down', key: 'system_health:gateway' });
    const failedRun = await stores.alerts.raise({ task: 'backup', level: 'error', message: 'x', key: 'run-failed:backup' });
    expect(failedRun.added).toBe(true);
    expect(await stores.alerts.list()).toEqual([second.alert, plain.alert, third.alert, failedRun.alert]);
    expect(await stores.alerts.resolve('system_health:disk')).toEqual([second.alert]);
    expect(await stores.alerts.resolve('system_health:disk')).toEqual([]);
    expect(await stores.alerts.list()).toEqual([plain.alert, third.alert, failedRun.alert]);
    const again = await stores.alerts.raise({ task: 'system_health', level: 'error', message: 'disk 97%', key: 'system_health:disk' });
    expect(again.added).toBe(true);
    expect(again.alert.id).not.toBe(first.alert.id);
    await stores.alerts.drain(async () => {});
  });

  it('a refresh to a higher level says it escalated', async () => {
    await stores.alerts.raise({ task: 't', level: 'error', message: 'down', key: 'k' });
    const raised = await stores.alerts.raise({ task: 't', level: 'critical', message: 'down for an hour', key: 'k' });
    expect(raised).toMatchObject({ added: false, escalated: true, alert: { level: 'critical', message: 'down for an hour' } });
    expect(await stores.alerts.list()).toEqual([raised.alert]);
    await stores.alerts.drain(async () => {});
  });

  it('keyed raises of one key from several connections at once leave one alert, at the highest level', async () => {
    const others = await Promise.all([open(), open(), open()]);
    const raises = await Promise.all(
      [stores, ...others].flatMap((s, c) =>
        Array.from({ length: 6 }, (_, i) => s.alerts.raise({ task: `t${c}`, level: c === 2 && i === 3 ? 'critical' : 'error', message: `m${c}.${i}`, key: 'gw' })),
      ),
    );
    expect(raises.filter((r) => r.added)).toHaveLength(1);
    const pending = await stores.alerts.list();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ key: 'gw', level: 'critical' });
    expect(new Set(raises.map((r) => r.alert.id))).toEqual(new Set([pending[0]!.id]));
    await stores.alerts.drain(async () => {});
  });

  it('raises and resolves of one key at once never leave two alerts, and a resolve after them leaves none', async () => {
    const others = await Promise.all([open(), open()]);
    await Promise.all(
      [stores, ...others].flatMap((s) =>
        Array.from({ length: 8 }, (_, i) => (i % 3 === 0 ? s.alerts.resolve('flap') : s.alerts.raise({ task: 't', level: 'error', message: `m${i}`, key: 'flap' }))),
      ),
    );
    expect((await stores.alerts.list()).filter((alert) => alert.key === 'flap').length).toBeLessThanOrEqual(1);
    await stores.alerts.resolve('flap');
    expect(await stores.alerts.list()).toEqual([]);
  });

  it('a failing consume removes nothing; an alert raised during a drain stays for the next one', async () => {
    await stores.alerts.raise({ task: 't', level: 'info', message: 'one' });
    await expect(stores.alerts.drain(async () => Promise.reject(new Error('EPIPE')))).rejects.toThrow('EPIPE');
    expect(await stores.alerts.list()).toHaveLength(1);
    let late: Alert | undefined;
    const drained = await stores.alerts.drain(async () => {
      late = (await stores.alerts.raise({ task: 't', level: 'info', message: 'late' })).alert;
    });
    expect(drained.map((a) => a.message)).toEqual(['one']);
    expect(await stores.alerts.list()).toEqual([late]);
    await stores.alerts.drain(async () => {});
  });

  it('concurrent raisers on several connections and concurrent drainers: none lost, none handed out twice', async () => {
    const raisers = await Promise.all([open(), open(), open()]);
    const drainers = await Promise.all([open(), open()]);
    let raising = true;
    const handedOut: Alert[] = [];
    const drainLoop = async (s: SharedStores) => {
      while (raising) {
        await s.alerts.drain(async (alerts) => {
          handedOut.push(...alerts);
        });
      }
    };
    const loops = drainers.map(drainLoop);
    const raised = await Promise.all(
      raisers.map(async (s, r) => {
        const ids: string[] = [];
        for (let i = 0; i < 40; i++) ids.push((await s.alerts.raise({ task: `r${r}`, level: 'warning', message: `m${i}` })).alert.id);
        return ids;
      }),
    );
    raising = false;
    await Promise.all(loops);
    await stores.alerts.drain(async (alerts) => {
      handedOut.push(...alerts);
    });
    const ids = handedOut.map((a) => a.id);
    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(new Set(raised.flat()));
  });

  it('keeps run records as given and reads them newest first, bounded', async () => {
    const history = stores.history;
    const records: RunRecord[] = Array.from({ length: 600 }, (_, i) => ({
      task: `h${i % 3}`,
      dry_run: false,
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      success: i % 5 !== 0,
      message: `run ${i}`,
      duration_seconds: 0.5,
      run_id: `r${i}`,
      attempts: 1,
    }));
    for (const record of records) await history.append(record);
    const seen: RunRecord[] = [];
    await history.scanNewestFirst((record) => {
      seen.push(record);
    });
    expect(seen.length).toBe(600);
    expect(seen[0]).toEqual(records[599]);
    expect(JSON.stringify(seen[0])).toBe(JSON.stringify(records[599]));
    expect(seen.map((r) => r.run_id)).toEqual(records.map((r) => r.run_id).reverse());
    const firstTen: RunRecord[] = [];
    await history.scanNewestFirst((record) => {
      firstTen.push(record);
    }, { maxRecords: 10 });
    expect(firstTen.map((r) => r.run_id)).toEqual(seen.slice(0, 10).map((r) => r.run_id));
    let stopped = 0;
    await history.scanNewestFirst(() => ++stopped < 3);
    expect(stopped).toBe(3);
  });

  it('keeps the order of records appended at once (sent together while one append is under way)', async () => {
    const stores = await open();
    await Promise.all(Array.from({ length: 100 }, (_, i) => stores.history.append({ task: 'burst', timestamp: `t${i}`, success: true, n: i })));
    const seen: number[] = [];
    await stores.history.scanNewestFirst((record) => {
      if (record.task === 'burst') seen.push(record.n as number);
    });
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => 99 - i));
  });

  it('trims the history to its bound on append', async () => {
    const small = await open({ historyLimit: 50 });
    for (let i = 0; i < 300; i++) await small.history.append({ task: 'trim', timestamp: `t${i}`, success: true });
    let count = 0;
    await small.history.scanNewestFirst(() => {
      count += 1;
    });
    // Redis trims with `MAXLEN ~` (whole nodes of entries): about the bound, never all of them.
    expect(count).toBeGreaterThanOrEqual(50);
    expect(count).toBeLessThan(300);
  });

  it('keeps a large history within about 1 % of its bound (PostgreSQL trims at one append in limit/100)', async () => {
    const bounded = await open({ historyLimit: 1000 });
    for (let i = 0; i < 1500; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => bounded.history.append({ task: 'bound', timestamp: `t${i + j}`, success: true, n: i + j })));
    }
    const seen: number[] = [];
    await bounded.history.scanNewestFirst((record) => {
      seen.push(record.n as number);
    });
    expect(seen.length).toBeGreaterThanOrEqual(1000);
    expect(seen.length).toBeLessThanOrEqual(1100);
    expect(seen.slice(0, 3)).toEqual([1499, 1498, 1497]);
  });

  // PostgreSQL only: Redis trims inside the XADD itself.
  if (server.kind === 'postgres') {
    it('tables made before alerts had keys get the key column, and their alerts stay', async () => {
      const oldPrefix = server.newPrefix();
      const connection = await openQueueConnection({ ...target, prefix: oldPrefix }, { bullmq: false });
      try {
        // The tables as the previous version made them: runner_alerts without alert_key.
        const pg = connection.pg!;
        await pg.query(`CREATE SCHEMA IF NOT EXISTS "${oldPrefix}"`);
        await pg.query(`CREATE TABLE "${oldPrefix}".runner_alerts (seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, task text NOT NULL, level text NOT NULL, message text NOT NULL, body text NOT NULL)`);
        for (const statement of PostgresHistory.ddl(oldPrefix)) await pg.query(statement);
        const old = { id: 'a1b2c3d4e5f6', task: 'backup', timestamp: '2026-01-01T00:00:00.000Z', level: 'error', message: 'old alert' };
        await pg.query(`INSERT INTO "${oldPrefix}".runner_alerts (id, task, level, message, body) VALUES ($1, $2, $3, $4, $5)`, [old.id, old.task, old.level, old.message, JSON.stringify(old)]);
        const upgraded = await openSharedStores(connection);
        const raised = await upgraded.alerts.raise({ task: 'system_health', level: 'error', message: 'gateway down', key: 'system_health:gateway' });
        const again = await upgraded.alerts.raise({ task: 'system_health', level: 'error', message: 'gateway still down', key: 'system_health:gateway' });
        expect(again).toMatchObject({ added: false, alert: { id: raised.alert.id, message: 'gateway still down' } });
        expect(await upgraded.alerts.list()).toEqual([old, again.alert]);
        expect(await upgraded.alerts.resolve('system_health:gateway')).toEqual([again.alert]);
        expect(await upgraded.alerts.list()).toEqual([old]);
      } finally {
        await connection.close();
      }
    });

    it('an append whose trim fails still resolves, and the next trim catches up', async () => {
      const trimPrefix = server.newPrefix();
      const connection = await openQueueConnection({ ...target, prefix: trimPrefix }, { bullmq: false });
      try {
        // A limit of 10 trims at every append.
        const small = await openSharedStores(connection, { historyLimit: 10 });
        await small.history.append({ task: 'trim-fault', timestamp: 't-first', success: true });
        const table = `"${trimPrefix}".runner_history`;
        await connection.pg!.query(`CREATE FUNCTION "${trimPrefix}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no deletes'; END $$`);
        await connection.pg!.query(`CREATE TRIGGER refuse_delete BEFORE DELETE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION "${trimPrefix}".refuse()`);
        for (let i = 0; i < 20; i++) await small.history.append({ task: 'trim-fault', timestamp: `t${i}`, success: true, n: i });
        const count = async () => Number((await connection.pg!.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
        expect(await count()).toBe(21);
        await connection.pg!.query(`DROP TRIGGER refuse_delete ON ${table}`);
        await small.history.append({ task: 'trim-fault', timestamp: 't-last', success: true });
        expect(await count()).toBe(10);
      } finally {
        await connection.close();
      }
    });
  }
});
