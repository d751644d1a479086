import { describe, expect, it } from 'vitest';
import { checkDisk } from '../../src/health/disk.js';
import { healthAlerts, healthMessage, type HealthReport } from '../../src/health/report.js';
import { worstStatus } from '../../src/health/check-status.js';
import { tmpdir } from 'node:os';

describe('worstStatus', () => {
  it('ranks critical > unhealthy > warning/degraded > unknown > healthy/skipped', () => {
    expect(worstStatus([])).toBe('healthy');
    expect(worstStatus(['skipped', 'healthy'])).toBe('healthy');
    expect(worstStatus(['healthy', 'unknown', 'skipped'])).toBe('unknown');
    expect(worstStatus(['unknown', 'degraded'])).toBe('degraded');
    expect(worstStatus(['warning', 'degraded'])).toBe('warning');
    expect(worstStatus(['degraded', 'unhealthy', 'warning'])).toBe('unhealthy');
    expect(worstStatus(['unhealthy', 'critical', 'healthy'])).toBe('critical');
  });
});

describe('checkDisk', () => {
  it('judges the used share against the thresholds', async () => {
    const healthy = await checkDisk({ path: tmpdir(), warnPercent: 100, criticalPercent: 100 });
    expect(healthy.status).toBe('healthy');
    expect(healthy.used_percent).toBeGreaterThan(0);
    expect(healthy.available_bytes).toBeLessThanOrEqual(healthy.total_bytes!);
    expect((await checkDisk({ path: tmpdir(), warnPercent: 0, criticalPercent: 100 })).status).toBe('warning');
    const critical = await checkDisk({ path: tmpdir(), warnPercent: 0, criticalPercent: 0 });
    expect(critical.status).toBe('critical');
    expect(critical.summary).toMatch(new RegExp(`^${tmpdir()}: \\d+% used, above 0%$`));
  });

  it('a path that does not exist is unknown, naming it', async () => {
    const check = await checkDisk({ path: '/nonexistent/workspace' });
    expect(check).toMatchObject({ status: 'unknown', summary: 'cannot read the file system of /nonexistent/workspace: ENOENT' });
  });
});

describe('healthAlerts and healthMessage', () => {
  const report = (gateway: string, disk: string, cron: string) =>
    ({
      status: worstStatus([gateway, disk, cron] as never),
      checks: {
        gateway: { status: gateway, summary: 'connection refused at http://127.0.0.1:1/health', url: '' },
        disk: { status: disk, summary: '/w: 95% used, above 90%', path: '/w', warn_percent: 80, critical_percent: 90 },
        cron: { status: cron, summary: '1 of 1 job(s) failing: x' },
      },
    }) as HealthReport;

  it('raise one keyed alert per unhealthy (error) or critical (critical) check; resolve those that looked and found no problem', () => {
    expect(healthAlerts(report('unhealthy', 'critical', 'degraded'))).toEqual([
      { action: 'raise', key: 'system_health:gateway', level: 'error', message: 'gateway unhealthy: connection refused at http://127.0.0.1:1/health' },
      { action: 'raise', key: 'system_health:disk', level: 'critical', message: 'disk critical: /w: 95% used, above 90%' },
      { action: 'resolve', key: 'system_health:cron' },
    ]);
    expect(healthAlerts(report('healthy', 'warning', 'unknown'))).toEqual([
      { action: 'resolve', key: 'system_health:gateway' },
      { action: 'resolve', key: 'system_health:disk' },
    ]);
    // Not knowing is no evidence the problem is gone: a pending alert stays.
    expect(healthAlerts(report('unknown', 'unknown', 'skipped'))).toEqual([]);
  });

  it('say what is not healthy in one line', () => {
    expect(healthMessage(report('healthy', 'healthy', 'healthy'))).toBe('healthy: gateway, disk and cron');
    expect(healthMessage(report('healthy', 'warning', 'skipped'))).toBe('warning: disk warning, cron skipped');
  });
});
