import type { Logger } from 'pino';
import type { RunnerConfig } from '../config/runner-config.js';
import { ALERT_LEVELS, type Alert, type AlertLevel } from '../store/alerts.js';
import { readFullInstallRecord } from './install-record.js';
import { describeOpenClawFailure, runOpenClaw } from './openclaw-cli.js';

/**
 * Pushing an alert to the agent as it is raised (SPEC §7, `alerts.push` in the config): `openclaw
 * system event --text … --mode next-heartbeat` queues a line the agent's next heartbeat turn sees;
 * `--mode now` wakes it, for critical alerts. The push is an extra: the alert is already in
 * `alerts/pending.json` when this runs, so a failed push loses nothing — the heartbeat still
 * drains it — and is only logged.
 */

/** `alerts.push` with its defaults filled in. */
export interface AlertPushSettings {
  minLevel: AlertLevel;
  timeoutMs: number;
}

const DEFAULT_MIN_LEVEL: AlertLevel = 'error';
const DEFAULT_TIMEOUT_MS = 10_000;
/** A system event is one line in the agent's context, not a report. */
const MAX_TEXT_LENGTH = 500;

/**
 * The push settings, or undefined when pushing is off: the config's `alerts.push` when it has one
 * (`false`: off), else `installed` — what `runner openclaw install` recorded (`error` and above)
 * when the config was silent — else off.
 */
export function alertPushSettings(config: RunnerConfig, installed?: { min_level: AlertLevel } | null): AlertPushSettings | undefined {
  const push = config.alerts?.push;
  if (push === false) return undefined;
  if (push === undefined) return installed ? { minLevel: installed.min_level, timeoutMs: DEFAULT_TIMEOUT_MS } : undefined;
  return { minLevel: push.minLevel ?? DEFAULT_MIN_LEVEL, timeoutMs: push.timeoutMs ?? DEFAULT_TIMEOUT_MS };
}

/**
 * {@link alertPushSettings} for the runner home `home`, reading its install record only when the
 * config says nothing. A record that cannot be read turns pushing off for this alert, with a
 * warning naming it (the alert is pending either way).
 */
export async function alertPushSettingsOf(config: RunnerConfig, home: string | undefined, log: Logger): Promise<AlertPushSettings | undefined> {
  if (config.alerts?.push !== undefined || home === undefined) return alertPushSettings(config);
  try {
    return alertPushSettings(config, (await readFullInstallRecord(home)).installed?.alerts_push);
  } catch (error) {
    log.warn({ err: error }, `alerts are not pushed to the agent: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** Whether an alert of `level` is pushed under `settings`. */
export function shouldPush(level: AlertLevel, settings: AlertPushSettings): boolean {
  return ALERT_LEVELS.indexOf(level) >= ALERT_LEVELS.indexOf(settings.minLevel);
}

/** The `openclaw` arguments that push `alert`. */
export function systemEventArgs(alert: Alert): string[] {
  const mode = alert.level === 'critical' ? 'now' : 'next-heartbeat';
  return ['system', 'event', '--text', eventText(alert), '--mode', mode];
}

/**
 * `taskrunner critical alert from system_health: disk 95% full (id 3f9c0a1b2d4e)`: one line, so
 * the agent can tell what raised it and ack it by id (`runner alerts ack <id>`).
 */
export function eventText(alert: Alert): string {
  const message = alert.message.replace(/\s+/g, ' ').trim();
  const short = message.length > MAX_TEXT_LENGTH ? `${message.slice(0, MAX_TEXT_LENGTH - 1)}…` : message;
  return `taskrunner ${alert.level} alert from ${alert.task}: ${short} (id ${alert.id})`;
}

/** Where the push runs: the runner home (its install record may say where `openclaw` is) and a signal to stop it. */
export interface PushContext {
  home?: string;
  signal?: AbortSignal;
}

/**
 * Push `alert` to the agent; resolves to whether it was pushed. Never rejects: a missing, failing
 * or hanging `openclaw` is logged as a warning with the reason and the alert's id.
 */
export async function pushAlert(alert: Alert, settings: AlertPushSettings, log: Logger, context: PushContext = {}): Promise<boolean> {
  const outcome = await runOpenClaw(systemEventArgs(alert), { timeoutMs: settings.timeoutMs, home: context.home, signal: context.signal });
  if (outcome.kind === 'ok') {
    log.debug({ alert: { id: alert.id, level: alert.level } }, 'alert pushed to OpenClaw');
    return true;
  }
  const reason = describeOpenClawFailure(outcome, 'openclaw system event');
  log.warn({ alert: { id: alert.id, level: alert.level }, reason }, `alert ${alert.id} not pushed to the agent (${reason}); it stays pending for the heartbeat`);
  return false;
}
