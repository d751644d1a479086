/**
 * The stores that hold state shared by every host when a queue is configured (SPEC §10): the
 * alerts inbox, the run history and the batch queue, kept in the queue's own server (Redis or
 * PostgreSQL) beside BullMQ's data. What reads and writes them (ctx.alert, `runner alerts`,
 * `runner status`, `runner heartbeat`, `runner batch`, `runner worker`, the dashboard) goes through
 * these interfaces, so the file stores and the shared ones are interchangeable.
 *
 * Naming in the server, under `queue.prefix` (default `runner`):
 * - Redis: keys `<prefix>:runner-store:<what>` (BullMQ's queues are `<prefix>:task-<name>:…`).
 * - PostgreSQL: tables `runner_<what>` in the schema `<prefix>`, schema-qualified in every query.
 */
import type { Alert, AppendAlertOptions, NewAlert, RaisedAlert } from '../store/alerts.js';
import type { RunRecord } from '../store/run-log.js';

/** The alerts inbox as its users need it; `AlertStore` (the file) has exactly this shape. */
export interface AlertInbox {
  /**
   * Add an alert and say whether it was added. One pending with the same `key` is refreshed instead
   * (newest message and time, highest level: `refreshAlert`); without a key, `unlessPending` adds
   * nothing while an identical one waits.
   */
  raise(alert: NewAlert, options?: AppendAlertOptions): Promise<RaisedAlert>;
  /** Remove the pending alerts with this key (its condition is over); resolves to those removed. */
  resolve(key: string): Promise<Alert[]>;
  /** Pending alerts, oldest first. */
  list(): Promise<Alert[]>;
  /** Hand every pending alert to `consume`, then remove exactly those (by id) once it resolved. */
  drain(consume: (alerts: readonly Alert[]) => Promise<void>): Promise<Alert[]>;
  /** Remove the alerts with these ids; resolves to the ids that were not pending (as `AlertStore.ack`). */
  ack(ids: readonly string[]): Promise<string[]>;
}

/** The shared run history: every run record of every host, newest first on reading. */
export interface SharedHistory {
  /** Add one run record (the same object the worker wrote to its own logs/tasks.jsonl). */
  append(record: RunRecord): Promise<void>;
  /** Visit records newest first until `visit` returns false or `maxRecords` were visited. */
  scanNewestFirst(visit: (record: RunRecord) => boolean | void, options?: { maxRecords?: number }): Promise<void>;
}
