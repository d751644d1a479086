import { ALERT_LEVELS, type Alert } from '../store/alerts.js';

/** A pending entry of a shared alerts inbox that cannot be read as an alert, and why. */
export interface DroppedAlert {
  id: string;
  problem: string;
}

/**
 * Told about each unreadable entry a shared inbox removed, once (by the read that removed it), so
 * the command that dropped it can say so: hidden, it would stay in the store for ever.
 */
export type DroppedAlertReporter = (dropped: DroppedAlert) => void;

/**
 * The alert stored under `id` (`body` its JSON, `null` when the entry has none), or what makes it
 * unreadable. An entry is an alert when it is the object every inbox stores: its own id, a task,
 * a timestamp, a known level and a message (more keys are kept).
 */
export function readStoredAlert(id: string, body: string | null): { ok: true; alert: Alert } | { ok: false; problem: string } {
  if (body === null) return { ok: false, problem: 'its id is pending but the alert itself is missing' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    // The body goes into the report: it is removed from the store after that.
    return { ok: false, problem: `not JSON (${error instanceof Error ? error.message : String(error)}): ${preview(body)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: `not an alert object: ${preview(body)}` };
  const alert = value as Record<string, unknown>;
  if (alert.id !== id) return { ok: false, problem: `its id is ${JSON.stringify(alert.id)}, not ${JSON.stringify(id)}` };
  for (const field of ['task', 'timestamp', 'message'] as const) {
    if (typeof alert[field] !== 'string') return { ok: false, problem: `"${field}" is not a string: ${preview(body)}` };
  }
  if (!(ALERT_LEVELS as readonly unknown[]).includes(alert.level)) {
    return { ok: false, problem: `"level" is ${JSON.stringify(alert.level)}, not one of ${ALERT_LEVELS.join(', ')}` };
  }
  return { ok: true, alert: alert as Alert };
}

const PREVIEW_LENGTH = 120;

function preview(body: string): string {
  return body.length <= PREVIEW_LENGTH ? body : `${body.slice(0, PREVIEW_LENGTH)}…`;
}
