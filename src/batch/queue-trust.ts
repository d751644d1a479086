import { stat } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '../shared/errors.js';
import { untrustedFolderReason, untrustedReason } from '../security/trusted-file.js';
import { openForReading } from '../store/read-file.js';

/** A queue file larger than this is refused rather than read into memory. */
export const MAX_QUEUE_BYTES = 64 * 1024 * 1024;

/** The queue file's text as read, and why its `command`/`run` entries may not be trusted. */
export interface QueueRead {
  /** The file's text, or undefined when there is no file. */
  text: string | undefined;
  /** Why the queue must not make us run code, or undefined when it may. */
  untrusted: string | undefined;
  /** Owner and mode of the file that was read (undefined when there was none). */
  owner: { uid: number; gid: number; mode: number } | undefined;
}

/**
 * Read the queue file and judge the very file that was read: its open descriptor is checked
 * (owner, mode, regular file), not the path, which another user could swap after a check by path.
 * The folder is checked too: if others may write to it, they can rename their own file into place
 * for the next read (a sticky folder such as /tmp does not let them).
 */
export async function readQueueChecked(file: string): Promise<QueueRead> {
  const opened = await openForReading(file);
  if (opened === undefined) return { text: undefined, untrusted: undefined, owner: undefined };
  const { handle, stats } = opened;
  try {
    if (!stats.isFile()) throw new RunnerError('batch.unsafeQueue', `${file}: not a regular file`, { file });
    if (stats.size > MAX_QUEUE_BYTES) {
      throw new RunnerError('batch.invalid', `${file}: ${stats.size} bytes, more than the limit of ${MAX_QUEUE_BYTES}`, { file });
    }
    const text = await handle.readFile('utf8');
    const fileReason = untrustedReason(stats);
    const reason = fileReason ? `it is ${fileReason}` : untrustedFolderReason(await stat(path.dirname(file)));
    return {
      text,
      untrusted: reason && `refusing to run command/run entries from ${file}: ${reason}`,
      owner: { uid: stats.uid, gid: stats.gid, mode: stats.mode & 0o7777 },
    };
  } finally {
    await handle.close();
  }
}
