/**
 * Runs a CommonJS file through `vm.Script` with a V8 code cache, so a start-up does not parse and
 * compile the whole bundle again (on Node 20, which has no `module.enableCompileCache()`, this is
 * most of what loading the CLI costs after evaluating it).
 *
 * The cache is code that runs as us, so it is kept with care:
 *
 * - in a private folder (`$XDG_CACHE_HOME/taskrunner/v8`, mode 0700): one that is not a real folder,
 *   is owned by another user or is writable by group or others is not used at all (the file is then
 *   just compiled, as without a cache);
 * - a cache file is read through the descriptor it was checked on (ours, a regular file, not
 *   writable by group or others), so it cannot be swapped in between;
 * - named by content and place: the bundle's hash (written into its first line by the build), the
 *   bundle's path, the Node.js version and architecture, and the V8 flags; V8 itself rejects data
 *   made for another source length or other flags, a checksum catches a damaged file, and either is
 *   ignored and rewritten. The path is part of the name because V8's data holds the script's name:
 *   on Node 20 a hit makes stack traces name the file the entry was made from, so two checkouts of
 *   one release would otherwise name each other's `dist/runner.cjs`;
 * - written through a temporary file renamed into place, so a concurrent start sees all of it or
 *   none, and written only on a miss;
 * - self-pruning: a miss removes the entries of older bundles at the same path (an upgrade leaves
 *   nothing behind) and those of other paths unused for 30 days (a checkout that was removed); a hit
 *   refreshes its entry's time once a day, so a checkout in use keeps its entry.
 *
 * This file is bundled into dist/launch.cjs, which runs before anything else: it uses nothing but
 * Node's built-ins.
 */
import {
  closeSync,
  constants,
  fstatSync,
  futimesSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/** The wrapper Node puts around a CommonJS module; kept on the first line so line numbers match. */
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_END = '\n});';

/** The bundle's first line, written by the build: `// taskrunner-bundle <hash>`. */
const HASH_LINE = /^\/\/ taskrunner-bundle ([0-9a-f]{16,64})\n/;

export interface CodeCacheOptions {
  /** The private cache folder; undefined runs the file without a cache. */
  dir: string | undefined;
  /** The `require` the file gets (one resolving from the file's own folder). */
  require: NodeJS.Require;
}

/** What happened to the cache in a run, for tests and the benchmark. */
export type CacheState = 'hit' | 'miss' | 'rejected' | 'off';

/** The exports of the CommonJS `file` and what the cache did. */
export interface CodeCacheResult {
  exports: unknown;
  state: CacheState;
  /**
   * When the cache is in use (state not `off`), what names this bundle's entries,
   * `<bundle hash>-<path key>`: pruning treats `<entryPrefix>-…` (such as Node's compile-cache
   * folder, see launcher.ts) as this bundle's, kept while it is in use.
   */
  entryPrefix: string | undefined;
  /** Writes the cache after a miss (call once the code has run, so it holds what ran); a no-op on a hit. */
  save(): void;
}

/** Run the CommonJS `file`, which must be ASCII, with a code cache in `options.dir` (see the top of this file). */
export function runWithCodeCache(file: string, options: CodeCacheOptions): CodeCacheResult {
  // The build makes the bundle pure ASCII (see scripts/build.mjs): Latin-1 reads it without decoding.
  const source = readFileSync(file, 'latin1');
  const bundleHash = HASH_LINE.exec(source)?.[1];
  const entryPrefix = bundleHash === undefined ? undefined : `${bundleHash}-${pathKey(file)}`;
  const cacheFile = entryPrefix !== undefined && options.dir !== undefined && privateFolder(options.dir)
    ? path.join(options.dir, `${entryPrefix}-${runtimeKey()}.bin`)
    : undefined;
  const entry = cacheFile === undefined ? undefined : readEntry(cacheFile);
  const cachedData = entry === 'damaged' ? undefined : entry;
  const script = new vm.Script(WRAPPER_START + source + WRAPPER_END, { filename: file, cachedData });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, options.require, module, file, path.dirname(file));

  const state: CacheState =
    cacheFile === undefined ? 'off' : entry === 'damaged' || script.cachedDataRejected ? 'rejected' : entry === undefined ? 'miss' : 'hit';
  let saved = false;
  const save = () => {
    if (saved || cacheFile === undefined || state === 'hit') return;
    saved = true;
    try {
      pruneStaleEntries(options.dir!, entryPrefix!);
      const data = script.createCachedData();
      writeAtomically(cacheFile, Buffer.concat([header(data), data]));
    } catch {
      // A cache that cannot be written costs the next start its compile, nothing else.
    }
  };
  return { exports: module.exports, state, entryPrefix: cacheFile === undefined ? undefined : entryPrefix, save };
}

/** 16 hex digits naming where the bundle is (its absolute path): the name V8's data holds for it. */
function pathKey(file: string): string {
  const where = path.resolve(file);
  return fnv1a(where) + fnv1a(where, SECOND_BASIS);
}

/**
 * Node's version, the architecture and the V8 flags this process runs with: code cached by one
 * Node.js or under other flags is never offered to another (V8 would reject it anyway).
 */
export function runtimeKey(): string {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return `${process.version}-${process.arch}-${fnv1a(flags)}`;
}

/** Another offset basis: a second, independent 32 bits of a path's name. */
const SECOND_BASIS = 0x050c5d1f;

// A short, stable hash of a short string; not for security (the folder is private), only naming.
function fnv1a(text: string, basis = 0x811c9dc5): string {
  let hash = basis;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/**
 * Create `dir` (and its parent, the runner's cache folder) with mode 0700 when missing, and say
 * whether it is ours alone: a real folder, owned by us, not writable by group or others. The
 * parent is checked too: whoever can write it can replace `dir`.
 */
export function privateFolder(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return isPrivate(dir) && isPrivate(path.dirname(dir));
  } catch {
    return false;
  }
}

