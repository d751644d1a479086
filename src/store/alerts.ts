import { randomBytes } from 'node:crypto';
import { hashHex } from '../shared/hash.js';
import path from 'node:path';
import { isoWithOffset } from '../shared/time.js';
import { RunnerError } from '../shared/errors.js';
import { writeAtomic } from './atomic-write.js';
import { withFileLock } from './lock.js';
import { formatJson } from './json-file.js';
import { parseJsonText } from './json-text.js';
import { READ_LIMITS, readStoreBytes } from './read-file.js';
import { resolveStorePath } from './resolve-path.js';
import { ALERT_LEVELS, type Alert, type AlertInbox, type AppendAlertOptions, type NewAlert, type RaisedAlert } from './ports.js';

// The alert model is the port's (src/store/ports.ts); the file store's users import it from here too.
export { ALERT_LEVELS } from './ports.js';
export type { Alert, AlertLevel, AppendAlertOptions, NewAlert, RaisedAlert } from './ports.js';

/**
 * The alerts inbox the heartbeat polls. Every change happens under the file's lock with an atomic
 * replace, so concurrent writers and drains lose nothing and hand out nothing twice. Reading, an
 * empty drain, an ack of nothing and a resolve of a key not pending never write: the heartbeat
 * polls often, and health checks resolve on every run, mostly finding nothing.
 */
export class AlertStore implements AlertInbox {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }

  /** The inbox of a runner home: `<home>/alerts/pending.json`. */
  static forHome(home: string): AlertStore {
    return new AlertStore(path.join(home, 'alerts', 'pending.json'));
  }

  /** Append an alert and resolve to it (with its new id). In dry-run nothing is written. */
  async append(alert: NewAlert, options: AppendAlertOptions = {}): Promise<Alert> {
    return (await this.raise(alert, options)).alert;
  }

  /**
   * As {@link append}, and says whether the alert was added: false when one was still pending for
   * it — with the same key, which is then refreshed ({@link refreshAlert}), or identical
   * (`unlessPending`) — which is then the one returned, and in dry-run. Decided under the file's
   * lock, so two runs raising the same alert at once cannot both count as the first.
   */
  async raise(alert: NewAlert, options: AppendAlertOptions = {}): Promise<RaisedAlert> {
    const entry = createAlert(alert);
    if (options.dryRun) return { alert: entry, added: false, escalated: false };
    let outcome: RaisedAlert = { alert: entry, added: true, escalated: false };
    await this.modify((alerts) => {
      const index = alerts.findIndex((other) => pendingFor(other, entry, options));
      if (index === -1) return [...alerts, entry];
      const pending = alerts[index]!;
      if (entry.key === undefined) {
        outcome = { alert: pending, added: false, escalated: false };
        return undefined;
      }
      const refreshed = refreshAlert(pending, entry);
      outcome = { alert: refreshed, added: false, escalated: refreshed.level !== pending.level };
      return alerts.with(index, refreshed);
    });
    return outcome;
  }

  /**
   * Remove the pending alerts with this key (its condition is over); resolves to those removed.
   * Nothing pending with the key: nothing is locked or written.
   */
  async resolve(key: string): Promise<Alert[]> {
    if (!(await this.list()).some((alert) => alert.key === key)) return [];
    let removed: Alert[] = [];
    await this.modify((alerts) => {
      removed = alerts.filter((alert) => alert.key === key);
      return removed.length === 0 ? undefined : alerts.filter((alert) => alert.key !== key);
    });
    return removed;
  }

  /** The pending alerts, oldest first; legacy alerts get their stable derived id. */
  async list(): Promise<Alert[]> {
    return this.read(this.file);
  }

  /**
   * Hand the pending alerts to `consume` (print them, push them) and remove exactly those once it
   * has resolved; when it rejects, nothing is removed and the rejection is passed on. Drains take
   * turns (a lock of their own), so no alert is handed out twice, while tasks keep appending: an
   * alert added during `consume` stays for the next drain. With nothing pending, `consume` gets
   * `[]` and no file is created, locked or written. Resolves to the alerts consumed.
   */
  async drain(consume: (alerts: readonly Alert[]) => Promise<void>): Promise<Alert[]> {
    if ((await this.list()).length === 0) {
      await consume([]);
      return [];
    }
    const drainLock = `${await resolveStorePath(this.file)}.drain`;
    return withFileLock(drainLock, async () => {
      // Another drain may have taken some while this one waited for its turn.
      const alerts = await this.list();
      await consume(alerts);
      if (alerts.length > 0) await this.remove(alerts.map((alert) => alert.id));
      return alerts;
    });
  }

  /**
   * Remove the alerts with these ids; resolves to the ids that were not found. An ack takes turns
   * with drains (their lock): an alert a drain is handing out cannot also be acknowledged, so an ack
   * (from the CLI or the dashboard) and a drain together never hand out one alert twice, and an id
   * a drain took first comes back as not found.
   */
  async ack(ids: readonly string[]): Promise<string[]> {
    // An empty inbox has nothing to remove: no folder, lock or file is made for it.
    if ((await this.list()).length === 0) return [...new Set(ids)];
    const drainLock = `${await resolveStorePath(this.file)}.drain`;
    return withFileLock(drainLock, async () => {
      const wanted = new Set(ids);
      await this.modify((alerts) => {
        for (const alert of alerts) wanted.delete(alert.id);
        return this.without(alerts, ids);
      });
      return [...wanted];
    });
  }

  private async remove(ids: readonly string[]): Promise<void> {
    await this.modify((alerts) => this.without(alerts, ids));
  }

  /** `alerts` without those ids, or undefined when none of them is there (nothing to write). */
  private without(alerts: Alert[], ids: readonly string[]): Alert[] | undefined {
    const gone = new Set(ids);
    const kept = alerts.filter((alert) => !gone.has(alert.id));
    return kept.length === alerts.length ? undefined : kept;
  }

  private async read(file: string): Promise<Alert[]> {
    const bytes = await readStoreBytes(file, READ_LIMITS.alerts, this.file);
    const value = bytes === undefined ? undefined : parseJsonText(bytes.toString('utf8'), this.file);
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      throw new RunnerError('store.corrupt', `${this.file}: expected a JSON array of alerts`, { file: this.file });
    }
    const seen = new Map<string, number>();
    return value.map((raw) => withId(raw, seen));
  }

  /** Apply `change` under the lock; it returns undefined when nothing changes, and then nothing is written. */
  private async modify(change: (alerts: Alert[]) => Alert[] | undefined): Promise<void> {
    await withFileLock(this.file, async (lock) => {
      const after = change(await this.read(lock.file));
      if (after === undefined) return;
      await writeAtomic(lock.file, (sink) => sink.write(formatJson(after)), { beforeRename: () => lock.assertHeld() });
    });
  }
}

