import { mkdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

// Linux gives up after 40 links too (ELOOP).
const MAX_LINKS = 40;

/**
 * The file a store update must lock and replace: `file` with every symbolic link resolved. An
 * update locks and renames over this path, so a store reached through a link keeps its link, and
 * a task updating the link and another updating the target share one lock. A file that does not
 * exist yet resolves through its folder (created when missing), and a dangling link to the path
 * it points to, so the first write creates the target, not a regular file in place of the link.
 */
export async function resolveStorePath(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    try {
      return await realpath(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const target = await linkTarget(current);
    if (target === undefined) return path.join(await resolveFolder(path.dirname(current)), path.basename(current));
    current = path.resolve(path.dirname(current), target);
  }
  throw Object.assign(new Error(`${file}: too many levels of symbolic links`), { code: 'ELOOP' });
}

/** Where `file` points when it is a (dangling) symbolic link; undefined when it is none or missing. */
async function linkTarget(file: string): Promise<string | undefined> {
  try {
    return await readlink(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EINVAL' || code === 'ENOENT') return undefined;
    throw error;
  }
}

async function resolveFolder(folder: string): Promise<string> {
  try {
    return await realpath(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(folder, { recursive: true });
  return realpath(folder);
}
