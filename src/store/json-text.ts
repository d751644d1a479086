import { RunnerError } from '../shared/errors.js';
import { findJsonErrorOffset } from './json-error-offset.js';

/**
 * `JSON.parse` that fails with a `store.corrupt` error naming the file, the line and the column,
 * so a corrupt file is reported, never mistaken for an empty one.
 */
export function parseJsonText(text: string, file: string): unknown {
  // A UTF-8 byte order mark is valid in files written by some editors.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const where = positionOf(reason, body);
    throw new RunnerError('store.corrupt', `cannot parse ${file}${where}: ${reason}`, { file, cause: error });
  }
}

// V8 reports a character offset ("at position 42"); people read files by line and column.
function positionOf(reason: string, text: string): string {
  const match = /position (\d+)/.exec(reason);
  // Some messages carry no position ("Unexpected token 'o', ... is not valid JSON"): find it.
  const found = match ? -1 : findJsonErrorOffset(text);
  if (match || (found >= 0 && found < text.length)) {
    const offset = match ? Number(match[1]) : found;
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    return ` at line ${line}, column ${column}`;
  }
  if (/end of JSON input/i.test(reason)) {
    return text.trim() === '' ? ' (file is empty)' : ' at end of file (truncated?)';
  }
  return '';
}
