/**
 * Runs a CommonJS file through `vm.Script` with a V8 code cache, so a start-up does not parse and
 * compile the whole bundle again (on Node 20, which has no `module.enableCompileCache()`, this is
 * most of what loading the CLI costs after evaluating it).
 *
 * The cache is code that runs as us, so it is kept as carefully as the compiled-module cache:
 *
 * - in a private folder (`$XDG_CACHE_HOME/taskrunner/v8`, mode 0700): one that is not a real folder,
 *   is owned by another user or is writable by group or others is not used at all (the file is then
 *   just compiled, as without a cache);
 * - a cache file is read through the descriptor it was checked on (ours, a regular file, not
 *   writable by group or others), so it cannot be swapped in between;
 * - named by content: the bundle's hash (written into its first line by the build), the Node.js
 *   version and architecture, and the V8 flags; V8 itself rejects data made for another source
 *   length or other flags, a checksum catches a damaged file, and either is ignored and rewritten;
 * - written through a temporary file renamed into place, so a concurrent start sees all of it or
 *   none, and written only on a miss;
 * - self-pruning: a miss removes the entries of other bundles (an upgrade leaves nothing behind).
 *
 * This file is bundled into dist/launch.cjs, which runs before anything else: it uses nothing but
 * Node's built-ins.
 */
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, constants } from 'node:fs';
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
  /** The bundle's hash when the cache is in use (state not `off`): entries named `<hash>-…` are kept by pruning. */
  bundleHash: string | undefined;
  /** Writes the cache after a miss (call once the code has run, so it holds what ran); a no-op on a hit. */
  save(): void;
}

/** Run the CommonJS `file`, which must be ASCII, with a code cache in `options.dir` (see the top of this file). */
export function runWithCodeCache(file: string, options: CodeCacheOptions): CodeCacheResult {
  // The build makes the bundle pure ASCII (see scripts/build.mjs): Latin-1 reads it without decoding.
  const source = readFileSync(file, 'latin1');
  const bundleHash = HASH_LINE.exec(source)?.[1];
  const cacheFile = bundleHash !== undefined && options.dir !== undefined && privateFolder(options.dir)
    ? path.join(options.dir, `${bundleHash}-${runtimeKey()}.bin`)
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
      pruneOtherBundles(options.dir!, bundleHash!);
      const data = script.createCachedData();
      writeAtomically(cacheFile, Buffer.concat([header(data), data]));
    } catch {
      // A cache that cannot be written costs the next start its compile, nothing else.
    }
  };
  return { exports: module.exports, state, bundleHash: cacheFile === undefined ? undefined : bundleHash, save };
}

/**
 * Node's version, the architecture and the V8 flags this process runs with: code cached by one
 * Node.js or under other flags is never offered to another (V8 would reject it anyway).
 */
export function runtimeKey(): string {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return `${process.version}-${process.arch}-${fnv1a(flags)}`;
}

// A short, stable hash of a short string; not for security (the folder is private), only naming.
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
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

/**
 * The bytes of `file` when it is a regular file of ours that only we can write, read through the
 * descriptor it was checked on; undefined otherwise (missing, someone else's, a link).
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
 * attacker, is what it is for (the folder is private). Not node:crypto's SHA-256: loading
 * node:crypto costs about 3.5 ms of every start, zlib (for CRC-32) about 2 ms; this takes about 1.
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

/**
 * Remove what older bundles left (their entries and their Node compile-cache folders) and
 * temporary files of writers that died. Entries of this bundle for other Node.js versions stay:
 * two versions may well take turns on one machine.
 */
function pruneOtherBundles(dir: string, bundleHash: string): void {
  for (const name of readdirSync(dir)) {
    const current = name.startsWith(`${bundleHash}-`) && !name.endsWith('.tmp');
    const ownTemporary = name.endsWith(`.${process.pid}.tmp`);
    if (!current && !ownTemporary) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}
