import type { PgPool } from 'bullmq';
import { createAlert, refreshAlert, type Alert, type AppendAlertOptions, type NewAlert, type RaisedAlert } from '../store/alerts.js';
import { quoteIdentifier } from './connection.js';
import type { AlertInbox } from '../store/ports.js';
import { readStoredAlert, type DroppedAlertReporter } from './stored-alert.js';

/** A pool client as the stores use it. */
interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(error?: Error | boolean): void;
}

/** The pool as the stores use it (bullmq's `PgPool` type, narrowed to what is called). */
export interface StorePool {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  connect(): Promise<PgClient>;
}

/** The pool of a connection, typed for the stores. */
export function storePool(pool: PgPool): StorePool {
  return pool as unknown as StorePool;
}

/**
 * The alerts inbox in PostgreSQL: the table `<schema>.runner_alerts`, one row per pending alert,
 * `seq` giving the order they were raised in and `body` the alert's JSON exactly as the file inbox
 * stores it (text, not jsonb, which would reorder its keys).
 *
 * `alert_key` holds the alert's key (NULL without one, and in rows of earlier versions). A raise
 * with a key, or with `unlessPending`, checks and inserts (or refreshes the pending alert with that
 * key) in one transaction under an advisory lock, so two raises at once add one alert; a resolve
 * deletes the rows with its key in one statement; drains and acks take turns under a session advisory lock
 * and remove exactly the ids handed out (`DELETE … WHERE id = ANY($1) RETURNING id`), so an alert
 * raised during a drain stays for the next one and none is handed out twice. A row whose body
 * cannot be read as an alert is deleted by the read that finds it and reported to `onDropped`.
 */
export class PostgresAlertInbox implements AlertInbox {
  private readonly table: string;
  private readonly raiseLock: string;
  private readonly drainLock: string;

  private readonly pool: StorePool;
  private readonly onDropped?: DroppedAlertReporter;
  constructor(
    pool: StorePool,
    schema: string,
    onDropped?: DroppedAlertReporter,
  ) {
    this.pool = pool;
    this.onDropped = onDropped;
    this.table = `${quoteIdentifier(schema)}.runner_alerts`;
    this.raiseLock = `${schema}.runner_alerts.raise`;
    this.drainLock = `${schema}.runner_alerts.drain`;
  }

  /** Create the table unless it exists (run once per connection, under the schema's store lock). */
  static ddl(schema: string): string[] {
    const table = `${quoteIdentifier(schema)}.runner_alerts`;
    return [
      `CREATE TABLE IF NOT EXISTS ${table} (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        task text NOT NULL,
        level text NOT NULL,
        message text NOT NULL,
        body text NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS runner_alerts_same ON ${table} (task, level, message)`,
      `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS alert_key text`,
      `CREATE INDEX IF NOT EXISTS runner_alerts_key ON ${table} (alert_key)`,
    ];
  }

