import type { RunnerConfig } from '../config/runner-config.js';
import type { AlertLevel } from '../store/alerts.js';
import { checkCron, type CronCheck } from './cron.js';
import { checkDisk, type DiskCheck } from './disk.js';
import { checkGateway, type GatewayCheck } from './gateway.js';
import { worstStatus, type CheckStatus } from './status.js';

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
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Run the three checks at once (they wait on different things: HTTP, the disk, the `openclaw`
 * CLI) with the limits and thresholds of the config.
 */
export async function runHealthChecks(options: HealthCheckOptions): Promise<HealthReport> {
  const { config, signal } = options;
  const [gateway, disk, cron] = await Promise.all([
    checkGateway({ url: config.gateway?.url, timeoutMs: config.gateway?.timeoutMs, signal }),
    checkDisk({ path: options.workspace, warnPercent: config.disk?.warnPercent, criticalPercent: config.disk?.criticalPercent }),
    checkCron({ timeoutMs: config.openclaw?.timeoutMs, env: options.env, signal }),
  ]);
  return { status: worstStatus([gateway.status, disk.status, cron.status]), checks: { gateway, disk, cron } };
}

/**
 * The alerts a report raises: one per unhealthy (`error`) or critical (`critical`) check. The
 * message is the check's summary, which names the URL, path or jobs and carries no timing, so the
 * same problem gives the same message on every run and `unlessPending` can hold it back.
 */
export function healthAlerts(report: HealthReport): { level: AlertLevel; message: string }[] {
  const alerts: { level: AlertLevel; message: string }[] = [];
  for (const [name, check] of Object.entries(report.checks)) {
    if (check.status === 'critical') alerts.push({ level: 'critical', message: `${name} critical: ${check.summary}` });
    if (check.status === 'unhealthy') alerts.push({ level: 'error', message: `${name} unhealthy: ${check.summary}` });
  }
  return alerts;
}

/** One line for the run's `message`: the overall status and what is not healthy. */
export function healthMessage(report: HealthReport): string {
  const notable = Object.entries(report.checks)
    .filter(([, check]) => check.status !== 'healthy')
    .map(([name, check]) => `${name} ${check.status}`);
  return notable.length === 0 ? 'healthy: gateway, disk and cron' : `${report.status}: ${notable.join(', ')}`;
}
