import type { DestinationStream } from 'pino';
import { describeFailedAttempt } from './attempt-log.js';
import { colored, type Color } from '../shared/terminal-color.js';

/** How the task log reads on a terminal. */
export interface ReadableLogStyle {
  /** ANSI colours for the level and the details. */
  color: boolean;
  /** An error's stack under its line (`--verbose`). */
  stacks: boolean;
  /** The lines of failed attempts; off with `--quiet`, where the run's outcome line says it. */
  attempts: boolean;
}

/**
 * A pino destination that writes each entry to `out` as one line for a person instead of JSON:
 * `hello: saying hello (who=world)`, `backup: warning: disk almost full`, `thrower: attempt 1 of 3
 * failed: boom (retrying in 1s)`. pino still makes the JSON (its serializers and child bindings
 * apply as ever); this reads it back, which costs far less than loading a pretty-printer.
 */
export function readableDestination(out: DestinationStream, style: ReadableLogStyle): DestinationStream {
  return {
    write(json: string) {
      const line = readableLogLine(JSON.parse(json) as Record<string, unknown>, style);
      if (line !== undefined) out.write(line);
    },
  };
}

/** Fields that are the line's frame, not its details: shown another way, or left to the JSON log. */
const FRAME = new Set(['level', 'time', 'msg', 'task', 'run_id', 'err', 'pid', 'hostname']);
/** Fields of a failed attempt, which {@link describeFailedAttempt} puts into words. */
const ATTEMPT = new Set(['attempt', 'attempts', 'retries_left', 'retry_in_ms', 'retry_in_max_ms']);

const TAGS: Record<number, { word: string; color: Color }> = {
  10: { word: 'trace', color: 'dim' },
  20: { word: 'debug', color: 'dim' },
  40: { word: 'warning', color: 'yellow' },
  50: { word: 'error', color: 'red' },
  60: { word: 'fatal', color: 'red' },
};

/**
 * One pino entry (its JSON, parsed) as the text a person reads, ending in a newline; undefined for
 * an entry the style leaves out. The task first, the level's word unless it is `info`, the
 * message, the error's message when the message does not already say it, other fields in brackets.
 */
export function readableLogLine(entry: Readonly<Record<string, unknown>>, style: ReadableLogStyle): string | undefined {
  const paint = (text: string, color: Color) => (style.color ? colored(text, color) : text);
  const where = typeof entry.task === 'string' ? `${entry.task}: ` : '';
  const error = errorOf(entry.err);
  const stack = style.stacks && error?.stack ? `${indent(paint(error.stack, 'dim'))}\n` : '';
  const attempt = describeFailedAttempt(entry);
  if (attempt !== undefined) {
    if (!style.attempts) return undefined;
    return `${where}${paint(attempt, 'yellow')}${details(entry, ATTEMPT, paint)}\n${stack}`;
  }
  const tag = TAGS[Number(entry.level)];
  const message = typeof entry.msg === 'string' ? entry.msg : '';
  const reason = error?.message && !message.includes(error.message) ? error.message : '';
  const text = [message, reason].filter((part) => part !== '').join(': ');
  // A debug line is dim as a whole: no colour inside it (a reset there would end the dimming).
  const dimLine = tag?.color === 'dim';
  const inner = dimLine ? (part: string) => part : paint;
  const head = tag === undefined ? '' : `${inner(tag.word, tag.color)}: `;
  const line = `${where}${head}${text}${details(entry, new Set(), inner)}`;
  return `${dimLine ? paint(line, 'dim') : line}\n${stack}`;
}

// The fields a task (or the runner) logged beside its message: ` (who=world, files=3)`.
function details(entry: Readonly<Record<string, unknown>>, shown: ReadonlySet<string>, paint: (text: string, color: Color) => string): string {
  const pairs = Object.entries(entry)
    .filter(([key]) => !FRAME.has(key) && !shown.has(key))
    .map(([key, value]) => `${key}=${valueText(value)}`);
  return pairs.length === 0 ? '' : ` ${paint(`(${pairs.join(', ')})`, 'dim')}`;
}

// A plain word as it is; anything that could be misread (spaces, quotes, empty) as JSON.
function valueText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"'=(),]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

// pino's error serializer gives `{ type, message, stack, … }`.
function errorOf(err: unknown): { message?: string; stack?: string } | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const { message, stack } = err as Record<string, unknown>;
  return { message: typeof message === 'string' ? message : undefined, stack: typeof stack === 'string' ? stack : undefined };
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
