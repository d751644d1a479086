import { describe, expect, it } from 'vitest';
import { percentile } from '../../src/history/percentile.js';
import { formatAgo } from '../../src/history/relative-time.js';

describe('percentile (nearest rank)', () => {
  it('is always one of the values', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i); // 20 … 1, unsorted on purpose
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('formatAgo', () => {
  it('uses the largest whole unit', () => {
    const now = 10 * 86_400_000;
    expect(formatAgo(now - 45_000, now)).toBe('45s ago');
    expect(formatAgo(now - 3 * 60_000 - 59_000, now)).toBe('3m ago');
    expect(formatAgo(now - 5 * 3_600_000, now)).toBe('5h ago');
    expect(formatAgo(now - 3 * 86_400_000, now)).toBe('3d ago');
    expect(formatAgo(now + 5000, now)).toBe('just now');
  });
});
