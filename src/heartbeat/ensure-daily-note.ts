import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dailyNoteNames } from '../memory/daily-note-files.js';

/** What {@link ensureDailyNote} found or did. */
export interface DailyNote {
  /** Today's note, relative to the workspace: the one that exists, or the one just created. */
  file: string;
  /** Whether this call created it. */
  created: boolean;
}

/**
 * Make sure the workspace has a daily note for `day` (`YYYY-MM-DD`), so the agent has a file to
 * append to from its first turn of the day. A `memory/<day>.md` or any `memory/<day>-<slug>.md`
 * counts as the day's note and is never touched. Otherwise `memory/<day>.md` is created with a
 * one-line header, exclusively (`wx`): when the agent writes its note at the same moment, one of
 * the two wins and nothing is truncated.
 */
export async function ensureDailyNote(workspace: string, day: string): Promise<DailyNote> {
  const memoryDir = path.join(workspace, 'memory');
  const existing = await dailyNoteNames(memoryDir, day);
  if (existing[0] !== undefined) return { file: `memory/${existing[0]}`, created: false };
  const file = `memory/${day}.md`;
  await mkdir(memoryDir, { recursive: true });
  try {
    await writeFile(path.join(workspace, file), dailyNoteHeader(day), { flag: 'wx', mode: 0o644 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { file, created: false };
    throw error;
  }
  return { file, created: true };
}

/** The header of a new daily note: the day, as OpenClaw's own notes begin. */
export function dailyNoteHeader(day: string): string {
  return `# ${day}\n\n`;
}
