import type { RunRecord } from '../store/run-log.js';
import { LogFileSet } from './log-files.js';
import { visitLinesBackward, type BackwardLine } from './lines-backward.js';
import { parseRecord, taskOfLine } from './record.js';

/** A record read from the run log, with the line it was read from (byte for byte, less its newline). */
export interface HistoryEntry {
  record: RunRecord;
  line: string;
  /** The file it was read from: the live log or a rotated one. */
  file: string;
}

/** What a scan read. */
export interface ScanResult {
  /** Lines that are not a record (not JSON, or no `task`/`timestamp`), passed over. */
  skipped: number;
  /** Lines looked at, records or not (lines passed over by `wantsTask` included). */
  linesRead: number;
  /** True when the scan reached the start of the oldest file, false when the visitor or `maxLines` stopped it. */
  complete: boolean;
  /**
   * True when the live file ended in a line without its newline that is not a record yet: a writer
   * in the middle of appending. It is neither a record nor counted as skipped.
   */
  partialTail: boolean;
}

/** Options of {@link scanNewestFirst}. */
export interface ScanOptions {
  /**
   * Lines whose first bytes name a task this returns false for are passed over without being
   * parsed (a line in the writer's format names its task first). Such a line is judged only by
   * its ending in `}`: one cut short is still counted in `skipped`, but damage inside a whole-looking
   * line of an unwanted task is not.
   */
  wantsTask?: (task: string) => boolean;
  /** Stop after this many lines (records or not); `complete` is then false. */
  maxLines?: number;
  /** Read this many bytes at a time, always (for tests); by default reads start at 64 KiB and grow. */
  chunkBytes?: number;
}

/** The visitor of a scan: return `false` to stop. */
export type HistoryVisitor = (entry: HistoryEntry) => boolean | void;

/**
 * Read the run log newest record first: the live file from its end, then `.1`, `.2`, … Memory
 * stays bounded (one chunk and one line at a time) and the scan ends as soon as `visit` returns
 * `false`, so a reader that wants the last few records of a million-line log reads only the end.
 * Lines that are not records are skipped and counted.
 */
export async function scanNewestFirst(files: LogFileSet, visit: HistoryVisitor, options: ScanOptions = {}): Promise<ScanResult> {
  const result: ScanResult = { skipped: 0, linesRead: 0, complete: true, partialTail: false };
  const maxLines = options.maxLines ?? Infinity;
  for (const [index, file] of files.files.entries()) {
    const onLine = (line: BackwardLine): boolean => {
      if (result.linesRead >= maxLines) return false;
      result.linesRead += 1;
      const entry = entryOf(line, file.path, options.wantsTask);
      if (entry === 'unwanted') return true;
      if (entry === undefined) {
        // Only the live file's last line can still be growing; elsewhere a cut line stays cut.
        if (!line.terminated && index === 0) result.partialTail = true;
        else result.skipped += 1;
        return true;
      }
      return visit(entry) !== false;
    };
    if (!(await visitLinesBackward(file.handle, file.size, onLine, chunksOf(options)))) {
      result.complete = false;
      return result;
    }
  }
  return result;
}

function chunksOf(options: ScanOptions): { first: number; max: number } | undefined {
  return options.chunkBytes === undefined ? undefined : { first: options.chunkBytes, max: options.chunkBytes };
}

function entryOf(line: BackwardLine, file: string, wantsTask?: (task: string) => boolean): HistoryEntry | 'unwanted' | undefined {
  if (line.text === undefined) return undefined;
  // A line cut short (the common damage: a crash mid-write) does not end in `}`; it is parsed, so
  // that it is counted, even when its task is not wanted.
  if (wantsTask && line.text.endsWith('}')) {
    const task = taskOfLine(line.text);
    if (task !== undefined && !wantsTask(task)) return 'unwanted';
  }
  const record = parseRecord(line.text);
  return record && { record, line: line.text, file };
}

/**
 * Open the run log `logFile` and its rotated files, scan them newest first, and close them.
 * A missing log is an empty history.
 */
export async function scanHistory(logFile: string, visit: HistoryVisitor, options: ScanOptions = {}): Promise<ScanResult> {
  const files = await LogFileSet.open(logFile);
  try {
    return await scanNewestFirst(files, visit, options);
  } finally {
    await files.close();
  }
}

/** Every record of the run log, oldest first, with the count of lines skipped. */
export interface RunHistory {
  records: RunRecord[];
  skipped: number;
}

/**
 * Read the whole run log, rotated files included, into memory, oldest record first. For small
 * logs and tests; `status` and `logs` use {@link scanHistory}, which stops when it has enough.
 */
export async function readRunHistory(logFile: string): Promise<RunHistory> {
  const records: RunRecord[] = [];
  const { skipped } = await scanHistory(logFile, ({ record }) => {
    records.push(record);
  });
  return { records: records.reverse(), skipped };
}
