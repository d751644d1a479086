import { describe, expect, it } from 'vitest';
import { checkTimerMs, MAX_TIMER_MS, parseDuration } from '../../src/shared/duration.js';

describe('parseDuration', () => {
  it.each([
    [30, 30_000],
    [1.5, 1500],
    ['500ms', 500],
    ['30s', 30_000],
    ['30', 30_000],
    ['10m', 600_000],
    ['1.5h', 5_400_000],
    ['2d', 172_800_000],
    ['24d', 24 * 86_400_000],
  ])('%j is %d ms (a bare number is seconds, in the config as on the command line)', (input, ms) => {
    expect(parseDuration(input, '--timeout')).toBe(ms);
  });

  it.each(['soon', '', '10 minutes', Number.NaN])('rejects %j naming the flag', (input) => {
    expect(() => parseDuration(input, '--timeout')).toThrow(/--timeout: invalid duration .*number of seconds/);
  });

  it.each([0, '0', '0s', -1, '-1s'])('refuses %j: a timeout must be above zero', (input) => {
    expect(() => parseDuration(input, 'tasks.x.timeout')).toThrow(/tasks\.x\.timeout: a duration must be above zero/);
  });

  it.each([
    ['0.0001', '"0.0001" is 0.1 ms'],
    [0.0004, '0.0004 is 0.4 ms'],
    ['0.5ms', '"0.5ms" is 0.5 ms'],
  ] as const)('refuses %j: below 1 ms, the smallest duration, rather than calling it zero', (input, shown) => {
    expect(() => parseDuration(input, '--timeout')).toThrow(`--timeout: ${shown}, below the smallest supported duration, 1 ms`);
  });

  it('rounds a duration of 1 ms or more to whole milliseconds', () => {
    expect(parseDuration('1.4ms', '--timeout')).toBe(1);
    expect(parseDuration(0.0015, '--timeout')).toBe(2);
  });

  it.each(['25d', '30d', 2_147_484])('refuses %j: longer than a timer can wait, naming the limit', (input) => {
    expect(() => parseDuration(input, '--timeout')).toThrow(/--timeout: .* is longer than the longest supported duration, 2147483647 ms/);
  });

  it('accepts the limit itself', () => {
    expect(parseDuration(`${MAX_TIMER_MS}ms`, '--timeout')).toBe(MAX_TIMER_MS);
    expect(() => checkTimerMs(MAX_TIMER_MS + 1, 'timeoutMs')).toThrow(/timeoutMs: /);
  });
});