function isPrivate(dir: string): boolean {
  const stats = lstatSync(dir);
  const uid = process.getuid?.();
  return stats.isDirectory() && (uid === undefined || stats.uid === uid) && (stats.mode & 0o022) === 0;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** An entry of another path unused this long belongs to a checkout that is gone (or no longer run). */
const UNUSED_MAX_AGE_MS = 30 * DAY_MS;
/** A temporary file older than this belongs to a writer that died; a younger one may be being written. */
const TEMPORARY_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * The bytes of `file` when it is a regular file of ours that only we can write, read through the
 * descriptor it was checked on; undefined otherwise (missing, someone else's, a link). A read moves
 * the file's time to now when it is more than a day old: pruning counts in days, and a write on every
 * hit would cost every start.
 */
function readOwnFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    const uid = process.getuid?.();
    if (!stats.isFile() || (uid !== undefined && stats.uid !== uid) || (stats.mode & 0o022) !== 0) return undefined;
    if (Date.now() - stats.mtimeMs > DAY_MS) markUsed(fd);
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * A cache file is a header (the data's length and a 64-bit checksum of it, little-endian) and V8's
 * data. V8 checks its data's version, flags and source length, but in a release build not its
 * bytes: a file damaged on disk must be caught here, never handed to V8.
 */
const HEADER_BYTES = 4 + 8;

function header(data: Buffer): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(data.length, 0);
  return Buffer.concat([bytes, digest(data)]);
}

/**
 * Two 32-bit sums over the data's words, each position weighted differently (Fletcher's checksum,
 * widened): a flipped bit, a lost or repeated block, a zeroed page all change it. Damage, not an
 * attacker, is what it is for (the folder is private). Not node:crypto's SHA-256 nor zlib's
 * CRC-32: loading either costs every start more than this sum takes (measured: docs/benchmarks.md).
 */
function digest(data: Buffer): Buffer {
  // Word-aligned for the Int32Array view; V8's data and a read file's bytes after the header are.
  const aligned: Uint8Array = data.byteOffset % 4 === 0 ? data : new Uint8Array(data);
  const words = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.length >>> 2);
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < words.length; i++) {
    sum = (sum + words[i]!) | 0;
    weighted = (weighted + sum) | 0;
  }
  for (let i = words.length * 4; i < aligned.length; i++) {
    sum = (sum + aligned[i]!) | 0;
    weighted = (weighted + sum) | 0;
  }
  const bytes = Buffer.alloc(8);
  bytes.writeInt32LE(sum, 0);
  bytes.writeInt32LE(weighted, 4);
  return bytes;
}

/** The V8 data of a cache file; `damaged` when its length or checksum is wrong; undefined when there is none (or not ours). */
function readEntry(file: string): Buffer | 'damaged' | undefined {
  const bytes = readOwnFile(file);
  if (bytes === undefined) return undefined;
  const data = bytes.subarray(HEADER_BYTES);
  const whole = bytes.length >= HEADER_BYTES && bytes.readUInt32LE(0) === data.length && digest(data).equals(bytes.subarray(4, HEADER_BYTES));
  return whole ? data : 'damaged';
}

function markUsed(fd: number): void {
  try {
    const now = new Date();
    futimesSync(fd, now, now);
  } catch {
    // Only the prune's view of it: at worst the entry is made again after it is pruned.
  }
}

function writeAtomically(file: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, data, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** What an entry's name says: `<bundle hash>-<path key>-…` (a `.bin` file or Node's compile-cache folder). */
const ENTRY_NAME = /^([0-9a-f]{16,64})-([0-9a-f]{16})-/;

/**
 * Prune the cache folder on a miss of the bundle whose entries are named `<entryPrefix>-…`:
 *
 * - entries of an older bundle at the same path go (an upgrade leaves nothing behind); this
 *   bundle's entries for other Node.js versions stay, two versions may well take turns;
 * - entries of bundles at other paths (another checkout, another install) stay while used: they go
 *   once every entry of that bundle and path is unused for 30 days, so two checkouts used in turn
 *   do not remove each other's entries and both keep hitting;
 * - names this version does not make (entries of older versions of the cache) go, and temporary
 *   files of writers that died.
 */
function pruneStaleEntries(dir: string, entryPrefix: string, now = Date.now()): void {
  const ownPath = ENTRY_NAME.exec(`${entryPrefix}-`)![2];
  const names = readdirSync(dir);
  const usedAt = (name: string) => statSync(path.join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  // The last use of a bundle at a path is that of its most recently used entry.
  const lastUse = new Map<string, number>();
  for (const name of names) {
    const prefix = name.endsWith('.tmp') ? undefined : ENTRY_NAME.exec(name)?.[0];
    if (prefix !== undefined) lastUse.set(prefix, Math.max(lastUse.get(prefix) ?? 0, usedAt(name)));
  }
  const stale = (name: string): boolean => {
    if (name.endsWith('.tmp')) return !name.endsWith(`.${process.pid}.tmp`) && now - usedAt(name) > TEMPORARY_MAX_AGE_MS;
    const parts = ENTRY_NAME.exec(name);
    if (parts === null) return true;
    if (parts[2] === ownPath) return !name.startsWith(`${entryPrefix}-`);
    return now - lastUse.get(parts[0])! > UNUSED_MAX_AGE_MS;
  };
  for (const name of names) if (stale(name)) rmSync(path.join(dir, name), { recursive: true, force: true });
}
