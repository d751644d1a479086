import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { untrustedReason } from '../security/trusted-file.js';
import { RunnerError } from '../errors.js';

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

/** Create the cache folder (mode 0700) and refuse one that another user could write to. */
export function ensureModuleCacheDir(dir: string): Promise<void> {
  let checked = checkedDirs.get(dir);
  if (!checked) {
    checked = createPrivateDir(dir);
    checkedDirs.set(dir, checked);
    checked.catch(() => checkedDirs.delete(dir));
  }
  return checked;
}

async function createPrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const reason = untrustedReason(await stat(dir));
  if (reason) {
    throw new RunnerError('runner.unsafeFile', `refusing to use the module cache ${dir}: ${reason}`, { file: dir });
  }
}

/** The text of a cache file, or undefined when it is not there. */
export async function readCacheFile(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** True when a cache file exists. */
export async function cacheFileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
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
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
