/**
 * Where a JSON text first goes wrong. Some of V8's `JSON.parse` messages give no position
 * (`Unexpected token 'o', "..." is not valid JSON`); this scanner finds it so the error can name a
 * line and column. Only called once parsing has failed.
 */

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/** Offset of the first syntax error in `text`, or -1 when it is valid JSON. */
export function findJsonErrorOffset(text: string): number {
  const n = text.length;
  const stack: Array<'array' | 'object'> = [];
  let i = 0;
  const skipSpace = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  // Reads a string starting at i; false (with i at the fault) when it is malformed.
  const readString = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  const readKey = (): boolean => {
    skipSpace();
    if (!readString()) return false;
    skipSpace();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };

  for (;;) {
    // Expect a value.
    skipSpace();
    const c = text[i];
    if (c === '[' || c === '{') {
      i++;
      skipSpace();
      if (text[i] === (c === '[' ? ']' : '}')) i++;
      else {
        stack.push(c === '[' ? 'array' : 'object');
        if (c === '{' && !readKey()) return i;
        continue;
      }
    } else if (c === '"') {
      if (!readString()) return i;
    } else {
      const pattern = c === 't' || c === 'f' || c === 'n' ? LITERAL : NUMBER;
      pattern.lastIndex = i;
      const match = pattern.exec(text);
      if (!match || match[0].length === 0) return i;
      i += match[0].length;
    }
    // After a value: close containers or move to the next element.
    for (;;) {
      skipSpace();
      const top = stack[stack.length - 1];
      if (top === undefined) return i < n ? i : -1;
      const close = top === 'array' ? ']' : '}';
      if (text[i] === close) {
        stack.pop();
        i++;
        continue;
      }
      if (text[i] !== ',') return i;
      i++;
      if (top === 'object' && !readKey()) return i;
      break;
    }
  }
}
