import { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { taskHooks } from './hooks-client.js';
import { importModule } from './import-module.js';
import { loadError } from './load-error.js';
import { settleOrFail } from './settle-guard.js';

/** A loaded task file: its exports and every local source file it brought in. */
export interface LoadedModule {
  exports: Record<string, unknown>;
  /** The file itself and the files of the home's code it imports, directly or not (absolute paths). */
  files: string[];
}

export interface LoadModuleOptions {
  /**
   * The runner home the file belongs to (default: the folder above the file's folder). Package files
   * in its node_modules that a task imports are checked like its own files; see load-trust.ts.
   */
  home?: string;
}

/**
 * Import a user task file (`.ts`, `.mts`, `.js`, `.mjs`) with Node's own loader, no build step:
 * Node 24 strips TypeScript types itself (and its compile cache keeps the result); module hooks
 * (task-hooks.ts) lead `taskrunner` to the running runner's library and `./x.js` to `./x.ts`, and
 * refuse, with the reason, every file of the home they load that another user owns or others can
 * write (load-trust.ts). A file whose top-level code never settles fails instead of ending the
 * process; any failure is a `runner.taskLoad` or `runner.unsafeFile` error naming the task file.
 */
export async function loadTaskModule(file: string, options: LoadModuleOptions = {}): Promise<LoadedModule> {
  const entry = path.resolve(file);
  const home = path.resolve(options.home ?? path.dirname(path.dirname(entry)));
  const hooks = taskHooks();
  await hooks.addEntry(entry, home);
  const url = pathToFileURL(entry).href + reloadQuery(entry);
  try {
    const exports = await settleOrFail(importModule(url));
    const files = await hooks.filesOf(entry);
    remember(entry, files);
    return { exports, files };
  } catch (error) {
    remember(entry, await hooks.filesOf(entry));
    throw loadError(error, entry);
  }
}

/**
 * A process that loads tasks more than once (`runner dashboard` looks for them again now and then)
 * must see a task file, or a helper of it, that was changed meanwhile: Node keeps each module it
 * loaded, by URL, for the life of the process (a failure too). So each task file's files are
 * remembered as they were when it was loaded; once one of them has changed, the task file is
 * loaded afresh under a new URL (`?reload=<n>`, which the hooks pass on to the home code it
 * imports). A one-off run loads each file once and never needs this.
 */
const loadedFiles = new Map<string, { files: string[]; stamp: string; reloads: number }>();

function remember(entry: string, files: string[]): void {
  const reloads = loadedFiles.get(entry)?.reloads ?? 0;
  loadedFiles.set(entry, { files, stamp: stampOf(files), reloads });
}

/** '' for a first load or an unchanged task file, `?reload=<n>` once its files have changed. */
function reloadQuery(entry: string): string {
  const loaded = loadedFiles.get(entry);
  if (loaded === undefined) return '';
  if (stampOf(loaded.files) !== loaded.stamp) loaded.reloads += 1;
  return loaded.reloads === 0 ? '' : `?reload=${loaded.reloads}`;
}

/** The identity and state of each file (inode, size, change time): any edit or replacement changes it. */
function stampOf(files: string[]): string {
  return files
    .map((each) => {
      const stats = statSync(each, { throwIfNoEntry: false });
      return stats === undefined ? '-' : `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
    })
    .join(',');
}
