/**
 * Calendar days and timestamps in the operator's time zone: the configured IANA zone when there is
 * one, else the machine's local time. The one time module of the runner: run records (core) and
 * the memory tasks both use it.
 */

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** `YYYY-MM-DD` of `instant` in `timeZone` (or local time). */
export function calendarDay(instant: Date, timeZone?: string): string {
  if (timeZone === undefined) {
    return formatDay(instant.getFullYear(), instant.getMonth() + 1, instant.getDate());
  }
  const parts = zoneParts(instant.getTime(), timeZone);
  return formatDay(parts.year, parts.month, parts.day);
}

/** Parse a `YYYY-MM-DD` day, or undefined when it is not a real calendar day. */
export function parseDay(text: string): string | undefined {
  const match = DAY_PATTERN.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return text;
}

/** The calendar day before `day` (`YYYY-MM-DD`): date arithmetic, so DST never skips a day. */
export function previousDay(day: string): string {
  const date = new Date(Date.parse(`${day}T00:00:00Z`) - MS_PER_DAY);
  return formatDay(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/**
 * `instant` as ISO 8601 with the UTC offset of `timeZone` (or local time):
 * `2026-02-10T00:30:00.000+01:00`.
 */
export function isoInZone(instant: Date, timeZone?: string): string {
  const ms = instant.getTime();
  const offsetMinutes = timeZone === undefined ? -instant.getTimezoneOffset() : zoneOffsetMinutes(ms, timeZone);
  const second = Math.floor(ms / 1000);
  if (second !== stamp.second || offsetMinutes !== stamp.offsetMinutes) {
    const sign = offsetMinutes >= 0 ? '+' : '-';
    const abs = Math.abs(offsetMinutes);
    stamp.second = second;
    stamp.offsetMinutes = offsetMinutes;
    stamp.head = new Date(second * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
    stamp.tail = `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }
  const millis = ms - second * 1000;
  return `${stamp.head}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}${stamp.tail}`;
}

// A worker stamps a record every job, many within one second: the text up to the second is kept.
const stamp = { second: NaN, offsetMinutes: NaN, head: '', tail: '' };

/** ISO 8601 in local time with its UTC offset (`2026-02-03T17:35:12.345+01:00`), as SPEC §8 asks. */
export function isoWithOffset(date: Date = new Date()): string {
  return isoInZone(date);
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Milliseconds since the epoch of an ISO 8601 timestamp: `Z` and offsets are understood, a naive
 * timestamp (as Python's `datetime.now().isoformat()` wrote) is wall time in `timeZone` (or local
 * time). Undefined when it cannot be parsed.
 */
export function parseTimestamp(text: unknown, timeZone?: string): number | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((k) => Number(match[k] ?? 0)) as [
    number, number, number, number, number, number,
  ];
  const millis = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const zone = match[8];
  if (zone !== undefined) return wall - zoneDesignatorMinutes(zone) * 60_000;
  if (timeZone === undefined) return new Date(year, month - 1, day, hour, minute, second, millis).getTime();
  return wallTimeToUtc(wall, timeZone);
}

function zoneDesignatorMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return zone.startsWith('-') ? -minutes : minutes;
}

// The offset at the guessed instant, then re-checked at the corrected one (DST edges).
function wallTimeToUtc(wall: number, timeZone: string): number {
  const first = wall - zoneOffsetMinutes(wall, timeZone) * 60_000;
  const second = wall - zoneOffsetMinutes(first, timeZone) * 60_000;
  return second;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
// Offsets change only at transitions, which fall on quarter hours: one lookup per zone and
// quarter hour of UTC is exact, and keeps a million naive timestamps cheap.
const offsetCache = new Map<string, number>();

function zoneOffsetMinutes(ms: number, timeZone: string): number {
  const key = `${timeZone}|${Math.floor(ms / 900_000)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const parts = zoneParts(ms, timeZone);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offset = Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
  if (offsetCache.size > 10_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

interface ZoneParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function zoneParts(ms: number, timeZone: string): ZoneParts {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function formatDay(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
