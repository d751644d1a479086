import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { appendWhole } from './diary-append.js';

/** The diary's name inside the workspace (as the old work-block logger named it). */
export const DIARY_FILE_NAME = 'diary.md';

/** What one work block says (SPEC §6). */
export interface WorkBlock {
  number: number;
  time: Date;
  task: string;
  result: string;
  insight: string;
  next: string;
  /** The queue entry's id and the executor's run id, kept in an invisible marker for recovery. */
  taskId: string;
  runId: string;
}

// Numbers are taken from block headers only, never from text inside a block: a Markdown heading
// naming "Work Block 1135" or "Work Block #1135" (this executor, the old batch executor, hand-written
// "### 17:37Z - Work Block 1136"), or a line that starts with "Work block 2172:" (the old
// work-block logger's list items, "- Work block 2172: ..."). Only the first number of a line counts.
const HEADING_PATTERN = /^#{1,6}[ \t][^\n]*?\bWork Block #?(\d+)/gim;
const LOGGER_PATTERN = /^(?:[-*+][ \t]+)?Work block #?(\d+):/gim;
// The marker is a line of its own; the same text inside a heading or a field is not a marker.
const MARKER_PATTERN = /^<!-- batch-task:(\S+) run:(\S+) -->$/gm;

/** The highest work block number in the headers of `text`, or 0 when there is none. */
export function highestWorkBlock(text: string): number {
  let highest = 0;
  for (const pattern of [HEADING_PATTERN, LOGGER_PATTERN]) {
    for (const match of text.matchAll(pattern)) {
      const n = Number(match[1]);
      if (Number.isSafeInteger(n) && n > highest) highest = n;
    }
  }
  return highest;
}

/** The queue entry ids whose work block is in `text` (found by their markers). */
export function loggedTaskIds(text: string): Set<string> {
  const ids = new Set<string>();
  for (const match of text.matchAll(MARKER_PATTERN)) ids.add(match[1]!);
  return ids;
}

/** `2026-02-03T17:35Z`: UTC to the minute, as the old logger wrote. */
export function formatBlockTime(time: Date): string {
  return `${time.toISOString().slice(0, 16)}Z`;
}

/** One line of Markdown: line breaks in queue text would otherwise break the heading and fields. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * A work block exactly in SPEC §6's format, followed by an HTML comment (invisible when rendered)
 * naming the queue entry and the run. The marker comes last, so its presence means the whole block
 * was written.
 */
export function formatWorkBlock(block: WorkBlock): string {
  const task = oneLine(block.task);
  return [
    `### ${formatBlockTime(block.time)} — Work Block ${block.number} — ${task}`,
    '',
    `**Task:** ${task}`,
    `**Result:** ${oneLine(block.result)}`,
    `**Insight:** ${oneLine(block.insight)}`,
    `**Next:** ${oneLine(block.next)}`,
    '',
    '**Status:** ✅ Complete',
    `<!-- batch-task:${block.taskId} run:${block.runId} -->`,
    '',
  ].join('\n');
}

/** A work block before it has a number and a time. */
export type WorkBlockDraft = Omit<WorkBlock, 'number' | 'time'>;

/**
 * The diary as the executor sees it: the highest number so far and the entries already logged.
 * Appends number their blocks from what is in the file at that moment, so a block someone else
 * appended meanwhile (by hand, or with the old logger) is counted.
 */
export class Diary {
  private size = 0;
  private highest = 0;
  private endsWithNewline = true;
  private readonly logged = new Set<string>();

  readonly file: string;
  private constructor(file: string) {
    this.file = file;
  }

  /** Read the diary (a missing one is empty). */
  static async open(file: string): Promise<Diary> {
    const diary = new Diary(file);
    await diary.rescan();
    return diary;
  }

  /** The diary of a workspace. */
  static fileOf(workspace: string): string {
    return path.join(workspace, DIARY_FILE_NAME);
  }

  get lastNumber(): number {
    return this.highest;
  }

  /** True when a work block for this queue entry id is in the diary. */
  has(taskId: string): boolean {
    return this.logged.has(taskId);
  }

  get loggedIds(): ReadonlySet<string> {
    return this.logged;
  }

  /**
   * Append one block per draft in a single write, numbered on from the highest number in the file,
   * and resolve to the blocks written. The write lands whole or not at all (see `diary-append.ts`),
   * and a single `write` of an appended buffer is not interleaved with other appenders.
   */
  async append(drafts: readonly WorkBlockDraft[], time = new Date()): Promise<WorkBlock[]> {
    if (drafts.length === 0) return [];
    await this.catchUp();
    const blocks = drafts.map((draft, index) => ({ ...draft, number: this.highest + index + 1, time }));
    const separator = this.size === 0 ? '' : this.endsWithNewline ? '\n' : '\n\n';
    const text = separator + blocks.map(formatWorkBlock).join('\n');
    await appendWhole(this.file, text);
    this.size += Buffer.byteLength(text);
    this.highest += blocks.length;
    this.endsWithNewline = true;
    for (const block of blocks) this.logged.add(block.taskId);
    return blocks;
  }

  /** The numbers the next `count` blocks would get, without writing (dry run). */
  nextNumbers(count: number): number[] {
    return Array.from({ length: count }, (_, index) => this.highest + index + 1);
  }

  // Someone else may have appended since we last looked: read just what is new (or everything when
  // the file shrank, i.e. was rewritten).
  private async catchUp(): Promise<void> {
    const current = await stat(this.file).catch(() => undefined);
    const size = current?.size ?? 0;
    if (size === this.size) return;
    if (size < this.size) {
      await this.rescan();
      return;
    }
    // Start a little before the old end, so a number or marker split by it is still seen whole.
    const from = Math.max(0, this.size - 128);
    // From a line start: the header patterns are anchored to lines.
    const handle = await open(this.file, 'r');
    try {
      const buffer = Buffer.alloc(size - from);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      this.absorb(from === 0 ? text : text.slice(text.indexOf('\n') + 1));
      this.size = from + bytesRead;
      this.endsWithNewline = text.endsWith('\n');
    } finally {
      await handle.close();
    }
  }

  private async rescan(): Promise<void> {
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.size = Buffer.byteLength(text);
    this.highest = 0;
    this.logged.clear();
    this.absorb(text);
    this.endsWithNewline = text.length === 0 || text.endsWith('\n');
  }

  private absorb(text: string): void {
    this.highest = Math.max(this.highest, highestWorkBlock(text));
    for (const id of loggedTaskIds(text)) this.logged.add(id);
  }
}
