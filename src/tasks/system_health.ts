import type { RenderTools } from '../core/task-render.js';
import { Task, type TaskContext, type TaskResult } from '../core/task.js';
import { renderHealthTable } from '../health/render.js';
import { healthAlerts, healthMessage, runHealthChecks, type HealthReport } from '../health/report.js';
import type { RunRecord } from '../store/run-log.js';

/**
 * `runner system_health`: check the OpenClaw gateway, the workspace's disk and OpenClaw's cron
 * jobs (SPEC §5), raise an alert per unhealthy or critical check (keyed by the check, and resolved
 * once the check finds the problem over), and record the report. The run
 * succeeds whenever the checks ran, whatever they found: a cron line running it must not retry
 * (or fail) because the gateway is down; the report and the alerts say so.
 */
export default class SystemHealthTask extends Task {
  name = 'system_health';
  description = 'Check the OpenClaw gateway, the disk and OpenClaw cron jobs; alert on problems';
  // Retrying would ask the same questions again; the checks' own limits bound each one.
  // Every 15 minutes: a dead gateway or a full disk is noticed within a quarter of an hour.
  override defaults = { attempts: 1, timeout: '60s', schedule: '*/15 * * * *' };

  async run(ctx: TaskContext): Promise<TaskResult> {
    const report = await runHealthChecks({ config: ctx.config, workspace: ctx.paths.workspace, home: ctx.paths.home, signal: ctx.signal });
    for (const change of healthAlerts(report)) {
      // A problem that lasts is seen on every cron run: one alert per check, refreshed, until the
      // heartbeat reads it or the check finds the problem over.
      if (change.action === 'raise') await ctx.alert(change.message, change.level, { key: change.key });
      else await ctx.resolveAlert(change.key);
    }
    ctx.log.info({ status: report.status }, 'health checks finished');
    return { success: true, message: healthMessage(report), status: report.status, checks: report.checks };
  }

  /** The checks as a table under the CLI's `✓ system_health: …` line (see RendersRecord). */
  render(record: RunRecord, tools: RenderTools): string {
    const checks = record.checks as HealthReport['checks'] | undefined;
    return checks ? renderHealthTable(checks, tools) : '';
  }
}
