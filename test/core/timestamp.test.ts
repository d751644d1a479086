import { describe, expect, it } from 'vitest';
import { isoWithOffset } from '../../src/core/timestamp.js';

describe('isoWithOffset', () => {
  it('is the same instant as the date, written with the local offset', () => {
    const date = new Date('2026-02-03T17:35:12.345Z');
    const text = isoWithOffset(date);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(new Date(text).getTime()).toBe(date.getTime());
  });
});
