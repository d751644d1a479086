import { readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { openRegularFileForReading } from '../store/read-file.js';

/** One file of the run log, opened, with the size it had when opened. */
export interface OpenLogFile {
  path: string;
  handle: FileHandle;
  /** Bytes to read: the size at open time. Records appended later are the follower's business. */
  size: number;
  /** Inode number: tells a renamed file from a new one of the same name. */
  ino: number;
  /** Last modification time when opened: a follower tells newer files from older ones by it. */
  mtimeMs: number;
}

/**
 * The run log's files, newest first: `tasks.jsonl`, then `tasks.jsonl.1`, `.2`, … as
 * `rotateIfFull` names them (a higher number is older). All are opened at once, so a rotation
 * during a read cannot make a file be read twice or not at all: an open descriptor keeps its file
 * whatever it is renamed to. A rotation between listing and opening can still show one file under
 * two names; it is opened once (same inode). Anything but a regular file under one of these names
 * (a FIFO, a device, a folder) throws `store.notAFile` naming it.
 */
export class LogFileSet {
  readonly files: OpenLogFile[];
  private constructor(files: OpenLogFile[]) {
    this.files = files;
  }

  /** Open `logFile` (e.g. `<home>/logs/tasks.jsonl`) and its rotated files; missing ones are no error. */
  static async open(logFile: string): Promise<LogFileSet> {
    const opened: OpenLogFile[] = [];
    const seen = new Set<number>();
    try {
      for (const file of [logFile, ...(await rotatedFiles(logFile))]) {
        const entry = await openIfExists(file);
        if (!entry) continue;
        if (seen.has(entry.ino)) {
          await entry.handle.close();
          continue;
        }
        seen.add(entry.ino);
        opened.push(entry);
      }
    } catch (error) {
      await Promise.all(opened.map((entry) => entry.handle.close()));
      throw error;
    }
    return new LogFileSet(opened);
  }

  /**
   * Take the live file (`tasks.jsonl`) out of the set, open, for a follower to go on reading it
   * from where the set's reading ended; {@link close} then leaves it open.
   */
  takeLive(logFile: string): OpenLogFile | undefined {
    const index = this.files.findIndex((entry) => entry.path === logFile);
    return index === -1 ? undefined : this.files.splice(index, 1)[0];
  }

  /** Close every file still in the set. */
  async close(): Promise<void> {
    await Promise.all(this.files.splice(0).map((entry) => entry.handle.close()));
  }
}

/** `<logFile>.N` files beside the log, lowest number (newest) first. */
async function rotatedFiles(logFile: string): Promise<string[]> {
  const dir = path.dirname(logFile);
  const base = path.basename(logFile);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Listed rather than probed .1, .2, … in turn: a rotation mid-shift leaves a gap for a moment.
  return names
    .map((name) => ({ name, n: rotationNumber(base, name) }))
    .filter((entry): entry is { name: string; n: number } => entry.n !== undefined)
    .sort((a, b) => a.n - b.n)
    .map((entry) => path.join(dir, entry.name));
}

function rotationNumber(base: string, name: string): number | undefined {
  if (!name.startsWith(`${base}.`)) return undefined;
  const suffix = name.slice(base.length + 1);
  return /^[1-9]\d{0,5}$/.test(suffix) ? Number(suffix) : undefined;
}

async function openIfExists(file: string): Promise<OpenLogFile | undefined> {
  const opened = await openRegularFileForReading(file);
  if (opened === undefined) return undefined;
  const { handle, stats } = opened;
  return { path: file, handle, size: stats.size, ino: stats.ino, mtimeMs: stats.mtimeMs };
}
