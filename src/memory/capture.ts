/**
 * memory_capture's logic (SPEC §5): read the daily files of a day and the day before, extract the
 * items worth keeping, drop those similar to the store or to an item captured before them in the
 * run, and append the rest to the store.
 */
import path from 'node:path';
import { RunnerError } from '../shared/errors.js';
import { configuredThreshold } from './consolidate.js';
import { dailyNoteNames } from './daily-note-files.js';
import { readDailyNote } from './read-daily-note.js';
import { scoreImportance } from './importance.js';
import { calendarDay, isoInZone, previousDay } from '../shared/time.js';
import { checkMarkdownLimits, resolveLimits, type MarkdownLimits } from './markdown-limits.js';
import { parseMarkdownInWorker, unparseable, type MarkdownSource, type ParseOptions } from './parse-worker.js';
import type { MemoryItem, MemoryItemKind } from './markdown.js';
import { greedyDedupe } from './similarity.js';
import { storePath, updateStore } from './store-file.js';
import { buildWordSets } from './tokens.js';

export const DEFAULT_CAPTURE_THRESHOLD = 0.85;

/** An entry as memory_capture appends it to `memory/store.json`. */
export interface CapturedEntry {
  text: string;
  timestamp: string;
  importance: number;
  /** The daily file's name, e.g. `2026-02-10.md`. */
  source: string;
  markers: MemoryItemKind[];
  category: 'auto_captured';
  /** The daily file, relative to the workspace. */
  file: string;
  line: number;
}

/** The days to capture, oldest first: the day before `day` and `day` (today when not given). */
export function captureDays(now: Date, timeZone?: string, day?: string): [string, string] {
  const last = day ?? calendarDay(now, timeZone);
  return [previousDay(last), last];
}

/** Turn extracted items into store entries stamped with `timestamp`. */
export function toEntries(items: readonly MemoryItem[], file: string, timestamp: string): CapturedEntry[] {
  return items.map((item) => ({
    text: item.text,
    timestamp,
    importance: scoreImportance(item.text),
    source: path.basename(file),
    markers: item.kinds,
    category: 'auto_captured',
    file,
    line: item.line,
  }));
}

/**
 * The candidates that are not duplicates: a candidate goes when its word set is at least
 * `threshold` similar to any store entry or to a candidate kept before it.
 */
export function selectNewEntries<T extends { text: string }>(store: readonly unknown[], candidates: readonly T[], threshold: number): T[] {
  const texts: unknown[] = store.map((entry) =>
    typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).text : undefined,
  );
  for (const candidate of candidates) texts.push(candidate.text);
  // The store is only compared with the candidates, so only the candidates' words need ids.
  const sets = buildWordSets(texts, { closedBefore: store.length });
  const keep = greedyDedupe(sets, threshold, { pinned: store.length });
  return candidates.filter((_, k) => keep[store.length + k] === 1);
}

export interface CaptureMemoryOptions {
  workspace: string;
  now: Date;
  timeZone?: string;
  /** Capture this day (and the day before) instead of today. */
  day?: string;
  threshold?: number;
  /** Limits on the daily notes parsed; unset ones take their defaults. */
  limits?: Partial<MarkdownLimits>;
  dryRun: boolean;
  /** Stops the run, also mid-parse (the parser runs in a worker that is terminated). */
  signal?: AbortSignal;
  /** Called as parsing of a daily note starts (for a log line). */
  onParsing?: (file: string) => void;
}

