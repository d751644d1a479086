import type { Logger } from 'pino';
import type { RunnerConfig } from '../config/runner-config.js';
import type { AlertInbox } from '../store/ports.js';
import { alertPushSettingsOf, pushAlert, shouldPush } from '../openclaw/push-alert.js';
import type { NewAlert, RaisedAlert } from '../store/alerts.js';

/** What {@link raiseAlert} needs besides the alert. */
export interface RaiseAlertOptions {
  /** The runner's config: `alerts.push` decides whether the alert is also pushed to the agent. */
  config: RunnerConfig;
  log: Logger;
  /** The runner home: its install record may say where `openclaw` is, for the push. */
  home?: string;
  /** Stops a push under way (the run's own signal). */
  signal?: AbortSignal;
  /** Without a key: add nothing while an identical alert is pending. */
  unlessPending?: boolean;
}

/**
 * Raise an alert in `inbox` and, when pushing is on (`alerts.push`, or the default of `runner
 * openclaw install`), push it to the agent — only once
 * it is written, so a push that fails or hangs loses nothing (the heartbeat drains it). An alert
 * still pending was pushed when it was first raised: raising it again pushes nothing, unless a
 * refresh under its key raised its level (an error that became critical wakes the agent).
 */
export async function raiseAlert(inbox: AlertInbox, alert: NewAlert, options: RaiseAlertOptions): Promise<RaisedAlert> {
  const raised = await inbox.raise(alert, { unlessPending: options.unlessPending ?? false });
  if (!raised.added && !raised.escalated) return raised;
  // The config's alerts.push, else the default `runner openclaw install` recorded for the home.
  const push = await alertPushSettingsOf(options.config, options.home, options.log);
  if (push !== undefined && shouldPush(raised.alert.level, push)) {
    await pushAlert(raised.alert, push, options.log, { home: options.home, signal: options.signal });
  }
  return raised;
}
