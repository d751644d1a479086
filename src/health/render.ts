import type { RenderTools } from '../core/task-render.js';
import type { HealthReport } from './report.js';
import type { CheckStatus } from './check-status.js';

const COLOR: Record<CheckStatus, 'green' | 'yellow' | 'red' | 'dim'> = {
  healthy: 'green',
  skipped: 'dim',
  unknown: 'yellow',
  warning: 'yellow',
  degraded: 'yellow',
  unhealthy: 'red',
  critical: 'red',
};

/** A health report as a table for a person: one row per check, its status coloured, its summary. */
export function renderHealthTable(checks: HealthReport['checks'], { paint, formatTable }: RenderTools): string {
  const rows = Object.entries(checks).map(([name, check]) => [name, paint(check.status, COLOR[check.status] ?? 'bold'), check.summary]);
  return formatTable(['CHECK', 'STATUS', 'DETAIL'].map((header) => paint(header, 'bold')), rows);
}