/** A daily note that exists but was not captured, and why (the reason names the file). */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** What a capture run reports (the task's result keys). */
export interface CaptureSummary {
  files_processed: number;
  items_extracted: number;
  items_added: number;
  items_skipped: number;
  /** Daily notes refused: not UTF-8, over a limit, or not parseable. */
  files_skipped: SkippedFile[];
  days: string[];
}

/**
 * Capture a workspace's daily memory files into its store. A corrupt store or bad setting fails
 * with a RunnerError naming the file (or key), which the runner does not retry; nothing is
 * written then. A daily note that cannot be read (not UTF-8, over a limit, unparseable) is listed
 * in `files_skipped` and the other one is still captured.
 */
export async function captureMemory(options: CaptureMemoryOptions): Promise<CaptureSummary> {
  const threshold = configuredThreshold(options.threshold ?? DEFAULT_CAPTURE_THRESHOLD, 'memory.captureThreshold');
  const days = captureDays(options.now, options.timeZone, options.day);
  const timestamp = isoInZone(options.now, options.timeZone);
  const { notes, skipped } = await readNotes(options.workspace, days, resolveLimits(options.limits));
  const parsed = await itemsOfNotes(notes, skipped, { signal: options.signal, onParsing: options.onParsing });
  const candidates = parsed.flatMap(({ file, items }) => toEntries(items, file, timestamp));
  options.signal?.throwIfAborted();
  const base = { files_processed: parsed.length, items_extracted: candidates.length, files_skipped: skipped, days };
  if (candidates.length === 0) return { ...base, items_added: 0, items_skipped: 0 };
  return updateStore(
    storePath(options.workspace),
    (current) => {
      const store = current ?? [];
      const added = selectNewEntries(store, candidates, threshold);
      const result = { ...base, items_added: added.length, items_skipped: candidates.length - added.length };
      return { append: added, result };
    },
    { dryRun: options.dryRun },
  );
}

/**
 * The daily notes of `days` that exist and pass the checks, and those refused. A day's notes are
 * `memory/<day>.md` and any `memory/<day>-<slug>.md`, in the order of `dailyNoteNames`, so the
 * store gets the same entries in the same order on every run.
 */
async function readNotes(workspace: string, days: readonly string[], limits: MarkdownLimits): Promise<{ notes: MarkdownSource[]; skipped: SkippedFile[] }> {
  const notes: MarkdownSource[] = [];
  const skipped: SkippedFile[] = [];
  const memoryDir = path.join(workspace, 'memory');
  for (const day of days) {
    for (const name of await dailyNoteNames(memoryDir, day)) {
      const file = `memory/${name}`;
      const text = await refusalOf(() => readCheckedNote(path.join(workspace, file), file, limits));
      if (text instanceof RunnerError) skipped.push({ file, reason: text.message });
      else if (text !== undefined) notes.push({ file, text });
    }
  }
  return { notes, skipped };
}

/** Each note's memory items, parsed in a worker; a note the parser fails on is added to `skipped`. */
async function itemsOfNotes(notes: readonly MarkdownSource[], skipped: SkippedFile[], options: ParseOptions): Promise<Array<{ file: string; items: MemoryItem[] }>> {
  // markdown.js holds the parser, the largest module of the library: load it only when capture
  // runs, so importing 'taskrunner' (every task run does) stays cheap.
  const { memoryItemsOf } = await import('./markdown.js');
  const trees = await parseMarkdownInWorker(notes, options);
  const parsed: Array<{ file: string; items: MemoryItem[] }> = [];
  for (const [k, tree] of trees.entries()) {
    const { file } = notes[k]!;
    const items = tree instanceof RunnerError ? tree : refusedOnError(file, () => memoryItemsOf(tree));
    if (items instanceof RunnerError) skipped.push({ file, reason: items.message });
    else parsed.push({ file, items });
  }
  return parsed;
}

// A tree the item rules cannot walk (deeper than they can recurse) is the note's fault, not the run's.
function refusedOnError(file: string, extract: () => MemoryItem[]): MemoryItem[] | RunnerError {
  try {
    return extract();
  } catch (error) {
    return unparseable(file, error instanceof Error ? error.message : String(error));
  }
}

/**
 * The text of one daily note, undefined when it does not exist; throws `memory.unreadable` or
 * `memory.overLimit` naming the file when it is not UTF-8 or over a limit.
 */
async function readCheckedNote(file: string, name: string, limits: MarkdownLimits): Promise<string | undefined> {
  const markdown = await readDailyNote(file, name, limits.maxFileBytes);
  if (markdown !== undefined) checkMarkdownLimits(markdown, limits, name);
  return markdown;
}

// A FIFO or a device in place of a note (store.notAFile) is refused like a note that is not text.
const REFUSED_NOTE_CODES: ReadonlySet<string> = new Set(['memory.unreadable', 'memory.overLimit', 'store.notAFile']);

// A note refused for what it holds comes back as its error; anything else (an I/O error) ends the run.
async function refusalOf<T>(read: () => Promise<T>): Promise<T | RunnerError> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RunnerError && REFUSED_NOTE_CODES.has(error.code)) return error;
    throw error;
  }
}
