/**
 * memory_capture's logic (SPEC §5): read the daily files of a day and the day before, extract the
 * items worth keeping, drop those similar to the store or to an item captured before them in the
 * run, and append the rest to the store.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { configuredThreshold } from './consolidate.js';
import { scoreImportance } from './importance.js';
import { calendarDay, isoInZone, previousDay } from './local-date.js';
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
  dryRun: boolean;
  signal?: AbortSignal;
}

/** What a capture run reports (the task's result keys). */
export interface CaptureSummary {
  files_processed: number;
  items_extracted: number;
  items_added: number;
  items_skipped: number;
  days: string[];
}

/**
 * Capture a workspace's daily memory files into its store. A corrupt store or bad setting fails
 * with a RunnerError naming the file (or key), which the runner does not retry; nothing is
 * written then.
 */
export async function captureMemory(options: CaptureMemoryOptions): Promise<CaptureSummary> {
  const threshold = configuredThreshold(options.threshold ?? DEFAULT_CAPTURE_THRESHOLD, 'memory.captureThreshold');
  const days = captureDays(options.now, options.timeZone, options.day);
  const timestamp = isoInZone(options.now, options.timeZone);
  const candidates: CapturedEntry[] = [];
  let filesProcessed = 0;
  // The Markdown parser is the largest module of the library: load it only when capture runs, so
  // importing 'taskrunner' (every task run does) stays cheap.
  const { extractMemoryItems } = await import('./markdown.js');
  for (const day of days) {
    const relative = `memory/${day}.md`;
    const markdown = await readDaily(path.join(options.workspace, relative));
    if (markdown === undefined) continue;
    filesProcessed++;
    candidates.push(...toEntries(extractMemoryItems(markdown), relative, timestamp));
  }
  options.signal?.throwIfAborted();
  const base = { files_processed: filesProcessed, items_extracted: candidates.length, days };
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

async function readDaily(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