/**
 * The alert as every inbox stores it (the file here, the shared ones of the distributed backend):
 * a new id and the current time, fields in this order, `key` last and only when given. Throws a
 * TypeError for an unknown level or a key that is not a non-empty string.
 */
export function createAlert(alert: NewAlert): Alert {
  if (!ALERT_LEVELS.includes(alert.level)) {
    throw new TypeError(`alert level must be one of ${ALERT_LEVELS.join(', ')}, got ${JSON.stringify(alert.level)}`);
  }
  if (alert.key !== undefined && (typeof alert.key !== 'string' || alert.key === '')) {
    throw new TypeError(`alert key must be a non-empty string, got ${JSON.stringify(alert.key)}`);
  }
  return {
    id: newAlertId(),
    task: alert.task,
    // As run records stamp their start (SPEC §8): one format for every time the runner writes.
    timestamp: isoWithOffset(),
    level: alert.level,
    message: alert.message,
    ...(alert.key !== undefined && { key: alert.key }),
  };
}

/** Whether two alerts are the same for `unlessPending`: same task, level and message. */
export function sameAlert(a: NewAlert, b: NewAlert): boolean {
  return a.task === b.task && a.level === b.level && a.message === b.message;
}

/**
 * Whether `pending` already stands for the alert being raised: the same key when it has one, else
 * (with `unlessPending`) an identical alert.
 */
export function pendingFor(pending: Alert, raised: NewAlert, options: AppendAlertOptions): boolean {
  if (raised.key !== undefined) return pending.key === raised.key;
  return options.unlessPending === true && sameAlert(pending, raised);
}

/**
 * A pending alert raised again under its key: it keeps its id (an ack by that id still works, and
 * it is not pushed to the agent again), takes the newest message, task and time (what is true now),
 * and keeps the highest level either had (a critical condition that is still pending does not read
 * as a lesser one because a later check raised it at error).
 */
export function refreshAlert(pending: Alert, raised: Alert): Alert {
  const level = ALERT_LEVELS.indexOf(raised.level) > ALERT_LEVELS.indexOf(pending.level) ? raised.level : pending.level;
  return { ...pending, task: raised.task, timestamp: raised.timestamp, level, message: raised.message };
}

function newAlertId(): string {
  return randomBytes(6).toString('hex');
}

/**
 * Alerts from the old scripts have no id; deriving it from the content keeps it stable across
 * reads, so `runner alerts ack <id>` works before any write has stored it (every write stores it).
 * Identical alerts are told apart by their rank among the identical ones (`seen`): the first keeps
 * the plain content hash, the ids earlier versions showed.
 */
function withId(raw: unknown, seen: Map<string, number>): Alert {
  const alert = (typeof raw === 'object' && raw !== null ? raw : { message: String(raw) }) as Alert;
  if (typeof alert.id === 'string' && alert.id !== '') return alert;
  const content = JSON.stringify(alert);
  const rank = seen.get(content) ?? 0;
  seen.set(content, rank + 1);
  const digest = hashHex(rank === 0 ? content : `${content}\n${rank}`, { algorithm: 'sha1', length: 12 });
  const { id: _missing, ...rest } = alert;
  return { id: digest, ...rest };
}
