import { openForReading } from '../store/read-file.js';

/** A work block as read back from the diary (SPEC §6), whatever wrote it. */
export interface DiaryBlock {
  number: number;
  /** The time in the heading, as written (`2026-02-03T17:35Z`, or `17:37Z` from hand-written ones). */
  time: string;
  task: string;
  result: string;
  insight: string;
  next: string;
  status: string;
}

/** Bytes read from the end of the diary: enough for dozens of blocks, bounded whatever its size. */
export const DIARY_TAIL_BYTES = 64 * 1024;

// `### 2026-02-03T17:35Z — Work Block 1135 — Document block-counter.py` (an en or em dash, or a hyphen).
const HEADING = /^#{1,6}[ \t]+(\S*)[ \t]+[—–-][ \t]+Work Block #?(\d+)(?:[ \t]+[—–-][ \t]+(.*))?$/i;
const FIELD = /^\*\*(Task|Result|Insight|Next|Status):\*\*[ \t]*(.*)$/;

/**
 * The newest `limit` work blocks of a diary's text, newest first. Text before the first heading
 * (a block cut by reading only the end) is ignored.
 */
export function parseWorkBlocks(text: string, limit: number): DiaryBlock[] {
  const blocks: DiaryBlock[] = [];
  let current: DiaryBlock | undefined;
  for (const line of text.split('\n')) {
    const heading = HEADING.exec(line.trimEnd());
    if (heading) {
      current = { number: Number(heading[2]), time: heading[1]!, task: heading[3]?.trim() ?? '', result: '', insight: '', next: '', status: '' };
      blocks.push(current);
      continue;
    }
    const field = current && FIELD.exec(line.trimEnd());
    if (current && field) {
      const key = field[1]!.toLowerCase() as 'task' | 'result' | 'insight' | 'next' | 'status';
      current[key] = field[2]!;
    }
  }
  return blocks.slice(-limit).reverse();
}

/**
 * The newest `limit` work blocks of the diary `file`, newest first, reading at most
 * {@link DIARY_TAIL_BYTES} from its end. A missing diary has none.
 */
export async function readLastWorkBlocks(file: string, limit: number): Promise<DiaryBlock[]> {
  const opened = await openForReading(file);
  if (!opened) return [];
  try {
    if (!opened.stats.isFile()) return [];
    const size = opened.stats.size;
    const from = Math.max(0, size - DIARY_TAIL_BYTES);
    const buffer = Buffer.alloc(size - from);
    const { bytesRead } = await opened.handle.read(buffer, 0, buffer.length, from);
    let text = buffer.subarray(0, bytesRead).toString('utf8');
    // Started mid-file: the first line is likely cut.
    if (from > 0) text = text.slice(text.indexOf('\n') + 1);
    return parseWorkBlocks(text, limit);
  } finally {
    await opened.handle.close();
  }
}
