import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topLevelSpans } from '../../src/store/json-spans.js';

const spansOf = (text: string) => {
  const bytes = Buffer.from(text);
  const spans = topLevelSpans(bytes)!;
  return Array.from({ length: spans.count }, (_, i) => bytes.toString('utf8', spans.starts[i], spans.ends[i]));
};

describe('topLevelSpans', () => {
  it('finds each element of an array and each member of an object, as written', () => {
    expect(spansOf('\ufeff [ 1e400 ,"a\\"]\\\\" ,{"k":[1,{"x":"]"}]}, 1234567890123456789 ]\n')).toEqual(['1e400', '"a\\"]\\\\"', '{"k":[1,{"x":"]"}]}', '1234567890123456789']);
    expect(spansOf('{"a" : 1, "a": {"b": "}"}}')).toEqual(['"a" : 1', '"a": {"b": "}"}']);
    expect(spansOf('[]')).toEqual([]);
    expect(topLevelSpans(Buffer.from(' "text"'))).toBeUndefined();
  });

  it('agrees with JSON.parse on arbitrary arrays, long strings and escapes included', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.integer({ min: 0, max: 4 }), (values, indent) => {
        const text = JSON.stringify(values, null, indent);
        expect(spansOf(text).map((raw) => JSON.parse(raw) as unknown)).toEqual(JSON.parse(text));
      }),
    );
    const tricky = fc.string({ unit: fc.constantFrom('a', '\\', '"', ']', '}', 'é', '\n'), maxLength: 80 });
    fc.assert(
      fc.property(fc.array(fc.oneof(tricky, fc.dictionary(tricky, tricky))), (values) => {
        const text = JSON.stringify(values, null, 2);
        expect(spansOf(text).map((raw) => JSON.parse(raw) as unknown)).toEqual(values);
      }),
    );
  });
});
