/**
 * Limits on what memory_capture hands to the Markdown parser. The parser's cost grows much faster
 * than the input on some shapes: a long line of `*` around a word nests emphasis (about n² in the
 * line's length), a staircase of nested lists costs about n³ in its depth, and thousands of nested
 * `>` overflow the stack. A daily note beyond a limit is refused, naming the file, the line and
 * the setting to raise; the other daily note is still captured.
 *
 * The checks are one cheap pass over the text, before parsing.
 */
import { RunnerError } from '../shared/errors.js';

export interface MarkdownLimits {
  /** Largest daily note read, in bytes (`memory.maxFileBytes`). */
  maxFileBytes: number;
  /** Longest line, in characters (`memory.maxLineLength`). */
  maxLineLength: number;
  /** Deepest nesting of block quotes, list items and indentation (`memory.maxNesting`). */
  maxNesting: number;
}

// Real daily notes are far below these (the public corpus: 12 KB, lines of 900 characters,
// nesting 14). At these limits the parser's worst case stays in seconds, not hours.
export const DEFAULT_MARKDOWN_LIMITS: Readonly<MarkdownLimits> = {
  maxFileBytes: 1024 * 1024,
  maxLineLength: 10_000,
  maxNesting: 100,
};

/** The limits with every unset one at its default. */
export function resolveLimits(limits: Partial<MarkdownLimits> = {}): MarkdownLimits {
  return {
    maxFileBytes: limits.maxFileBytes ?? DEFAULT_MARKDOWN_LIMITS.maxFileBytes,
    maxLineLength: limits.maxLineLength ?? DEFAULT_MARKDOWN_LIMITS.maxLineLength,
    maxNesting: limits.maxNesting ?? DEFAULT_MARKDOWN_LIMITS.maxNesting,
  };
}

/** The refusal of a daily note over a limit: names the file, what is over, and the setting. */
export function overLimit(file: string, what: string, limit: number, key: keyof MarkdownLimits): RunnerError {
  return new RunnerError(
    'memory.overLimit',
    `${file}: ${what}, over the limit of ${limit.toLocaleString('en-US')} (memory.${key}); not captured`,
    { file, retryable: false },
  );
}

/** Throws `memory.overLimit` naming `file` and the line when a line is too long or too deeply nested. */
export function checkMarkdownLimits(text: string, limits: MarkdownLimits, file: string): void {
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const length = end > start && text.charCodeAt(end - 1) === 13 ? end - start - 1 : end - start; // without a CR
    if (length > limits.maxLineLength) {
      throw overLimit(file, `line ${line} is ${length.toLocaleString('en-US')} characters long`, limits.maxLineLength, 'maxLineLength');
    }
    const depth = nestingDepth(text, start, end);
    if (depth > limits.maxNesting) {
      throw overLimit(file, `line ${line} is nested ${depth.toLocaleString('en-US')} deep`, limits.maxNesting, 'maxNesting');
    }
    if (newline === -1) break;
    start = newline + 1;
  }
}

const SPACE = 32;
const TAB = 9;
const GT = 62;

/**
 * An upper bound of how many containers (block quotes, list items) the line at text[start, end)
 * is inside: the `>` and list markers that open it, plus its indentation in steps of two columns.
 * A line can only be inside a list item it does not open by being indented past the item's
 * marker, which takes at least two columns per level, so the bound is never below the real depth.
 * Only the line's opening run of markers and blanks is read.
 */
export function nestingDepth(text: string, start: number, end: number): number {
  let markers = 0;
  let blankColumns = 0;
  let column = 0;
  let i = start;
  while (i < end) {
    const code = text.charCodeAt(i);
    if (code === SPACE || code === TAB) {
      const width = code === TAB ? 4 - (column % 4) : 1;
      blankColumns += width;
      column += width;
      i++;
      continue;
    }
    const markerEnd = code === GT ? i + 1 : listMarkerEnd(text, i, end);
    if (markerEnd === undefined) break;
    markers++;
    column += markerEnd - i;
    i = markerEnd;
  }
  return markers + Math.floor(blankColumns / 2);
}

// Where a list marker starting at `i` ends: `-`, `+`, `*` or 1-9 digits and `.` or `)`, followed
// by a blank or the end of the line. Undefined when there is none.
function listMarkerEnd(text: string, i: number, end: number): number | undefined {
  let j = i;
  const code = text.charCodeAt(j);
  if (code === 45 || code === 43 || code === 42) {
    j++;
  } else {
    while (j < end && j - i < 9 && isDigit(text.charCodeAt(j))) j++;
    if (j === i || j >= end) return undefined;
    const delimiter = text.charCodeAt(j);
    if (delimiter !== 46 && delimiter !== 41) return undefined;
    j++;
  }
  if (j < end) {
    const next = text.charCodeAt(j);
    if (next !== SPACE && next !== TAB && next !== 13) return undefined;
  }
  return j;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
