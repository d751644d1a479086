import type { CronSchedule } from './cron-schedule.js';
import { blockMarkers, findBlocks } from './crontab-blocks.js';

/**
 * The crontab line: the schedule and the shell line. In a crontab an unescaped `%` ends the
 * command (the rest becomes its stdin), so each is written `\%`; cron gives the shell a plain `%`.
 */
export function crontabLine(schedule: CronSchedule, shellLine: string): string {
  return `${schedule.expression} ${shellLine.replace(/%/g, '\\%')}`;
}

/** Why a `--tz` is not a plain fact in a crontab, printed with the line and kept in the block. */
export const CRON_TZ_CAVEAT =
  'CRON_TZ is honoured by cronie (Fedora, RHEL, Arch) and applies to every line below it in the table; ' +
  "Debian and Ubuntu's cron ignore it and use the system time zone";

/**
 * The marked block installed for one task: markers, a comment naming the log, `CRON_TZ=` when the
 * schedule has a zone, and the line. Lines only, no trailing newline.
 */
export function crontabBlock(name: string, schedule: CronSchedule, shellLine: string, logFile: string): string[] {
  const { begin, end } = blockMarkers(name);
  const lines = [begin, `# written by \`runner cron\`; output goes to ${logFile}. Change it with runner cron --install crontab, delete it with --remove.`];
  if (schedule.timeZone) lines.push(`# ${CRON_TZ_CAVEAT}.`, `CRON_TZ=${schedule.timeZone}`);
  lines.push(crontabLine(schedule, shellLine), end);
  return lines;
}

/**
 * `table` with the block of `name` replaced by `block` (or removed, when `block` is undefined).
 * Other lines are kept as they are. A `CRON_TZ=` applies to every line after it, so a block with
 * one goes to the end of the table (after the operator's own lines), and one without goes before
 * the first taskrunner block that has one. Throws `schedule.brokenCrontab` when the table's
 * markers do not pair up (see {@link findBlocks}).
 */
export function withBlock(table: string, name: string, block: readonly string[] | undefined): { table: string; found: boolean } {
  const lines = splitLines(table);
  const own = findBlocks(lines).filter((marked) => marked.name === name);
  const kept = lines.filter((_, index) => !own.some((marked) => index >= marked.begin && index <= marked.end));
  const found = own.length > 0;
  if (block) kept.splice(insertAt(kept, block), 0, ...block);
  // crontab(1) wants the last line to end with a newline.
  return { table: kept.length === 0 ? '' : `${kept.join('\n')}\n`, found };
}

function insertAt(lines: readonly string[], block: readonly string[]): number {
  if (block.some(isZoneLine)) return lines.length;
  let blockStart = -1;
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('# BEGIN taskrunner ')) blockStart = i;
    else if (line.startsWith('# END taskrunner ')) blockStart = -1;
    else if (blockStart >= 0 && isZoneLine(line)) return blockStart;
  }
  return lines.length;
}

function isZoneLine(line: string): boolean {
  return line.trim().startsWith('CRON_TZ=');
}

function splitLines(table: string): string[] {
  const lines = table.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
