/**
 * The memory store, `memory/store.json`: a plain JSON array, read strictly (a file that cannot be
 * parsed is reported and never overwritten), updated under a lock with backups and an atomic
 * replace, through the stores' one reader (src/store/read-file.ts, limit `READ_LIMITS.memoryStore`)
 * and one streaming writer (src/store/atomic-write.ts). This file is only the memory-specific model:
 * the store is an array, and an update either replaces the entries or appends to them.
 *
 * Entries the update keeps are written back byte for byte from the old file (a big integer id,
 * `1e400`, a Latin-1 byte all survive; see src/store/json-document.ts), and a run of kept entries
 * is copied in one piece instead of being serialised again.
 */
import path from 'node:path';
import { RunnerError } from '../shared/errors.js';
import { writeAtomic } from '../store/atomic-write.js';
import { backupFile } from '../store/backup.js';
import { withFileLock } from '../store/lock.js';
import { writeContainer, type ContainerPlan } from '../store/json-container-writer.js';
import { readJsonDocument, type JsonDocument } from '../store/json-document.js';
import { arrayAsOneBlock } from '../store/json-spans.js';
import { READ_LIMITS } from '../store/read-file.js';

/** The store's path inside a workspace. */
export function storePath(workspace: string): string {
  return path.join(workspace, 'memory', 'store.json');
}

/** Read the store: undefined when missing; a corrupt or non-array file throws naming the file. */
export async function readStore(file: string): Promise<unknown[] | undefined> {
  return (await readStoreDocument(file))?.value as unknown[] | undefined;
}

async function readStoreDocument(file: string, name = file): Promise<JsonDocument | undefined> {
  const document = await readJsonDocument(file, READ_LIMITS.memoryStore, name);
  if (document === undefined || Array.isArray(document.value)) return document;
  const value = document.value;
  const found = value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  throw new RunnerError('store.invalid', `${name}: the memory store must be a JSON array, found ${found}`, { file: name });
}

/**
 * What an update of the store decided, besides its result: `next` replaces every entry; `append`
 * adds entries at the end; neither leaves the file alone. An entry of `next` that is the very
 * object read from the store counts as unchanged and is written back from the old bytes: to change
 * an entry, put a new object in its place, never modify the one read.
 */
export interface StoreChange<R> {
  next?: unknown[];
  append?: unknown[];
  result: R;
}

/**
 * Read-modify-write the store under its lock: `compute` sees the current entries (undefined when
 * there is no store) and decides; when it changes anything, the old file is kept as
 * `store.json.bak` (see src/store/backup.ts) and the new one replaces it. In dry-run nothing is
 * locked or written.
 */
export async function updateStore<R>(
  file: string,
  compute: (current: unknown[] | undefined) => StoreChange<R> | Promise<StoreChange<R>>,
  options: { dryRun: boolean },
): Promise<R> {
  if (options.dryRun) return (await compute(await readStore(file))).result;
  // A large store keeps the event loop busy for seconds while it parses and dedupes, well within
  // the lock's stale age (src/store/lock.ts), so the lock is refreshed in time.
  return withFileLock(
    file,
    async (lock) => {
      const current = await readStoreDocument(lock.file, file);
      const entries = current?.value as unknown[] | undefined;
      const { next, append, result } = await compute(entries);
      const changed = next !== undefined || (append !== undefined && append.length > 0);
      if (!changed) return result;
      const plan = next !== undefined ? replacePlan(current, next) : appendPlan(current, append!);
      lock.assertHeld();
      if (current !== undefined) await backupFile(lock.file);
      await writeAtomic(lock.file, (sink) => writeContainer(sink, plan), { beforeRename: () => lock.assertHeld() });
      return result;
    },
  );
}

/** Write `entries` as `JSON.stringify(entries, null, 2)` plus a newline, atomically. */
export async function writeJsonArrayAtomic(file: string, entries: readonly unknown[]): Promise<void> {
  await writeAtomic(file, (sink) => writeContainer(sink, { kind: 'array', items: entries, sourceOf: () => -1, source: undefined, indent: 2 }));
}

function sourceOfDocument(current: JsonDocument | undefined): ContainerPlan['source'] {
  return current?.spans ? { bytes: current.bytes, spans: current.spans } : undefined;
}

// The old entries are copied as one block (no need to find each): a 100k store gains new entries
// for the price of its parse.
function appendPlan(current: JsonDocument | undefined, added: readonly unknown[]): ContainerPlan {
  const block = current ? arrayAsOneBlock(current.bytes) : undefined;
  if (!block || block.count === 0) return { kind: 'array', items: added, sourceOf: () => -1, source: block && { bytes: current!.bytes, spans: block }, indent: 2 };
  return { kind: 'array', items: [OLD_ENTRIES, ...added], sourceOf: (j) => (j === 0 ? 0 : -1), source: { bytes: current!.bytes, spans: block }, indent: 2 };
}

/** Stands for the old entries, copied from the old file as one block. */
const OLD_ENTRIES = Symbol('the old entries');

function replacePlan(current: JsonDocument | undefined, next: readonly unknown[]): ContainerPlan {
  const sources = current ? matchByIdentity(current.value as unknown[], next) : undefined;
  return { kind: 'array', items: next, sourceOf: (j) => (sources ? sources[j]! : -1), source: sourceOfDocument(current), indent: 2 };
}

// How far ahead of the last match an entry of `next` is looked for before the index is built:
// consolidation keeps entries in order and drops a few between, so this nearly always suffices.
const LOOKAHEAD = 1024;

/**
 * For each entry of `next`, the index of the same object (or equal primitive) in `old`, or -1.
 * Entries kept in order are found by walking both arrays; anything else through an index of the
 * old objects, built only when needed (it costs a Map of up to a million entries).
 */
function matchByIdentity(old: readonly unknown[], next: readonly unknown[]): Int32Array {
  const sources = new Int32Array(next.length).fill(-1);
  let byObject: Map<unknown, number> | undefined;
  let i = 0;
  for (let j = 0; j < next.length; j++) {
    const entry = next[j];
    const limit = Math.min(old.length, i + LOOKAHEAD);
    let k = i;
    while (k < limit && old[k] !== entry) k++;
    if (k < limit) {
      sources[j] = k;
      i = k + 1;
      continue;
    }
    if (typeof entry !== 'object' || entry === null) continue;
    byObject ??= indexObjects(old);
    const found = byObject.get(entry);
    if (found !== undefined) {
      sources[j] = found;
      i = found + 1;
    }
  }
  return sources;
}

function indexObjects(entries: readonly unknown[]): Map<unknown, number> {
  const index = new Map<unknown, number>();
  entries.forEach((entry, k) => {
    if (typeof entry === 'object' && entry !== null && !index.has(entry)) index.set(entry, k);
  });
  return index;
}
