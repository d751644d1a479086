/**
 * The one atomic writer of the stores (alerts, JSON files, the memory store): the new content is
 * streamed to a temporary file beside the target, fsynced, and renamed over it, so a reader or a
 * crash only ever sees the old file or the new one, never half of one.
 *
 * - The temporary file is created with the target's mode (and owner, when root), so it is never
 *   readable by more people than the file it replaces, not even for a moment.
 * - Temporary files are named `<file>.<pid>.<8 hex>.tmp`. A writer killed mid-write leaves one
 *   behind; the next write removes those whose process is gone (never one of a live process).
 * - `beforeRename` runs after the data is on disk and before the rename: the last moment to give up
 *   (a lost lock), when giving up still changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Where a producer writes the new content; chunks are buffered into large writes. */
export interface ChunkSink {
  write(chunk: string | Buffer): Promise<void>;
}

export interface AtomicWriteOptions {
  /** Called just before the rename; throwing abandons the write and leaves the file as it was. */
  beforeRename?: () => void | Promise<void>;
  /**
   * The mode and owner the new file gets; by default those of the file now at the path. A caller
   * that checked the file it read (by descriptor) passes what it saw, not what is there by now.
   */
  like?: FileIdentity;
}

/** Permission bits and owner of a file. */
export interface FileIdentity {
  mode: number;
  uid: number;
  gid: number;
}

const FLUSH_BYTES = 1024 * 1024;

/** Replace `file` with what `produce` writes to the sink, atomically. */
export async function writeAtomic(file: string, produce: (sink: ChunkSink) => Promise<void>, options: AtomicWriteOptions = {}): Promise<void> {
  const folder = path.dirname(file);
  await mkdir(folder, { recursive: true });
  await removeStaleTemporaries(file);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await createLike(temporary, options.like ?? (await stat(file).catch(() => undefined)));
  try {
    const sink = new BufferedSink(handle);
    await produce(sink);
    await sink.flush();
    await handle.sync();
    await handle.close();
    await options.beforeRename?.();
    await rename(temporary, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncFolder(folder);
}

// Created with the old file's permission bits from the start (the umask may narrow them, so they are
// set again on the still empty file), and given the old file's owner when we may.
async function createLike(temporary: string, old: FileIdentity | undefined): Promise<FileHandle> {
  const mode = old ? old.mode & 0o7777 : 0o666;
  const handle = await open(temporary, 'wx', mode);
  try {
    if (old) {
      const created = await handle.stat();
      if ((created.mode & 0o7777) !== mode) await handle.chmod(mode);
      if (created.uid !== old.uid || created.gid !== old.gid) await handle.chown(old.uid, old.gid).catch(() => undefined);
    }
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Remove `<file>.<pid>.<hex>.tmp` files left by writers that are no longer running. */
export async function removeStaleTemporaries(file: string): Promise<void> {
  const base = path.basename(file);
  const names = await readdir(path.dirname(file)).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(base) || !name.endsWith('.tmp')) continue;
    const match = /^\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(base.length));
    if (match && !isRunning(Number(match[1]))) await unlink(path.join(path.dirname(file), name)).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

// Without it, a power cut right after the rename could bring back the old directory entry.
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}

class BufferedSink implements ChunkSink {
  private chunks: Buffer[] = [];
  private bytes = 0;

  private readonly handle: FileHandle;
  constructor(handle: FileHandle) {
    this.handle = handle;
  }

  async write(chunk: string | Buffer): Promise<void> {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    // A large chunk (a run of a store's unchanged bytes) is written as it is, not copied.
    if (buffer.length >= FLUSH_BYTES) {
      await this.flush();
      await writeAll(this.handle, buffer);
      return;
    }
    this.chunks.push(buffer);
    this.bytes += buffer.length;
    if (this.bytes >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    const chunks = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    if (chunks.length === 1) await writeAll(this.handle, chunks[0]!);
    else if (chunks.length > 1) await writeAll(this.handle, Buffer.concat(chunks));
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}
