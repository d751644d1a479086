import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { RunnerError } from '../errors.js';
import { withFileLock } from './file-lock.js';
import { formatJson, readJsonFile, writeFileAtomic } from './json-file.js';

export const ALERT_LEVELS = ['info', 'warning', 'error', 'critical'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** One entry of `alerts/pending.json` (SPEC §7); alerts written by the old scripts lack `id`. */
export interface Alert {
  id: string;
  task: string;
  timestamp: string;
  level: AlertLevel;
  message: string;
  [key: string]: unknown;
}

export interface NewAlert {
  task: string;
  level: AlertLevel;
  message: string;
}

/**
 * The alerts inbox the heartbeat polls. Every change happens under the file's lock with an atomic
 * replace, so concurrent writers and drains lose nothing and hand out nothing twice.
 */
export class AlertStore {
  constructor(readonly file: string) {}

  /** The inbox of a runner home: `<home>/alerts/pending.json`. */
  static forHome(home: string): AlertStore {
    return new AlertStore(path.join(home, 'alerts', 'pending.json'));
  }

  /** Append an alert and resolve to it (with its new id). In dry-run nothing is written. */
  async append(alert: NewAlert, options: { dryRun?: boolean } = {}): Promise<Alert> {
    if (!ALERT_LEVELS.includes(alert.level)) {
      throw new TypeError(`alert level must be one of ${ALERT_LEVELS.join(', ')}, got ${JSON.stringify(alert.level)}`);
    }
    const entry: Alert = {
      id: newAlertId(),
      task: alert.task,
      timestamp: new Date().toISOString(),
      level: alert.level,
      message: alert.message,
    };
    if (options.dryRun) return entry;
    await this.modify((alerts) => [...alerts, entry]);
    return entry;
  }

  /** The pending alerts, oldest first; legacy alerts get their stable derived id. */
  async list(): Promise<Alert[]> {
    return this.read();
  }

  /** Remove and return every pending alert in one locked step: what is returned is exactly what went. */
  async drain(): Promise<Alert[]> {
    let drained: Alert[] = [];
    await this.modify((alerts) => {
      drained = alerts;
      return [];
    });
    return drained;
  }

  /** Remove the alerts with these ids; resolves to the ids that were not found. */
  async ack(ids: readonly string[]): Promise<string[]> {
    const wanted = new Set(ids);
    await this.modify((alerts) => {
      const kept = alerts.filter((alert) => !wanted.has(alert.id));
      for (const alert of alerts) wanted.delete(alert.id);
      return kept;
    });
    return [...wanted];
  }

  private async read(): Promise<Alert[]> {
    const value = await readJsonFile(this.file);
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      throw new RunnerError('store.corrupt', `${this.file}: expected a JSON array of alerts`, { file: this.file });
    }
    return value.map(withId);
  }

  private async modify(change: (alerts: Alert[]) => Alert[]): Promise<void> {
    await withFileLock(this.file, async () => {
      const before = await this.read();
      const after = change(before);
      if (after === before) return;
      await writeFileAtomic(this.file, formatJson(after));
    });
  }
}

function newAlertId(): string {
  return randomBytes(6).toString('hex');
}

// Alerts from the old scripts have no id; deriving it from the content keeps it stable across
// reads, so `runner alerts ack <id>` works before any write has stored it.
function withId(raw: unknown): Alert {
  const alert = (typeof raw === 'object' && raw !== null ? raw : { message: String(raw) }) as Alert;
  if (typeof alert.id === 'string' && alert.id !== '') return alert;
  const digest = createHash('sha1').update(JSON.stringify(alert)).digest('hex').slice(0, 12);
  const { id: _missing, ...rest } = alert;
  return { id: digest, ...rest };
}
