import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../src/store/json-text.js';

describe('parseJsonText', () => {
  it('parses JSON, with or without a byte order mark', () => {
    expect(parseJsonText('\ufeff[1]', 'f.json')).toEqual([1]);
  });

  it('names the file, line and column of a syntax error', () => {
    expect(() => parseJsonText('[\n  {"a": 1,}\n]', '/w/store.json')).toThrow(/cannot parse \/w\/store\.json at line 2, column 11/);
  });

  it('says when a file is empty or truncated instead of treating it as empty', () => {
    expect(() => parseJsonText('', '/w/a.json')).toThrow(/\/w\/a\.json \(file is empty\)/);
    expect(() => parseJsonText('[{"a":', '/w/a.json')).toThrow(/\/w\/a\.json/);
  });
});
