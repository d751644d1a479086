import { watch, type FSWatcher, type Stats } from 'node:fs';
import { stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { MAX_LINE_BYTES } from './lines-backward.js';
import { LogFileSet, type OpenLogFile } from './log-files.js';
import { openRegularFileForReading } from '../store/read-file.js';

/** How often the log is looked at when no file-system event came (fs.watch misses some, e.g. on NFS). */
export const FOLLOW_POLL_MS = 500;

const READ_BYTES = 64 * 1024;

/** Options of {@link followLog}. */
export interface FollowOptions {
  /** The live file as an earlier read left it, open; reading goes on from its `size`. */
  from?: OpenLogFile;
  /** Stops the follower; {@link followLog} then resolves. */
  signal: AbortSignal;
  pollMs?: number;
}

/**
 * Call `onLine` with every line appended to the run log `logFile` from now on (or from
 * `from.size`), until `signal` aborts. `undefined` stands for a line over the length limit.
 *
 * Rotation is followed: when `logFile` names another file (renamed to `.1`, a new one created), the
 * old file is read to its end through the descriptor still open, then every file rotated after it
 * (several rotations may happen between two looks with a small `logs.maxBytes`), oldest first,
 * then the new live file from its start, so no record is lost or repeated. A file that shrinks in
 * place (truncated) is read again from its start. Anything but a regular file under the log's
 * names rejects with `store.notAFile` naming it.
 */
export async function followLog(logFile: string, onLine: (line: string | undefined) => void, options: FollowOptions): Promise<void> {
  const waker = new Waker(path.dirname(logFile), options.pollMs ?? FOLLOW_POLL_MS, options.signal);
  let current: Tail | undefined = options.from && new Tail(options.from.handle, options.from.ino, options.from.size, onLine);
  try {
    while (!options.signal.aborted) {
      if (current) await current.readToEnd();
      const onDisk = await stat(logFile).catch(() => undefined);
      if (current && onDisk?.ino !== current.ino) {
        const finished = current;
        current = undefined;
        try {
          current = await readRotatedAfter(logFile, finished, onLine);
        } finally {
          await finished.close();
        }
        continue;
      }
      if (current && onDisk && onDisk.size < current.position) {
        current.restart();
        continue;
      }
      if (!current && onDisk) {
        current = await Tail.open(logFile, onLine);
        if (current) continue;
      }
      await waker.wait();
    }
  } finally {
    waker.close();
    await current?.close();
  }
}

/**
 * `finished` is no longer the live log (rotated or removed): whatever it got since the last read is
 * still in it, so it is read to its end; then come the files rotated after it, oldest first.
 * Resolves to the live file now, to be read from its start, if there is one. The caller closes
 * `finished`, after this: kept open, its inode cannot be given to another file meanwhile.
 */
async function readRotatedAfter(logFile: string, finished: Tail, onLine: (line: string | undefined) => void): Promise<Tail | undefined> {
  await finished.readToEnd();
  finished.flush();
  const { mtimeMs } = await finished.stat();
  const files = await LogFileSet.open(logFile);
  try {
    const rotated = files.files.filter((file) => file.path !== logFile);
    for (const file of newerRotated(rotated, finished.ino, mtimeMs)) {
      const tail = new Tail(file.handle, file.ino, 0, onLine);
      await tail.readToEnd();
      tail.flush();
    }
    const live = files.takeLive(logFile);
    return live && new Tail(live.handle, live.ino, 0, onLine);
  } finally {
    await files.close();
  }
}

/**
 * Of the rotated files (newest first), those newer than the file of inode `ino`, oldest first. When
 * it is found under its rotated name (still open, so no other file has its inode), those with a
 * lower number; when it is gone (rotated past `logs.keep`, or removed), those written after it.
 */
function newerRotated(rotated: readonly OpenLogFile[], ino: number, mtimeMs: number): OpenLogFile[] {
  const at = rotated.findIndex((file) => file.ino === ino);
  const newer = at === -1 ? rotated.filter((file) => file.mtimeMs > mtimeMs) : rotated.slice(0, at);
  return newer.reverse();
}

/** An open log file read forward from a position, line by line. */
class Tail {
  private carry: Buffer = Buffer.alloc(0);
  private oversized = false;
  private readonly buffer = Buffer.allocUnsafe(READ_BYTES);

  private readonly handle: FileHandle;
  readonly ino: number;
  public position: number;
  private readonly onLine: (line: string | undefined) => void;
  constructor(
    handle: FileHandle,
    ino: number,
    position: number,
    onLine: (line: string | undefined) => void,
  ) {
    this.handle = handle;
    this.ino = ino;
    this.position = position;
    this.onLine = onLine;
  }

  static async open(file: string, onLine: (line: string | undefined) => void): Promise<Tail | undefined> {
    const opened = await openRegularFileForReading(file);
    if (!opened) return undefined;
    // The inode of the descriptor, not of the name: the name may have moved on already.
    return new Tail(opened.handle, opened.stats.ino, 0, onLine);
  }

  /** Read what was appended since the last read, passing on every complete line. */
  async readToEnd(): Promise<void> {
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buffer, 0, READ_BYTES, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      this.split(this.buffer.subarray(0, bytesRead));
    }
  }

  /** The file was truncated: read it again from the start, dropping a line begun before. */
  restart(): void {
    this.position = 0;
    this.carry = Buffer.alloc(0);
    this.oversized = false;
  }

  /** The file's stats, through the descriptor. */
  stat(): Promise<Stats> {
    return this.handle.stat();
  }

  /** The file is read to its end for good: a line left without its newline is passed on, for the reader to judge. */
  flush(): void {
    if (this.carry.length > 0 || this.oversized) this.onLine(this.oversized ? undefined : this.carry.toString('utf8'));
    this.restart();
  }

  /** {@link flush}, and close the file. */
  async close(): Promise<void> {
    this.flush();
    await this.handle.close();
  }

  private split(bytes: Buffer): void {
    let start = 0;
    for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
      const line = this.carry.length > 0 ? Buffer.concat([this.carry, bytes.subarray(start, nl)]) : bytes.subarray(start, nl);
      this.onLine(this.oversized || line.length > MAX_LINE_BYTES ? undefined : line.toString('utf8'));
      this.carry = Buffer.alloc(0);
      this.oversized = false;
      start = nl + 1;
    }
    // The rest is a line still being written; kept (up to the limit) until its newline comes.
    if (this.oversized || this.carry.length + bytes.length - start > MAX_LINE_BYTES) {
      this.oversized = true;
      this.carry = Buffer.alloc(0);
    } else if (start < bytes.length) {
      this.carry = Buffer.concat([this.carry, bytes.subarray(start)]);
    }
  }
}

/**
 * Resolves `wait()` at the next change in the log's folder (fs.watch), after `pollMs` at the
 * latest, or at once when the signal aborts. A change between two waits is not lost: it makes the
 * next wait return at once.
 */
class Waker {
  private changed = false;
  private wake: (() => void) | undefined;
  private readonly watcher: FSWatcher | undefined;
  private readonly onAbort = () => this.fire();

  private readonly pollMs: number;
  private readonly signal: AbortSignal;
  constructor(dir: string, pollMs: number, signal: AbortSignal) {
    this.pollMs = pollMs;
    this.signal = signal;
    try {
      this.watcher = watch(dir, { persistent: false }, () => this.fire());
      this.watcher.on('error', () => undefined);
    } catch {
      // No folder yet, or no watching here: polling alone will do.
      this.watcher = undefined;
    }
    signal.addEventListener('abort', this.onAbort);
  }

  async wait(): Promise<void> {
    if (this.changed || this.signal.aborted) {
      this.changed = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.pollMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    this.changed = false;
  }

  close(): void {
    this.watcher?.close();
    this.signal.removeEventListener('abort', this.onAbort);
  }

  private fire(): void {
    this.changed = true;
    this.wake?.();
  }
}
