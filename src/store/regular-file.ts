import { closeSync, constants, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { RunnerError } from '../shared/errors.js';

/**
 * The rule of every file the stores and the run log read or write: it is a regular file. A FIFO
 * would block a read or an append until another process opens its other end (for ever, with the
 * run's lock held), a device such as `/dev/zero` would never end, and a folder is no store.
 */

/**
 * The `store.notAFile` error for a file that is not a regular one, naming it and what it is:
 * `refusing to write <name>: a FIFO (named pipe), not a regular file`.
 */
export function notARegularFile(stats: Stats, name: string, action: 'read' | 'write'): RunnerError {
  return new RunnerError('store.notAFile', `refusing to ${action} ${name}: ${fileKind(stats)}, not a regular file`, { file: name, retryable: false });
}

/** Throws {@link notARegularFile} unless `stats` (of the descriptor about to be used) are those of a regular file. */
export function assertRegularFile(stats: Stats, name: string, action: 'read' | 'write'): void {
  if (!stats.isFile()) throw notARegularFile(stats, name, action);
}

/** An append-only descriptor of a regular file and its stats as checked. */
export interface AppendTarget {
  fd: number;
  stats: Stats;
}

const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;

/**
 * Open `file` for appending, creating it when missing (its folder must exist: ENOENT otherwise).
 * `O_NONBLOCK` keeps the open of a FIFO from waiting for a reader (with none it fails with ENXIO,
 * with one it opens), and the descriptor, not the path, is then checked with fstat, so nothing but
 * a regular file is ever written to; for a regular file the flag changes nothing. Anything else
 * throws `store.notAFile` naming the file.
 */
export function openRegularFileForAppend(file: string): AppendTarget {
  let fd: number;
  try {
    fd = openSync(file, APPEND_FLAGS, 0o666);
  } catch (error) {
    // ENXIO: a FIFO without a reader, or a socket; EISDIR: a folder. Said as what they are.
    const code = (error as NodeJS.ErrnoException).code;
    const seen = code === 'ENXIO' || code === 'EISDIR' ? statSync(file, { throwIfNoEntry: false }) : undefined;
    if (seen && !seen.isFile()) throw notARegularFile(seen, file, 'write');
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    assertRegularFile(stats, file, 'write');
    return { fd, stats };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** What a file that is not a regular one is, for a message: `a FIFO (named pipe)`, `a directory`. */
export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}
