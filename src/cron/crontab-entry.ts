import { zoneOfSchedule, type CronSchedule } from '../shared/cron-expression.js';
import { blockMarkers, findBlocks } from './crontab-blocks.js';

/**
 * The crontab line: the schedule and the shell line. In a crontab an unescaped `%` ends the
 * command (the rest becomes its stdin), so each is written `\%`; cron gives the shell a plain `%`.
 */
export function crontabLine(schedule: CronSchedule, shellLine: string): string {
  return `${schedule.expression} ${shellLine.replace(/%/g, '\\%')}`;
}

/** Why a zone is not a plain fact in a crontab, printed with the line and kept in the block. */
export const CRON_TZ_CAVEAT =
  'CRON_TZ is honoured by cronie (Fedora, RHEL, Arch) and applies to every line below it in the table ' +
  "(so the block sets the zone in force above it back after its line); Debian and Ubuntu's cron ignore it and use the system time zone";

/**
 * The marked block installed for one task: markers, comments naming the log and the CRON_TZ
 * caveat, `CRON_TZ=` with the zone the next runs were computed in (the schedule's, else the
 * host's), the line, and `CRON_TZ=<zoneAbove>` so the lines after the block run in the zone they
 * did before it. `zoneAbove` is the value of the last `CRON_TZ=` above the block ('' for none,
 * which cronie reads as its own local time). Lines only, no trailing newline.
 */
export function crontabBlock(name: string, schedule: CronSchedule, shellLine: string, logFile: string, zoneAbove = ''): string[] {
  const { begin, end } = blockMarkers(name);
  return [
    begin,
    `# written by \`runner cron\`; output goes to ${logFile}. Change it with runner cron --install crontab, delete it with --remove.`,
    `# ${CRON_TZ_CAVEAT}.`,
    `CRON_TZ=${zoneOfSchedule(schedule)}`,
    crontabLine(schedule, shellLine),
    `CRON_TZ=${zoneAbove}`,
    end,
  ];
}

/** Builds the block of one task for its place in a table, given the `CRON_TZ` value in force there. */
export type BlockBuilder = (zoneAbove: string) => string[];

/**
 * `table` with the block of `name` replaced by the one `blockFor` builds (or removed, when
 * `blockFor` is undefined). Other lines are kept as they are. A replaced block stays where it
 * was; a new one goes to the end, below the operator's own lines (whose `MAILTO=` and the like
 * then apply to it too). Throws `schedule.brokenCrontab` when the table's markers do not pair up
 * (see {@link findBlocks}).
 */
export function withBlock(table: string, name: string, blockFor: BlockBuilder | undefined): { table: string; found: boolean } {
  const lines = splitLines(table);
  const own = findBlocks(lines).filter((marked) => marked.name === name);
  const kept = lines.filter((_, index) => !own.some((marked) => index >= marked.begin && index <= marked.end));
  if (blockFor) {
    // Nothing before the first block of the name was removed, so its index holds in `kept` too.
    const at = own[0]?.begin ?? kept.length;
    kept.splice(at, 0, ...blockFor(zoneInForce(kept.slice(0, at))));
  }
  // crontab(1) wants the last line to end with a newline.
  return { table: kept.length === 0 ? '' : `${kept.join('\n')}\n`, found: own.length > 0 };
}

/**
 * The `CRON_TZ` value the lines after `lines` run in, as cronie reads a table: the last
 * assignment wins ('' when there is none). Taskrunner blocks count like any line: one written
 * before blocks set their zone back still changes the zone of what follows it.
 */
function zoneInForce(lines: readonly string[]): string {
  let zone = '';
  for (const line of lines) {
    const assignment = /^\s*CRON_TZ\s*=(.*)$/.exec(line);
    if (assignment) zone = assignment[1]!.trim();
  }
  return zone;
}

function splitLines(table: string): string[] {
  const lines = table.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
