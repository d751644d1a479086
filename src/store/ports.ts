/**
 * The store ports: the alerts inbox and the run history as the rest of the runner uses them
 * (ctx.alert, `runner alerts`, `runner status`, `runner heartbeat`, `runner worker`, the
 * dashboard). The home's files implement them here in src/store/ (`AlertStore`, the run log); with
 * a queue configured, the queue's server does (src/distributed/, SPEC §10). Which one a process
 * uses is chosen in one place, src/compose/stores.ts, so the two are interchangeable.
 */
import type { Logger } from 'pino';
import type { RunRecord } from './run-log.js';

/** Alert levels, least severe first. */
export const ALERT_LEVELS = ['info', 'warning', 'error', 'critical'] as const;
/** One of {@link ALERT_LEVELS}. */
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/**
 * One entry of `alerts/pending.json` (SPEC §7); alerts written by the old scripts lack `id`.
 * `key`, beside SPEC §7's five fields, is there only for a keyed alert (readers that do not know it
 * ignore it): the stable identity of the condition that raised the alert, such as `system_health:disk`.
 */
export interface Alert {
  id: string;
  task: string;
  timestamp: string;
  level: AlertLevel;
  message: string;
  key?: string;
  [field: string]: unknown;
}

/** What {@link AlertStore.append} needs; the store adds `id` and `timestamp`. */
export interface NewAlert {
  task: string;
  level: AlertLevel;
  message: string;
  /**
   * The condition this alert stands for (`system_health:gateway`, `run-failed:<task>`). While an
   * alert with this key is pending, raising it again adds none: it refreshes the pending one (see
   * {@link refreshAlert}); `resolve(key)` removes it once the condition is over.
   */
  key?: string;
}

/** How {@link AlertStore.raise} ended. */
export interface RaisedAlert {
  /** The alert added, or the pending one that stands for it (refreshed when it has the same key). */
  alert: Alert;
  /** A new alert was added (false when one was pending for it, and in dry-run). */
  added: boolean;
  /** A pending alert with the same key was refreshed to a higher level than it had. */
  escalated: boolean;
}

/** Options of {@link AlertStore.append}. */
export interface AppendAlertOptions {
  /** Write nothing; resolve to the alert as it would have been added. */
  dryRun?: boolean;
  /**
   * Add nothing while an alert of the same task, level and message is still pending, and resolve
   * to that one instead: a check that fails on every cron run raises its alert once until read.
   * An alert with a `key` needs no such flag: its key decides.
   */
  unlessPending?: boolean;
}

/**
 * Options of {@link AlertInbox.raise}: the store's own, and what an inbox that also delivers the
 * alert (the OpenClaw push, src/openclaw/pushing-inbox.ts) needs from the raiser.
 */
export interface RaiseOptions extends AppendAlertOptions {
  /** Stops a delivery under way (the run's own signal). */
  signal?: AbortSignal;
  /** Where a delivery that failed is logged (the run's logger). */
  log?: Logger;
}

/** The alerts inbox as its users need it; `AlertStore` (the file) has exactly this shape. */
export interface AlertInbox {
  /**
   * Add an alert and say whether it was added. One pending with the same `key` is refreshed instead
   * (newest message and time, highest level: `refreshAlert`); without a key, `unlessPending` adds
   * nothing while an identical one waits.
   */
  raise(alert: NewAlert, options?: RaiseOptions): Promise<RaisedAlert>;
  /** Remove the pending alerts with this key (its condition is over); resolves to those removed. */
  resolve(key: string): Promise<Alert[]>;
  /** Pending alerts, oldest first. */
  list(): Promise<Alert[]>;
  /** Hand every pending alert to `consume`, then remove exactly those (by id) once it resolved. */
  drain(consume: (alerts: readonly Alert[]) => Promise<void>): Promise<Alert[]>;
  /** Remove the alerts with these ids; resolves to the ids that were not pending (as `AlertStore.ack`). */
  ack(ids: readonly string[]): Promise<string[]>;
}

/**
 * The run history that a queue's hosts share: every run record of every host, newest first on
 * reading. Each host also keeps its own records in its home's logs/tasks.jsonl (src/store/run-log.ts).
 */
export interface RunHistory {
  /** Add one run record (the same object the run wrote to its home's logs/tasks.jsonl). */
  append(record: RunRecord): Promise<void>;
  /** Visit records newest first until `visit` returns false or `maxRecords` were visited. */
  scanNewestFirst(visit: (record: RunRecord) => boolean | void, options?: { maxRecords?: number }): Promise<void>;
}