  async raise(alert: NewAlert, options: AppendAlertOptions = {}): Promise<RaisedAlert> {
    const entry = createAlert(alert);
    if (options.dryRun) return { alert: entry, added: false, escalated: false };
    const insert = `INSERT INTO ${this.table} (id, task, level, message, body, alert_key) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`;
    const values = [entry.id, entry.task, entry.level, entry.message, JSON.stringify(entry), entry.key ?? null];
    const added: RaisedAlert = { alert: entry, added: true, escalated: false };
    if (entry.key === undefined && !options.unlessPending) {
      await this.pool.query(insert, values);
      return added;
    }
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.raiseLock]);
      const found =
        entry.key === undefined
          ? await client.query(`SELECT id, body FROM ${this.table} WHERE task = $1 AND level = $2 AND message = $3 ORDER BY seq LIMIT 1`, [
              entry.task,
              entry.level,
              entry.message,
            ])
          : await client.query(`SELECT id, body FROM ${this.table} WHERE alert_key = $1 ORDER BY seq LIMIT 1`, [entry.key]);
      const pending = found.rows[0];
      // An unreadable row is no pending alert: the next read of the inbox drops it.
      const read = pending === undefined ? undefined : readStoredAlert(String(pending.id), String(pending.body));
      if (!read?.ok) {
        await client.query(insert, values);
        return added;
      }
      if (entry.key === undefined) return { alert: read.alert, added: false, escalated: false };
      const refreshed = refreshAlert(read.alert, entry);
      await client.query(`UPDATE ${this.table} SET task = $2, level = $3, message = $4, body = $5 WHERE id = $1`, [
        refreshed.id,
        refreshed.task,
        refreshed.level,
        refreshed.message,
        JSON.stringify(refreshed),
      ]);
      return { alert: refreshed, added: false, escalated: refreshed.level !== read.alert.level };
    });
  }

  async resolve(key: string): Promise<Alert[]> {
    const { rows } = await this.pool.query(`DELETE FROM ${this.table} WHERE alert_key = $1 RETURNING id, body, seq`, [key]);
    return rows
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .flatMap((row) => {
        const read = readStoredAlert(String(row.id), String(row.body));
        return read.ok ? [read.alert] : [];
      });
  }

  async list(): Promise<Alert[]> {
    return this.listWith(this.pool);
  }

  async drain(consume: (alerts: readonly Alert[]) => Promise<void>): Promise<Alert[]> {
    if (!(await this.anyPending())) {
      await consume([]);
      return [];
    }
    return this.underDrainLock(async (client) => {
      const alerts = await this.listWith(client);
      await consume(alerts);
      if (alerts.length > 0) await client.query(`DELETE FROM ${this.table} WHERE id = ANY($1)`, [alerts.map((alert) => alert.id)]);
      return alerts;
    });
  }

  async ack(ids: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0 || !(await this.anyPending())) return wanted;
    return this.underDrainLock(async (client) => {
      const { rows } = await client.query(`DELETE FROM ${this.table} WHERE id = ANY($1) RETURNING id`, [wanted]);
      const removed = new Set(rows.map((row) => row.id));
      return wanted.filter((id) => !removed.has(id));
    });
  }

  private async anyPending(): Promise<boolean> {
    const { rows } = await this.pool.query(`SELECT EXISTS (SELECT 1 FROM ${this.table}) AS any`);
    return rows[0]?.any === true;
  }

  private async listWith(queryable: Pick<StorePool, 'query'>): Promise<Alert[]> {
    const { rows } = await queryable.query(`SELECT id, body FROM ${this.table} ORDER BY seq`);
    const alerts: Alert[] = [];
    const unreadable: { id: string; body: string; problem: string }[] = [];
    for (const row of rows) {
      const id = String(row.id);
      const body = String(row.body);
      const read = readStoredAlert(id, body);
      if (read.ok) alerts.push(read.alert);
      else unreadable.push({ id, body, problem: read.problem });
    }
    if (unreadable.length > 0) {
      // Only rows still as they were read; another reader may have dropped them already (it reports them).
      const { rows: dropped } = await queryable.query(
        `DELETE FROM ${this.table} AS t USING unnest($1::text[], $2::text[]) AS u(id, body) WHERE t.id = u.id AND t.body = u.body RETURNING t.id`,
        [unreadable.map((entry) => entry.id), unreadable.map((entry) => entry.body)],
      );
      const droppedIds = new Set(dropped.map((row) => String(row.id)));
      for (const entry of unreadable) if (droppedIds.has(entry.id)) this.onDropped?.({ id: entry.id, problem: entry.problem });
    }
    return alerts;
  }

  private async transaction<T>(work: (client: PgClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(error as Error);
      throw error;
    }
  }

  /** Drains and acks take turns: a session advisory lock, held on one client for the whole drain. */
  private async underDrainLock<T>(work: (client: PgClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [this.drainLock]);
      try {
        return await work(client);
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [this.drainLock]).catch((error: Error) => {
          broken = error;
        });
      }
    } catch (error) {
      broken ??= error as Error;
      throw error;
    } finally {
      // A client whose unlock failed may still hold the lock: it is closed, not reused.
      client.release(broken);
    }
  }
}
