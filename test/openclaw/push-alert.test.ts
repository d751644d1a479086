import { describe, expect, it } from 'vitest';
import { alertPushSettings, eventText, shouldPush, systemEventArgs } from '../../src/openclaw/push-alert.js';
import type { Alert } from '../../src/store/alerts.js';

const alert = (level: Alert['level'], message: string): Alert => ({ id: 'abc123', task: 'system_health', timestamp: '2026-02-03T17:35:00Z', level, message });

describe('alert push', () => {
  it('is off without alerts.push, and defaults to error and 10 s', () => {
    expect(alertPushSettings({})).toBeUndefined();
    expect(alertPushSettings({ alerts: {} })).toBeUndefined();
    expect(alertPushSettings({ alerts: { push: {} } })).toEqual({ minLevel: 'error', timeoutMs: 10_000 });
  });

  it("takes the install's default when the config says nothing, and never over the config, whose false turns it off", () => {
    const installed = { min_level: 'error' as const };
    expect(alertPushSettings({}, installed)).toEqual({ minLevel: 'error', timeoutMs: 10_000 });
    expect(alertPushSettings({}, null)).toBeUndefined();
    expect(alertPushSettings({ alerts: { push: false } }, installed)).toBeUndefined();
    expect(alertPushSettings({ alerts: { push: { minLevel: 'critical' } } }, installed)).toEqual({ minLevel: 'critical', timeoutMs: 10_000 });
  });

  it('pushes at or above the level', () => {
    const settings = { minLevel: 'warning' as const, timeoutMs: 1 };
    expect(['info', 'warning', 'error', 'critical'].map((level) => shouldPush(level as Alert['level'], settings))).toEqual([false, true, true, true]);
  });

  it('wakes the agent now only for critical, and sends one line', () => {
    expect(systemEventArgs(alert('error', 'x')).slice(-2)).toEqual(['--mode', 'next-heartbeat']);
    expect(systemEventArgs(alert('critical', 'x')).slice(-2)).toEqual(['--mode', 'now']);
    expect(eventText(alert('error', 'disk\n95%   full'))).toBe('taskrunner error alert from system_health: disk 95% full (id abc123)');
    expect(eventText(alert('error', 'y'.repeat(2000))).length).toBeLessThan(600);
  });
});
