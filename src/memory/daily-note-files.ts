import { readdir } from 'node:fs/promises';

/**
 * Which files in `memory/` are a day's daily notes. OpenClaw writes `memory/YYYY-MM-DD.md`, and
 * hooks such as session-memory write `memory/YYYY-MM-DD-<slug>.md`; both belong to that day
 * (REAL-OPENCLAW.md). Shared by memory_capture (which reads them) and the heartbeat (which only
 * creates `YYYY-MM-DD.md` when the day has none).
 */

/**
 * The names of `day`'s notes in `memoryDir`, in a stable order: `<day>.md` first when it exists,
 * then every `<day>-<slug>.md` sorted by name (code point order, the same on every machine).
 * Entries are matched by name only; whether each is a readable note is the reader's concern.
 * An absent `memoryDir` has none.
 */
export async function dailyNoteNames(memoryDir: string, day: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(memoryDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
  const plain = `${day}.md`;
  const slugged = names.filter((name) => isSluggedNote(name, day)).sort(byCodePoint);
  return names.includes(plain) ? [plain, ...slugged] : slugged;
}

/** `<day>-<slug>.md` with a non-empty slug. */
function isSluggedNote(name: string, day: string): boolean {
  return name.startsWith(`${day}-`) && name.endsWith('.md') && name.length > day.length + 1 + '.md'.length;
}

// localeCompare depends on the machine's locale; the order must not.
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
