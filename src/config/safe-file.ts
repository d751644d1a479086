import { statSync, type Stats } from 'node:fs';
import { RunnerError } from '../errors.js';

/**
 * Why a file that would run code as the current user must not be trusted, or undefined when it may
 * be: owned by someone other than us or root, or writable by group or others (as cron and sshd
 * refuse such files).
 */
export function unsafeFileReason(stats: Stats): string | undefined {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) {
    return `owned by uid ${stats.uid}, not by you (uid ${uid}) or root`;
  }
  if ((stats.mode & 0o022) !== 0) {
    return `writable by ${stats.mode & 0o020 ? 'group' : 'others'} (mode ${(stats.mode & 0o777).toString(8)})`;
  }
  return undefined;
}

/** Throws `runner.unsafeFile` naming the file when {@link unsafeFileReason} finds a reason. */
export function assertSafeFile(file: string, what: string): void {
  const reason = unsafeFileReason(statSync(file));
  if (reason) {
    throw new RunnerError('runner.unsafeFile', `refusing to load ${what} ${file}: ${reason}`, { file });
  }
}
