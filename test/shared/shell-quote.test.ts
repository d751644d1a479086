import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellLine, shellQuote } from '../../src/shared/shell-quote.js';

describe('shellQuote', () => {
  it('leaves plain words bare and quotes the rest', () => {
    expect(shellQuote('/srv/agent-runner')).toBe('/srv/agent-runner');
    expect(shellQuote('*/30 * * * *')).toBe(`'*/30 * * * *'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
  });

  it('gives the real sh back every word exactly', () => {
    // NUL cannot be in an argument at all; everything else must survive.
    const word = fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const script = `for w in ${shellLine(words)}; do printf '%s\\0' "$w"; done`;
        const out = execFileSync('sh', ['-c', script], { encoding: 'utf8' });
        expect(out.split('\0').slice(0, -1)).toEqual(words);
      }),
      { numRuns: 40 },
    );
  });
});
