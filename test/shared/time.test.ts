import { describe, expect, it } from 'vitest';
import { calendarDay, isoInZone, isoWithOffset, parseDay, parseTimestamp, previousDay } from '../../src/shared/time.js';

describe('local dates', () => {
  it('gives the calendar day in a time zone', () => {
    const instant = new Date('2026-02-15T23:30:00Z');
    expect(calendarDay(instant, 'UTC')).toBe('2026-02-15');
    expect(calendarDay(instant, 'Europe/Berlin')).toBe('2026-02-16');
    expect(calendarDay(instant, 'America/New_York')).toBe('2026-02-15');
  });

  it('steps back a calendar day across months, leap days and DST', () => {
    expect(previousDay('2026-03-01')).toBe('2026-02-28');
    expect(previousDay('2024-03-01')).toBe('2024-02-29');
    expect(previousDay('2026-01-01')).toBe('2025-12-31');
    expect(previousDay('2026-03-30')).toBe('2026-03-29');
  });

  it('accepts only real days', () => {
    expect(parseDay('2026-02-28')).toBe('2026-02-28');
    expect(parseDay('2026-02-30')).toBeUndefined();
    expect(parseDay('2026-2-3')).toBeUndefined();
    expect(parseDay('yesterday')).toBeUndefined();
  });

  it('formats an instant with the zone offset', () => {
    expect(isoInZone(new Date('2026-02-15T15:30:00Z'), 'Asia/Tokyo')).toBe('2026-02-16T00:30:00.000+09:00');
    expect(isoInZone(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01T08:00:00.000-04:00');
  });
});

describe('parseTimestamp', () => {
  it('understands Z, offsets, microseconds and naive wall time in a zone', () => {
    const utc = Date.parse('2026-02-10T09:30:00Z');
    expect(parseTimestamp('2026-02-10T09:30:00Z')).toBe(utc);
    expect(parseTimestamp('2026-02-10T10:30:00+01:00')).toBe(utc);
    expect(parseTimestamp('2026-02-10T04:30:00-0500')).toBe(utc);
    expect(parseTimestamp('2026-02-10T09:30:00.123456Z')).toBe(utc + 123);
    expect(parseTimestamp('2026-02-10T10:30:00', 'Europe/Berlin')).toBe(utc);
    expect(parseTimestamp('2026-07-10T11:30:00', 'Europe/Berlin')).toBe(Date.parse('2026-07-10T09:30:00Z'));
    expect(parseTimestamp('2026-02-10 09:30:00', 'UTC')).toBe(utc);
    expect(parseTimestamp('2026-02-10', 'UTC')).toBe(Date.parse('2026-02-10T00:00:00Z'));
    expect(parseTimestamp('2026-02-10T09:30:00')).toBe(new Date(2026, 1, 10, 9, 30).getTime());
  });

  it('gives undefined for anything else', () => {
    for (const value of ['', 'yesterday', '2026-13-01T00:00:00Z', '10/02/2026', 42, null, undefined, 'x'.repeat(100)]) {
      expect(parseTimestamp(value)).toBeUndefined();
    }
  });
});

describe('isoWithOffset', () => {
  it('is the same instant as the date, written with the local offset', () => {
    const date = new Date('2026-02-03T17:35:12.345Z');
    const text = isoWithOffset(date);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(new Date(text).getTime()).toBe(date.getTime());
  });
});

describe('isoInZone, stamp after stamp', () => {
  it('gives the right text for instants in the same second, the next second and another offset', () => {
    const base = Date.parse('2026-07-01T12:00:05.000Z');
    const cases: [number, string | undefined, string][] = [
      [base + 7, 'UTC', '2026-07-01T12:00:05.007+00:00'],
      [base + 42, 'UTC', '2026-07-01T12:00:05.042+00:00'],
      [base + 999, 'UTC', '2026-07-01T12:00:05.999+00:00'],
      [base + 1000, 'UTC', '2026-07-01T12:00:06.000+00:00'],
      [base + 1000, 'Asia/Kolkata', '2026-07-01T17:30:06.000+05:30'],
      [base + 1500, 'America/New_York', '2026-07-01T08:00:06.500-04:00'],
      [base + 1500, 'UTC', '2026-07-01T12:00:06.500+00:00'],
      [Date.parse('1969-12-31T23:59:59.250Z'), 'UTC', '1969-12-31T23:59:59.250+00:00'],
    ];
    for (const [ms, zone, text] of cases) expect(isoInZone(new Date(ms), zone)).toBe(text);
  });
});
