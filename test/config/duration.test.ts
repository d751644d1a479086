import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    [1500, 1500],
    ['500ms', 500],
    ['30s', 30_000],
    ['30', 30_000],
    ['10m', 600_000],
    ['1.5h', 5_400_000],
    ['2d', 172_800_000],
  ])('%j is %d ms', (input, ms) => {
    expect(parseDuration(input, '--timeout')).toBe(ms);
  });

  it.each(['soon', '-1s', '', '10 minutes'])('rejects %j naming the flag', (input) => {
    expect(() => parseDuration(input, '--timeout')).toThrow(/--timeout: invalid duration/);
  });
});
