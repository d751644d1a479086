import type { Logger } from 'pino';
import type { RunnerConfig } from '../config/runner-config.js';
import { createStderrLogger } from '../core/logger.js';
import type { AlertInbox } from '../store/ports.js';
import { alertPushSettingsOf, pushAlert, shouldPush } from './push-alert.js';

/** What {@link withAlertPush} needs besides the inbox. */
export interface AlertPushContext {
  /** The runner's config: `alerts.push` decides whether an alert is also pushed to the agent. */
  config: RunnerConfig;
  /** The runner home: its install record may say where `openclaw` is, and the default of `alerts.push`. */
  home: string;
  /** Where a push that failed is logged when the raiser gives no logger of its own (default: stderr). */
  log?: Logger;
}

/**
 * `inbox`, whose `raise` also pushes the alert to the agent when pushing is on (`alerts.push`, or
 * the default of `runner openclaw install`) — only once it is written, so a push that fails or
 * hangs loses nothing (the heartbeat drains it). An alert still pending was pushed when it was
 * first raised: raising it again pushes nothing, unless a refresh under its key raised its level
 * (an error that became critical wakes the agent). The raiser's `signal` stops a push under way.
 */
export function withAlertPush(inbox: AlertInbox, context: AlertPushContext): AlertInbox {
  return {
    async raise(alert, options = {}) {
      const raised = await inbox.raise(alert, options);
      if (!raised.added && !raised.escalated) return raised;
      const log = options.log ?? context.log ?? createStderrLogger();
      const push = await alertPushSettingsOf(context.config, context.home, log);
      if (push !== undefined && shouldPush(raised.alert.level, push)) {
        await pushAlert(raised.alert, push, log, { home: context.home, signal: options.signal });
      }
      return raised;
    },
    resolve: (key) => inbox.resolve(key),
    list: () => inbox.list(),
    drain: (consume) => inbox.drain(consume),
    ack: (ids) => inbox.ack(ids),
  };
}
