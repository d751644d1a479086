import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/cli/output.js';

describe('formatTable', () => {
  it('aligns columns by what a terminal shows, not counting colour codes', () => {
    const red = (text: string) => `\u001b[31m${text}\u001b[0m`;
    const text = formatTable(['ID', 'LEVEL', 'MESSAGE'], [
      ['a1', red('error'), 'disk full'],
      ['b2', 'info', 'ok'],
    ]);
    const lines = stripVTControlCharacters(text).split('\n');
    expect(lines).toEqual(['ID  LEVEL  MESSAGE', 'a1  error  disk full', 'b2  info   ok', '']);
  });
});
