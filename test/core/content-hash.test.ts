import { describe, expect, it } from 'vitest';
import { contentHash } from '../../src/core/content-hash.js';

describe('contentHash', () => {
  it("gives MurmurHash3 x86 128-bit's published values", () => {
    expect(contentHash('')).toBe('00000000000000000000000000000000');
    expect(contentHash('a')).toBe('a794933c5556b01b5556b01b5556b01b');
    expect(contentHash('hello')).toBe('2b2444a0db91def79adb31b69adb31b6');
    expect(contentHash('The quick brown fox jumps over the lazy dog')).toBe('2f1583c3ecee2c675d7bf66ce5e91d2c');
    // Multi-byte UTF-8 and a length that is not a multiple of 16.
    expect(contentHash('héllo wörld ✓')).toBe('d97859aeb93cd0a651874fd2215bd923');
  });

  it('hashes a string as its UTF-8 bytes', () => {
    expect(contentHash(Buffer.from('héllo', 'utf8'))).toBe(contentHash('héllo'));
  });

  it('tells apart every one-bit change of an input, and 100,000 similar inputs', () => {
    const base = Buffer.from('export const value = 1;\n'.repeat(5));
    const seen = new Set([contentHash(base)]);
    for (let bit = 0; bit < base.length * 8; bit++) {
      const changed = Buffer.from(base);
      changed[bit >> 3]! ^= 1 << (bit & 7);
      seen.add(contentHash(changed));
    }
    expect(seen.size).toBe(base.length * 8 + 1);
    const many = new Set<string>();
    for (let i = 0; i < 100_000; i++) many.add(contentHash(`tasks/task_${i}.ts\0${i}`));
    expect(many.size).toBe(100_000);
  });
});
