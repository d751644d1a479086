import { closeSync, mkdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { RunnerError } from '../shared/errors.js';
import { openRegularFileForAppend, type AppendTarget } from './regular-file.js';

/** One line of `logs/tasks.jsonl` (SPEC §8); key order matters and is kept by construction. */
export type RunRecord = Record<string, unknown> & { task: string; timestamp: string; success: boolean };

/** The run history file of a home. It is read back through `src/history/` (newest first, rotated files included). */
export function runLogPath(home: string): string {
  // A worker asks for it at every job, always for the same home.
  if (home !== lastHome) {
    lastHome = home;
    lastPath = path.join(home, 'logs', 'tasks.jsonl');
  }
  return lastPath;
}

let lastHome: string | undefined;
let lastPath = '';

/**
 * Append one record to the run history: one `write(2)` on an `O_APPEND` descriptor, so concurrent
 * runs never interleave lines, and synchronous, so the record is on disk before the process exits
 * (this also works in an `exit` handler). The line is our own JSON because SPEC §8 fixes its keys
 * and their order.
 *
 * A record that cannot be written (a full disk, a read-only `logs/`) throws a `store.writeFailed`
 * error naming the file at once. (pino's synchronous destination, used before, retries a failed
 * write forever, which hung the run with its lock and ignored SIGTERM.) Anything but a regular file
 * at the log's path (a FIFO would block the open until a reader comes, for ever) throws
 * `store.notAFile` naming it, without waiting.
 */
export function appendRunRecord(home: string, record: RunRecord, rotation?: LogRotation): void {
  const file = runLogPath(home);
  try {
    appendLineSync(file, `${recordLine(record)}\n`, rotation);
  } catch (error) {
    if (error instanceof RunnerError) throw error;
    throw new RunnerError('store.writeFailed', `cannot write the run record to ${file}: ${(error as Error).message}`, {
      file,
      cause: error,
    });
  }
}

/** The JSON line of a record, the same in `logs/tasks.jsonl` and the shared history (made once a record). */
export function recordLine(record: RunRecord): string {
  if (record === lastLine.record) return lastLine.line;
  // The replacer costs more than the rest of the line; only a record holding objects (a task's
  // result data) or big integers needs it.
  const line = isFlat(record) ? JSON.stringify(record) : JSON.stringify(record, jsonSafe);
  lastLine.record = record;
  lastLine.line = line;
  return line;
}

// A record's line is asked for twice in a row (the log, then the shared history): the last one is kept.
const lastLine: { record: RunRecord | undefined; line: string } = { record: undefined, line: '' };

function isFlat(record: RunRecord): boolean {
  for (const key in record) {
    if (!isPlainJsonValue(record[key])) return false;
  }
  return true;
}

// Partial writes are continued; any error ends the attempt (no retry loop: a full disk stays full).
function appendLineSync(file: string, line: string, rotation: LogRotation | undefined): void {
  let log = openLog(file);
  if (rotation && log.size >= (rotation.maxBytes ?? DEFAULT_MAX_BYTES)) {
    forgetLog(file);
    rotateIfFull(file, rotation);
    log = openLog(file);
  }
  try {
    // The string is written as it is (no Buffer made first); only a short write needs the bytes.
    const written = writeSync(log.fd, line);
    if (written < Buffer.byteLength(line)) writeRest(log.fd, Buffer.from(line, 'utf8'), written);
  } catch (error) {
    forgetLog(file);
    throw error;
  }
}

function writeRest(fd: number, bytes: Buffer, from: number): void {
  let written = from;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** A run log's descriptor, open for appending, and the file's size when it was last looked at. */
interface OpenLog {
  fd: number;
  dev: number;
  ino: number;
  size: number;
  idle: NodeJS.Timeout;
}

const OPEN_LOGS = new Map<string, OpenLog>();
// A descriptor unused this long is closed (a process that runs a task now and then holds none).
const LOG_IDLE_MS = 2_000;

/**
 * The log's descriptor, kept open between appends: a worker appends a record for every job, and an
 * open and a close each time cost more than the write. A `stat` of the path each time still finds a
 * log rotated or removed by another process; the write then goes to the new file.
 */
function openLog(file: string): OpenLog {
  const seen = statSync(file, { throwIfNoEntry: false });
  const open = OPEN_LOGS.get(file);
  if (open && seen && seen.ino === open.ino && seen.dev === open.dev) {
    open.size = seen.size;
    open.idle.refresh();
    return open;
  }
  if (open) forgetLog(file);
  const {
    fd,
    stats: { dev, ino, size },
  } = openForAppend(file);
  const idle = setTimeout(() => forgetLog(file), LOG_IDLE_MS).unref();
  const log = { fd, dev, ino, size, idle };
  OPEN_LOGS.set(file, log);
  return log;
}

function forgetLog(file: string): void {
  const open = OPEN_LOGS.get(file);
  if (!open) return;
  OPEN_LOGS.delete(file);
  clearTimeout(open.idle);
  try {
    closeSync(open.fd);
  } catch {
    // Already closed: nothing to release.
  }
}

function openForAppend(file: string): AppendTarget {
  try {
    return openRegularFileForAppend(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(path.dirname(file), { recursive: true });
    return openRegularFileForAppend(file);
  }
}

function isPlainJsonValue(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'bigint');
}

// A task result may hold values JSON cannot express; the record must still be one valid line.
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** When to start a new run log (`logs.maxBytes`) and how many old ones to keep (`logs.keep`). */
export interface LogRotation {
  maxBytes?: number;
  keep?: number;
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_KEEP = 5;
// A rotation takes milliseconds; a marker older than this was left by a killed process.
const STALE_ROTATION_MS = 60_000;

/**
 * Once the log reaches `maxBytes`, shift `tasks.jsonl` → `.1` → … → `.keep` (the oldest goes). One
 * process rotates at a time (a marker directory made with `mkdir`, which is atomic); the others
 * just append, and a record written to the old file during the shift lands in `.1`, not nowhere.
 */
export function rotateIfFull(file: string, { maxBytes = DEFAULT_MAX_BYTES, keep = DEFAULT_KEEP }: LogRotation): void {
  if (sizeOf(file) < maxBytes) return;
  const marker = `${file}.rotating`;
  try {
    mkdirSync(marker);
  } catch {
    const age = Date.now() - (statSync(marker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > STALE_ROTATION_MS) rmSync(marker, { recursive: true, force: true });
    return;
  }
  try {
    // Another process may have rotated between our size check and the marker.
    if (sizeOf(file) < maxBytes) return;
    for (let n = keep - 1; n >= 1; n--) renameIfExists(`${file}.${n}`, `${file}.${n + 1}`);
    renameIfExists(file, `${file}.1`);
  } finally {
    rmSync(marker, { recursive: true, force: true });
  }
}

function sizeOf(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
