import { recordLine, type RunRecord } from '../store/run-log.js';
import { quoteIdentifier } from './connection.js';
import type { StorePool } from './shared-alerts-postgres.js';
import { DEFAULT_HISTORY_LIMIT } from './shared-history-redis.js';
import type { RunHistory } from '../store/ports.js';
import { GroupedWrites } from './grouped-writes.js';

const PAGE = 500;
// Trimming in the same statement made each insert cost the server much more (measured:
// docs/benchmarks.md, Worker cost per job): it is done by one append in this many (at most a hundredth of the bound:
// the table holds at most 1 % beyond it).
const TRIM_EVERY_MAX = 1000;
// Both inserts commit without waiting for the WAL flush (see `append`).
const UNFLUSHED = "WITH unflushed AS (SELECT set_config('synchronous_commit', 'off', true))";

/**
 * The run history in PostgreSQL: the table `<schema>.runner_history`, one row per run record
 * (`record`: its JSON as text, the line `logs/tasks.jsonl` has; `recorded_at` indexed). One append
 * in every `limit / 100` (at most 1,000) deletes the rows more than `limit` behind it, so the table
 * stays bounded. Read newest first in pages by `seq`, so rows added during a scan neither shift nor
 * repeat what it reads.
 */
export class PostgresHistory implements RunHistory {
  private readonly table: string;
  private readonly appends = new GroupedWrites<RunRecord>((records) => this.insert(records));
  private readonly trimEvery: number;

  private readonly pool: StorePool;
  private readonly limit: number;
  constructor(
    pool: StorePool,
    schema: string,
    limit: number = DEFAULT_HISTORY_LIMIT,
  ) {
    this.pool = pool;
    this.limit = limit;
    this.table = `${quoteIdentifier(schema)}.runner_history`;
    this.trimEvery = Math.max(1, Math.min(TRIM_EVERY_MAX, Math.floor(limit / 100)));
  }

  static ddl(schema: string): string[] {
    const table = `${quoteIdentifier(schema)}.runner_history`;
    return [
      `CREATE TABLE IF NOT EXISTS ${table} (
        seq bigserial PRIMARY KEY,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        task text NOT NULL,
        record text NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS runner_history_recorded_at ON ${table} (recorded_at)`,
    ];
  }

  /**
   * Appends made while an earlier one is under way go out together (see {@link GroupedWrites}): one
   * round trip inserts them. Committed without waiting for the WAL flush (`synchronous_commit` off
   * for this transaction only): that wait is most of an insert's time, a worker appends a record for
   * every job, and what a crash of the server could lose (the last fraction of a second of records)
   * is also in each worker's logs/tasks.jsonl.
   */
  append(record: RunRecord): Promise<void> {
    return this.appends.add(record);
  }

  private async insert(records: RunRecord[]): Promise<void> {
    // One record (a lone worker's every job) needs no arrays to unnest.
    const { rows } =
      records.length === 1
        ? await this.pool.query(`${UNFLUSHED} INSERT INTO ${this.table} (task, record) SELECT $1, $2 FROM unflushed RETURNING seq`, [
            records[0]!.task,
            recordLine(records[0]!),
          ])
        : await this.pool.query(
            `${UNFLUSHED} INSERT INTO ${this.table} (task, record)
             SELECT task, record FROM unflushed, unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(task, record, n) ORDER BY n
             RETURNING seq`,
            [records.map((record) => record.task), records.map(recordLine)],
          );
    const trimAt = rows.map((row) => Number(row.seq)).find((seq) => seq % this.trimEvery === 0);
    if (trimAt !== undefined) await this.trim(trimAt);
  }

  // The append whose row took a multiple of `trimEvery` deletes what is more than `limit` behind
  // it: each row gets its number once, so one append in `trimEvery` trims, whichever host made it.
  // A trim that fails does not fail the append (its row is in): the next trim deletes these rows too.
  private async trim(seq: number): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE seq <= $1`, [seq - this.limit]).catch(() => undefined);
  }

  async scanNewestFirst(visit: (record: RunRecord) => boolean | void, options: { maxRecords?: number } = {}): Promise<void> {
    const max = options.maxRecords ?? Infinity;
    let visited = 0;
    let before: string | undefined;
    while (visited < max) {
      const count = Math.min(PAGE, max - visited);
      const { rows } =
        before === undefined
          ? await this.pool.query(`SELECT seq, record FROM ${this.table} ORDER BY seq DESC LIMIT $1`, [count])
          : await this.pool.query(`SELECT seq, record FROM ${this.table} WHERE seq < $1 ORDER BY seq DESC LIMIT $2`, [before, count]);
      if (rows.length === 0) return;
      for (const row of rows) {
        before = String(row.seq);
        let record: RunRecord;
        try {
          record = JSON.parse(String(row.record)) as RunRecord;
        } catch {
          continue;
        }
        visited += 1;
        if (visit(record) === false || visited >= max) return;
      }
    }
  }
}
