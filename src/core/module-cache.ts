import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { untrustedReason } from '../security/trusted-file.js';
import { pruneModuleCache } from './cache-prune.js';
import { RunnerError } from '../shared/errors.js';

/**
 * The private folder where compiled task modules are kept: `$XDG_CACHE_HOME/taskrunner`, else
 * `~/.cache/taskrunner`. Never inside the runner home (a dry run changes no file there) and never a
 * shared temporary folder (whatever is in it runs as you).
 */
export function moduleCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || homedir(), '.cache');
  return path.join(base, 'taskrunner');
}

const checkedDirs = new Map<string, Promise<void>>();

/**
 * Create the cache folder (mode 0700), refuse one that another user could write to, and prune it
 * when it was not pruned in the last day. Done once per process and folder.
 */
export function ensureModuleCacheDir(dir: string): Promise<void> {
  let checked = checkedDirs.get(dir);
  if (!checked) {
    checked = createPrivateDir(dir);
    checkedDirs.set(dir, checked);
    checked.catch(() => checkedDirs.delete(dir));
  }
  return checked;
}

// The cache's file operations are synchronous: each is one small system call on a local folder, and
// loading node:fs/promises costs a start time (measured: docs/benchmarks.md).
async function createPrivateDir(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const reason = untrustedReason(statSync(dir));
  if (reason) {
    throw new RunnerError('runner.unsafeFile', `refusing to use the module cache ${dir}: ${reason}`, { file: dir });
  }
  // A cache that cannot be pruned still works; the next day's run tries again.
  await pruneModuleCache(dir).catch(() => undefined);
}

/** The text of a cache file, or undefined when it is not there. Marks the file as used. */
export async function readCacheFile(file: string): Promise<string | undefined> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    markUsed(file, fstatSync(fd));
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** True when a cache file exists (and is ours). Marks the file as used. */
export async function useCacheFile(file: string): Promise<boolean> {
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  markUsed(file, stats);
  return true;
}

/** How stale a cache file's time may get before a use refreshes it: pruning counts in days. */
const TOUCH_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Refuse a cache file another user could have written (the folder is private, so this is belt and
 * braces: a cached module runs as us), and move its modification time to now when it is more than
 * a day old, so pruning (cache-prune.ts) sees it as used without a write on every run.
 */
function markUsed(file: string, stats: Stats): void {
  const reason = untrustedReason(stats);
  if (reason) throw new RunnerError('runner.unsafeFile', `refusing to use the cached module ${file}: ${reason}`, { file });
  if (Date.now() - stats.mtimeMs < TOUCH_AFTER_MS) return;
  const now = new Date();
  try {
    utimesSync(file, now, now);
  } catch {
    // Pruned by a concurrent run at this very moment: it is rewritten on the next run.
  }
}

/**
 * Write a cache file through a uniquely named temporary file renamed into place, so a concurrent
 * run sees either no file or a whole one. Cache files are named by a hash of what they contain, so
 * two runs writing the same name write the same bytes and either rename may win.
 */
export async function writeCacheFile(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
