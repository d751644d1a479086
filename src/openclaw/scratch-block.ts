import { RunnerError } from '../shared/errors.js';

/**
 * The runner's block in the heartbeat monitor's scratch (OpenClaw 2026.9 appends the scratch to
 * every heartbeat prompt): the lines between two markers, next to whatever the operator wrote
 * there, which is kept byte for byte. Pure functions on the scratch's text; reading and writing it
 * (with a revision guard) is src/openclaw/cron-jobs.ts's.
 */

/** The first line of the block. */
export const SCRATCH_BEGIN = '<!-- BEGIN taskrunner (runner openclaw install; changes inside are replaced) -->';
/** The last line of the block. */
export const SCRATCH_END = '<!-- END taskrunner -->';

// Any BEGIN of taskrunner's counts (a hand-edited wording too): two of them is ambiguous either way.
const BEGIN_LINE = /^<!--\s*BEGIN taskrunner\b.*-->$/;
const END_LINE = /^<!--\s*END taskrunner\s*-->$/;

/** Where the block is in a scratch: `start` is its BEGIN line's first character, `end` just after its END line (and that line's newline). */
export interface ScratchBlockSpan {
  start: number;
  end: number;
}

/**
 * The block's place in `content`, undefined when there is none. Markers that do not pair up (a
 * BEGIN without its END, an END without a BEGIN, a second BEGIN, two blocks) throw
 * `openclaw.brokenScratch` naming the marker and its line: which text is the runner's is then a
 * guess, and a wrong guess deletes the operator's, so nothing is changed until it is fixed.
 */
export function findScratchBlock(content: string): ScratchBlockSpan | undefined {
  let found: ScratchBlockSpan | undefined;
  let open: { start: number; line: number } | undefined;
  let lineNumber = 0;
  for (const match of content.matchAll(/[^\n]*(?:\n|$)/g)) {
    if (match[0] === '' && match.index === content.length) break;
    lineNumber += 1;
    const line = match[0].replace(/\r?\n$/, '').trim();
    const start = match.index;
    if (BEGIN_LINE.test(line)) {
      if (open) throw broken(`line ${lineNumber}: a second "${line}" before the "${SCRATCH_END}" of the block begun on line ${open.line}`);
      if (found) throw broken(`line ${lineNumber}: a second taskrunner block ("${line}")`);
      open = { start, line: lineNumber };
    } else if (END_LINE.test(line)) {
      if (!open) throw broken(`line ${lineNumber}: "${line}" has no "${SCRATCH_BEGIN}" before it`);
      found = { start: open.start, end: start + match[0].length };
      open = undefined;
    }
  }
  if (open) throw broken(`line ${open.line}: "${SCRATCH_BEGIN}" has no "${SCRATCH_END}" after it`);
  return found;
}

/** The whole block for `body` (lines without the markers): the markers around it, ending with a newline. */
export function scratchBlock(body: string): string {
  return `${SCRATCH_BEGIN}\n${body.replace(/\n+$/, '')}\n${SCRATCH_END}\n`;
}

/** The block's text in `content` (markers included), undefined when there is none; throws as {@link findScratchBlock}. */
export function currentScratchBlock(content: string | null): string | undefined {
  if (content === null) return undefined;
  const span = findScratchBlock(content);
  return span && content.slice(span.start, span.end);
}

/** A scratch with the block put in, and how. */
export interface ScratchWithBlock {
  content: string;
  /** A block was there and its bytes were replaced (the rest kept as it was). */
  replaced: boolean;
  /** A newline was put between the operator's text and the block, which removing the block takes out again. */
  separatorAdded: boolean;
}

/**
 * `content` (null: no scratch yet) with `block` in it: in place of the block already there, else
 * after the operator's text, with one newline between them when that text does not end with one.
 * Nothing else changes. Throws as {@link findScratchBlock}.
 */
export function withScratchBlock(content: string | null, block: string): ScratchWithBlock {
  const text = content ?? '';
  const span = findScratchBlock(text);
  if (span) return { content: text.slice(0, span.start) + block + text.slice(span.end), replaced: true, separatorAdded: false };
  const separatorAdded = text !== '' && !text.endsWith('\n');
  return { content: `${text}${separatorAdded ? '\n' : ''}${block}`, replaced: false, separatorAdded };
}

/**
 * `content` without the block: the operator's text as it was before it went in, the newline
 * {@link withScratchBlock} added (`separatorAdded`) taken out too while the block is still last.
 * `found` is false (and `content` unchanged) when there is no block. Throws as {@link findScratchBlock}.
 */
export function withoutScratchBlock(content: string, separatorAdded: boolean): { content: string; found: boolean } {
  const span = findScratchBlock(content);
  if (!span) return { content, found: false };
  let before = content.slice(0, span.start);
  const after = content.slice(span.end);
  if (separatorAdded && after === '' && before.endsWith('\n')) before = before.slice(0, -1);
  return { content: before + after, found: true };
}

function broken(problem: string): RunnerError {
  return new RunnerError(
    'openclaw.brokenScratch',
    `the heartbeat monitor's scratch has broken taskrunner markers: ${problem}; fix it with openclaw cron scratch <heartbeat job id> --file … (nothing was changed)`,
  );
}
