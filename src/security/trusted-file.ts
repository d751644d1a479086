import { fstatSync, openSync, closeSync, statSync, constants, type Stats } from 'node:fs';
import { RunnerError } from '../shared/errors.js';
import { readFullySync } from '../store/read-fully.js';

// S_ISVTX: in a sticky folder only a file's owner may rename or remove it.
const STICKY_BIT = 0o1000;

/**
 * The rule cron and sshd apply to the files they run: a file that would run code as the current
 * user (a task file, a helper it imports, the config, a batch queue with commands) must be owned by
 * that user or root and writable by nobody else. Otherwise another user could make us run their code.
 */

/** Why a file may not be trusted, or undefined when it may be. */
export function untrustedReason(stats: Stats): string | undefined {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) {
    return `owned by uid ${stats.uid}, not by you (uid ${uid}) or root`;
  }
  const writers = writableBy(stats.mode);
  if (writers) return `writable by ${writers} (mode ${(stats.mode & 0o777).toString(8)})`;
  return undefined;
}

/**
 * Why a folder holding a trusted file may not be trusted: someone else who can write to the folder
 * can rename their own file over ours between our check and our read.
 * A sticky folder (such as /tmp) only lets owners rename their own entries, so it is accepted.
 */
export function untrustedFolderReason(stats: Stats): string | undefined {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) {
    return `its folder is owned by uid ${stats.uid}, not by you (uid ${uid}) or root`;
  }
  if ((stats.mode & STICKY_BIT) !== 0) return undefined;
  const writers = writableBy(stats.mode);
  if (writers) return `its folder is writable by ${writers} (mode ${(stats.mode & 0o777).toString(8)})`;
  return undefined;
}

/** "group", "others" or "group and others" for the write bits of a mode; undefined when neither. */
function writableBy(mode: number): string | undefined {
  const group = (mode & 0o020) !== 0;
  const others = (mode & 0o002) !== 0;
  if (group && others) return 'group and others';
  if (group) return 'group';
  if (others) return 'others';
  return undefined;
}

/** Throws `runner.unsafeFile` naming the file when it may not be trusted (checked by path). */
export function assertTrustedFile(file: string, what: string): void {
  const reason = untrustedReason(statSync(file));
  if (reason) throw unsafeFileError(file, what, reason);
}

/** The error for a refused file: it names the file, what it is and why. */
export function unsafeFileError(file: string, what: string, reason: string): RunnerError {
  return new RunnerError('runner.unsafeFile', `refusing to load ${what} ${file}: ${reason}`, { file });
}

/**
 * Reads a file whose content will be trusted, checking the descriptor it reads from (not the path,
 * which another user could swap after the check): it must be a regular file, trusted, and at most
 * `maxBytes` long. Returns the bytes.
 */
export function readTrustedFile(file: string, what: string, maxBytes: number): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw unsafeFileError(file, what, 'not a regular file');
    const reason = untrustedReason(stats);
    if (reason) throw unsafeFileError(file, what, reason);
    if (stats.size > maxBytes) {
      throw new RunnerError('runner.unsafeFile', `refusing to load ${what} ${file}: ${stats.size} bytes, more than the limit of ${maxBytes}`, { file });
    }
    return readFullySync(fd, stats.size);
  } finally {
    closeSync(fd);
  }
}
