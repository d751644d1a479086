import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggestNames } from '../../src/shared/suggest.js';

describe('suggestNames', () => {
  const names = ['memory_capture', 'memory_consolidate', 'system_health', 'batch', 'noop'];

  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('batch', 'btach')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests close names, best first, and names that start with the input', () => {
    expect(suggestNames('btach', names)).toEqual(['batch']);
    expect(suggestNames('memory', names)).toEqual(['memory_capture', 'memory_consolidate']);
    expect(suggestNames('zzzzzz', names)).toEqual([]);
  });

  it('phrases the suggestion for an error message', () => {
    expect(didYouMean('nop', names)).toBe(' Did you mean "noop"?');
    expect(didYouMean('memory', names)).toBe(' Did you mean "memory_capture" or "memory_consolidate"?');
    expect(didYouMean('zzzzzz', names)).toBe('');
  });
});
