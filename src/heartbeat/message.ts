import { ALERT_LEVELS, type Alert, type AlertLevel } from '../store/alerts.js';

/**
 * The one short message `runner heartbeat` gives the agent when something needs attention: the
 * pending alerts grouped by level, most severe first, each group with its count, then its
 * messages. It goes into the agent's context on every heartbeat that has news, so it is capped:
 * long messages are cut, repeats are folded into one line, and past a number of lines the rest is
 * counted ("…and 12 more"), never silently dropped (`runner heartbeat --json` carries every
 * alert in full).
 *
 * ```
 * 3 alerts need attention (1 critical, 2 warning).
 * CRITICAL (1):
 * - system_health: disk 95% full
 * WARNING (2):
 * - memory_capture: skipped 1 daily note: memory/2026-02-16.md is not UTF-8 (2×)
 * ```
 */

/** Limits of the message; the defaults keep it to a screenful. */
export interface MessageLimits {
  /** Alert lines shown in all (default 10). */
  maxLines: number;
  /** Characters of one alert's message (default 200). */
  maxMessageLength: number;
}

export const DEFAULT_MESSAGE_LIMITS: MessageLimits = { maxLines: 10, maxMessageLength: 200 };

/** Most severe first: the order the agent should read them in. */
const SEVERITY_ORDER: readonly AlertLevel[] = [...ALERT_LEVELS].reverse();

/** One line of the message: an alert, or several identical ones. */
interface AlertLine {
  task: string;
  message: string;
  count: number;
}

/**
 * The message for `alerts`, plus any `problems` of the heartbeat's own chores and any `notices`
 * (whole lines, such as the `OVERDUE: …` ones), which come before the alerts; at least one of them.
 */
export function heartbeatMessage(
  alerts: readonly Alert[],
  problems: readonly string[] = [],
  limits: MessageLimits = DEFAULT_MESSAGE_LIMITS,
  notices: readonly string[] = [],
): string {
  const lines: string[] = problems.map((problem) => `Heartbeat problem: ${problem}`);
  lines.push(...notices);
  if (alerts.length > 0) lines.push(...alertSection(alerts, limits));
  return `${lines.join('\n')}\n`;
}

function alertSection(alerts: readonly Alert[], limits: MessageLimits): string[] {
  const groups = SEVERITY_ORDER.map((level) => ({ level, alerts: alerts.filter((alert) => levelOf(alert) === level) })).filter(
    (group) => group.alerts.length > 0,
  );
  const counts = groups.map((group) => `${group.alerts.length} ${group.level}`).join(', ');
  const lines = [`${alerts.length} alert${alerts.length === 1 ? ' needs' : 's need'} attention (${counts}).`];
  let shown = 0;
  let hidden = 0;
  for (const group of groups) {
    const entries = foldRepeats(group.alerts, limits.maxMessageLength);
    const room = Math.max(0, limits.maxLines - shown);
    if (room === 0) {
      hidden += group.alerts.length;
      continue;
    }
    lines.push(`${group.level.toUpperCase()} (${group.alerts.length}):`);
    for (const entry of entries.slice(0, room)) lines.push(`- ${entry.task}: ${entry.message}${entry.count > 1 ? ` (${entry.count}×)` : ''}`);
    shown += Math.min(room, entries.length);
    hidden += entries.slice(room).reduce((sum, entry) => sum + entry.count, 0);
  }
  if (hidden > 0) lines.push(`…and ${hidden} more.`);
  return lines;
}

/** Identical alerts (same task and message) as one line with a count, in order of first appearance. */
function foldRepeats(alerts: readonly Alert[], maxMessageLength: number): AlertLine[] {
  const byKey = new Map<string, AlertLine>();
  for (const alert of alerts) {
    const task = oneLine(String(alert.task ?? 'unknown task'), 64);
    const message = oneLine(String(alert.message ?? ''), maxMessageLength);
    const key = JSON.stringify([task, message]);
    const line = byKey.get(key);
    if (line) line.count += 1;
    else byKey.set(key, { task, message, count: 1 });
  }
  return [...byKey.values()];
}

/** Text on one line (newlines and control characters become spaces), cut to `max` characters. */
function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

// Alerts from old scripts may carry a level the runner does not know; the agent still sees them, as warnings.
function levelOf(alert: Alert): AlertLevel {
  return ALERT_LEVELS.includes(alert.level) ? alert.level : 'warning';
}
