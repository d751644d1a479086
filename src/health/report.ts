import type { RunnerConfig } from '../config/runner-config.js';
import type { AlertLevel } from '../store/alerts.js';
import { checkCron, type CronCheck } from './openclaw-jobs-check.js';
import { checkDisk, type DiskCheck } from './disk.js';
import { checkGatewayOf, type GatewayCheck } from './gateway.js';
import { worstStatus, type CheckStatus } from './check-status.js';

/** What system_health found: the overall status and each check's result. */
export interface HealthReport {
  /** The worst of the checks' statuses (see `worstStatus`). */
  status: CheckStatus;
  checks: { gateway: GatewayCheck; disk: DiskCheck; cron: CronCheck };
}

export interface HealthCheckOptions {
  config: RunnerConfig;
  /** The workspace; the disk check measures its file system. */
  workspace: string;
  /** The runner home: its install record may say where `openclaw` and its Node are. */
  home?: string;
  /** Locates `openclaw` (PATH) and OpenClaw's config (the gateway's port); the runner's own by default. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Run the three checks at once (they wait on different things: HTTP, the disk, the `openclaw`
 * CLI) with the limits and thresholds of the config. The gateway is where `gateway.url` says, else
 * where OpenClaw's own config puts it.
 */
export async function runHealthChecks(options: HealthCheckOptions): Promise<HealthReport> {
  const { config, signal } = options;
  const [gateway, disk, cron] = await Promise.all([
    checkGatewayOf({ url: config.gateway?.url, timeoutMs: config.gateway?.timeoutMs, env: options.env, signal }),
    checkDisk({ path: options.workspace, warnPercent: config.disk?.warnPercent, criticalPercent: config.disk?.criticalPercent }),
    checkCron({ timeoutMs: config.openclaw?.timeoutMs, env: options.env, home: options.home, signal }),
  ]);
  return { status: worstStatus([gateway.status, disk.status, cron.status]), checks: { gateway, disk, cron } };
}

/** What a report does to one check's alert (see {@link healthAlerts}). */
export type HealthAlertChange =
  | { action: 'raise'; key: string; level: AlertLevel; message: string }
  | { action: 'resolve'; key: string };

/** The key of a check's alert: `system_health:gateway`, `system_health:disk`, `system_health:cron`. */
export function healthAlertKey(check: keyof HealthReport['checks']): string {
  return `system_health:${check}`;
}

/**
 * What a report does to each check's alert, keyed by the check so a lasting problem is one alert,
 * refreshed by each run, until the heartbeat reads it. An unhealthy check raises an `error` alert
 * and a critical one a `critical` alert, the message being its summary (the URL, path or jobs). A
 * check that looked and found its condition over — healthy, or only a warning or degraded, which
 * raise no alert — resolves its key, so the heartbeat no longer reports it. A check that could not
 * look (`unknown`) or did not apply (`skipped`) leaves a pending alert as it is: not knowing is no
 * evidence that the problem is gone.
 */
export function healthAlerts(report: HealthReport): HealthAlertChange[] {
  const changes: HealthAlertChange[] = [];
  for (const name of ['gateway', 'disk', 'cron'] as const) {
    const check = report.checks[name];
    const key = healthAlertKey(name);
    switch (check.status) {
      case 'critical':
        changes.push({ action: 'raise', key, level: 'critical', message: `${name} critical: ${check.summary}` });
        break;
      case 'unhealthy':
        changes.push({ action: 'raise', key, level: 'error', message: `${name} unhealthy: ${check.summary}` });
        break;
      case 'healthy':
      case 'warning':
      case 'degraded':
        changes.push({ action: 'resolve', key });
        break;
      case 'unknown':
      case 'skipped':
        break;
    }
  }
  return changes;
}

/** One line for the run's `message`: the overall status and what is not healthy. */
export function healthMessage(report: HealthReport): string {
  const notable = Object.entries(report.checks)
    .filter(([, check]) => check.status !== 'healthy')
    .map(([name, check]) => `${name} ${check.status}`);
  return notable.length === 0 ? 'healthy: gateway, disk and cron' : `${report.status}: ${notable.join(', ')}`;
}
