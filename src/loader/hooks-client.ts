import Module from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { inThreadHooks } from './in-thread-hooks.js';
import type { HooksAnswer, HooksData, HooksRequest } from './node20-hooks.js';
import { packagePaths } from './package-paths.js';
import { addEntry, filesOf, setLibrary, type LibraryUrls } from './task-hooks.js';

/** What the loader asks of the task hooks, wherever they run. */
export interface TaskHooks {
  /** Marks `file` as a task file of `home` about to be imported (task-hooks.ts). */
  addEntry(file: string, home: string): Promise<void>;
  /** `file` and the files of home code it imported. */
  filesOf(file: string): Promise<string[]>;
}

let installed: TaskHooks | undefined;

/**
 * The task hooks, installed on first use (once per process): in-thread with
 * `module.registerHooks` where Node has it and strips types (Node 24), else off-thread with
 * `module.register` (Node 20), dist/task-hooks.cjs talking over a message port.
 */
export function taskHooks(): TaskHooks {
  installed ??= install();
  return installed;
}

/** Node's hook APIs that @types/node for Node 20 does not describe. */
interface ModuleHooksApi {
  registerHooks?: (hooks: typeof inThreadHooks) => unknown;
  register: (specifier: string, options: { data: HooksData; transferList: MessagePort[] }) => void;
}

function install(): TaskHooks {
  const paths = packagePaths();
  const library: LibraryUrls = { module: paths.libraryUrl, commonjs: pathToFileURL(paths.libraryFile).href };
  const api = Module as unknown as ModuleHooksApi;
  if (api.registerHooks && (process.features as { typescript?: unknown }).typescript) {
    setLibrary(library);
    api.registerHooks(inThreadHooks);
    return { addEntry: async (file, home) => addEntry(file, home), filesOf: async (file) => filesOf(file) };
  }
  const { port1, port2 } = new MessageChannel();
  api.register(paths.hooksUrl, { data: { port: port2, library }, transferList: [port2] });
  return new OffThreadHooks(port1);
}

/**
 * The loading thread's side of the off-thread hooks. Messages on one port arrive in order, so an
 * answer comes after everything the hooks thread did before it: the entry is known there before
 * the import starts, and the files list holds every import of the finished import.
 */
class OffThreadHooks implements TaskHooks {
  private nextId = 0;
  private readonly waiting = new Map<number, (answer: HooksAnswer) => void>();
  private readonly port: MessagePort;

  constructor(port: MessagePort) {
    this.port = port;
    port.on('message', (answer: HooksAnswer) => {
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
      // The port keeps the process alive only while an answer is awaited.
      if (this.waiting.size === 0) port.unref();
    });
    port.unref();
  }

  async addEntry(file: string, home: string): Promise<void> {
    await this.ask((id) => ({ id, entry: file, home }));
  }

  async filesOf(file: string): Promise<string[]> {
    return (await this.ask((id) => ({ id, filesOf: file }))).files ?? [file];
  }

  private ask(request: (id: number) => HooksRequest): Promise<HooksAnswer> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.port.ref();
      this.port.postMessage(request(id));
    });
  }
}
