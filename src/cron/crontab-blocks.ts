import { RunnerError } from '../shared/errors.js';

/** Markers around the lines one scheduled task owns in a crontab, so they can be replaced or removed. */
export function blockMarkers(name: string): { begin: string; end: string } {
  return { begin: `# BEGIN taskrunner ${name}`, end: `# END taskrunner ${name}` };
}

/** A taskrunner block of a crontab: its name and the indexes of its BEGIN and END lines. */
export interface MarkedBlock {
  name: string;
  begin: number;
  end: number;
}

// A job name has no blanks (assertJobName), so a comment that merely starts like a marker is not one.
const MARKER = /^# (BEGIN|END) taskrunner (\S+)$/;

/**
 * The taskrunner blocks of a crontab's lines, in order. Each BEGIN must be closed by the END of
 * the same name with no other marker between; anything else (an END without its BEGIN, a BEGIN
 * inside a block, a block that never ends, after a hand edit) throws `schedule.brokenCrontab`
 * naming the marker and its line. Which lines a broken block owns is a guess, and a wrong guess
 * deletes the operator's own jobs, so nothing is changed until the table is fixed.
 */
export function findBlocks(lines: readonly string[]): MarkedBlock[] {
  const blocks: MarkedBlock[] = [];
  let open: { name: string; begin: number } | undefined;
  for (const [index, line] of lines.entries()) {
    const marker = MARKER.exec(line.trim());
    if (!marker) continue;
    const [, kind, name] = marker as unknown as [string, 'BEGIN' | 'END', string];
    const here = `crontab line ${index + 1}: "${line.trim()}"`;
    if (open) {
      if (kind === 'END' && name === open.name) {
        blocks.push({ name, begin: open.begin, end: index });
        open = undefined;
        continue;
      }
      throw broken(`${here} inside the block "${blockMarkers(open.name).begin}" of line ${open.begin + 1}`);
    }
    if (kind === 'END') throw broken(`${here} has no "${blockMarkers(name).begin}" before it`);
    open = { name, begin: index };
  }
  if (open) throw broken(`crontab line ${open.begin + 1}: "${blockMarkers(open.name).begin}" has no "${blockMarkers(open.name).end}" after it`);
  return blocks;
}

function broken(problem: string): RunnerError {
  return new RunnerError('schedule.brokenCrontab', `${problem}; fix it with crontab -e (nothing was changed)`);
}
