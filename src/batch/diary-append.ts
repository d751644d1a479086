import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomic } from '../store/atomic-write.js';

/**
 * Appending work blocks so that a reader sees each write whole or not at all.
 *
 * One `write` is not enough on its own: a full disk (ENOSPC) or a SIGKILL arriving mid-write can
 * leave a prefix of it in the file. So before appending, the text and the offset it goes to are
 * written to a journal beside the diary (`.diary.md.append`, through a temp file renamed into
 * place); the journal is removed once the append is whole. A failed write is undone at once
 * (truncated back); a process killed mid-write leaves the journal, and {@link repairTornAppend},
 * run by the next executor before it reads the diary, removes what was torn.
 */

/** The journal of a diary file. */
export function journalOf(diaryFile: string): string {
  return path.join(path.dirname(diaryFile), `.${path.basename(diaryFile)}.append`);
}

interface Journal {
  offset: number;
  text: string;
}

/** Append `text` to `file` whole, or leave the file as it was and reject. */
export async function appendWhole(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const bytes = Buffer.from(text, 'utf8');
  const journal = journalOf(file);
  const handle = await open(file, 'a');
  try {
    const before = (await handle.stat()).size;
    await writeAtomic(journal, (sink) => sink.write(JSON.stringify({ offset: before, text } satisfies Journal)));
    let written = 0;
    try {
      while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
    } catch (error) {
      // Undo our part, unless someone else appended meanwhile (then the journal stays for repair).
      if ((await handle.stat()).size === before + written) {
        await handle.truncate(before);
        await rm(journal, { force: true });
      }
      throw error;
    }
  } finally {
    await handle.close();
  }
  await rm(journal, { force: true });
}

/**
 * Remove the torn remains of an append that did not finish (its process was killed), as recorded
 * by its journal. The caller must be the only appender (it holds the executor lock). Resolves to
 * the number of bytes removed.
 */
export async function repairTornAppend(file: string): Promise<number> {
  const journalFile = journalOf(file);
  const journal = await readJournal(journalFile);
  if (journal === undefined) return 0;
  const removed = await removeTornPrefix(file, journal);
  await rm(journalFile, { force: true });
  return removed;
}

async function readJournal(file: string): Promise<Journal | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Journal;
    if (Number.isSafeInteger(value.offset) && typeof value.text === 'string') return value;
  } catch {
    // A journal renamed into place is whole; an unreadable one was not ours to trust.
  }
  return { offset: 0, text: '' };
}

// The bytes at the journal's offset that match the start of its text are ours: all of them (the
// append finished), some (torn: removed), or none (it never started).
async function removeTornPrefix(file: string, journal: Journal): Promise<number> {
  const expected = Buffer.from(journal.text, 'utf8');
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const ours = matchingPrefix(content.subarray(journal.offset), expected);
  if (ours === 0 || ours === expected.length) return 0;
  const end = journal.offset + ours;
  if (end === content.length) {
    const handle = await open(file, 'r+');
    try {
      await handle.truncate(journal.offset);
    } finally {
      await handle.close();
    }
  } else {
    // Someone appended after the torn part: cut it out of the middle.
    await writeAtomic(file, (sink) => sink.write(Buffer.concat([content.subarray(0, journal.offset), content.subarray(end)]).toString('utf8')));
  }
  return ours;
}

function matchingPrefix(actual: Buffer, expected: Buffer): number {
  const length = Math.min(actual.length, expected.length);
  let n = 0;
  while (n < length && actual[n] === expected[n]) n++;
  return n;
}
