import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonErrorOffset } from '../../src/store/json-error-offset.js';

describe('findJsonErrorOffset', () => {
  it('finds nothing wrong in valid JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (value, indent) => {
      expect(findJsonErrorOffset(JSON.stringify(value, null, indent))).toBe(-1);
    }));
  });

  it('points at the first fault', () => {
    expect(findJsonErrorOffset('[{"text": oops}]')).toBe(10);
    expect(findJsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(findJsonErrorOffset('[1, 2] x')).toBe(7);
    expect(findJsonErrorOffset('{"a" 1}')).toBe(5);
    expect(findJsonErrorOffset('"bad \\q escape"')).toBe(5);
    expect(findJsonErrorOffset('[1, 2')).toBe(5);
  });

  it('agrees with JSON.parse on what is valid', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', ':', ',', '1', 'a', ' ', '\\', 'n', 'u', '-', '.', 'e') }), (text) => {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(findJsonErrorOffset(text) === -1).toBe(valid);
    }), { numRuns: 2000 });
  });
});
