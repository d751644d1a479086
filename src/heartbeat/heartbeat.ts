import type { Settings } from '../config/config.js';
import type { RunnerConfig } from '../config/runner-config.js';
import { assertWorkspaceExists } from '../config/workspace.js';
import { calendarDay } from '../shared/time.js';
import type { Alert } from '../store/alerts.js';
import { ensureDailyNote, type DailyNote } from './ensure-daily-note.js';
import { DEFAULT_MESSAGE_LIMITS, heartbeatMessage } from './message.js';
import { overdueLine, type OverdueTask } from './overdue-check.js';

/**
 * `runner heartbeat`'s logic apart from the alerts inbox (which the CLI drains, so that alerts are
 * removed only once printed): the daily-note chore, the acknowledgement, and the report.
 */

/** What a heartbeat prints when nothing needs attention; OpenClaw 2026.9 accepts both. */
export const ACKS = ['HEARTBEAT_OK', 'NO_REPLY'] as const;
/** One of {@link ACKS}. */
export type Ack = (typeof ACKS)[number];

/** The acknowledgement: `--ack`, else `heartbeat.ack` in the config, else `HEARTBEAT_OK`. */
export function chooseAck(flag: Ack | undefined, config: RunnerConfig): Ack {
  return flag ?? config.heartbeat?.ack ?? 'HEARTBEAT_OK';
}

/** The outcome of the daily-note chore: the note, or why it could not be made. */
export type DailyNoteOutcome = DailyNote | { file: string; error: string };

/**
 * Make sure today's daily note exists (today in the configured `timezone`). A failure (no
 * workspace, a read-only disk) does not stop the heartbeat: the alerts must still reach the agent,
 * and the failure itself is something the agent should hear about, so it is returned, not thrown.
 */
export async function dailyNoteChore(settings: Pick<Settings, 'workspace' | 'workspaceSource' | 'config'>, now: Date = new Date()): Promise<DailyNoteOutcome> {
  const day = calendarDay(now, settings.config.timezone);
  try {
    // Located here, inside the try: an OpenClaw config that cannot be parsed is the agent's news too.
    const { workspace } = settings;
    // The note goes into an existing workspace; a wrong path must not quietly start a new one.
    assertWorkspaceExists(workspace, settings.workspaceSource);
    return await ensureDailyNote(workspace, day);
  } catch (error) {
    return { file: `memory/${day}.md`, error: error instanceof Error ? error.message : String(error) };
  }
}

/** `runner heartbeat --json`: exactly one of `ack` and `message`. */
export interface HeartbeatReport {
  /** Set when nothing needs attention: the word OpenClaw takes as "nothing to report". */
  ack?: Ack;
  /** Set when something needs attention: the text for the agent (as printed without --json). */
  message?: string;
  /** The alerts drained, in full (the message shortens them). */
  alerts: readonly Alert[];
  /** Today's note, relative to the workspace. */
  daily_note: string;
  created_daily_note: boolean;
  /** Why today's note could not be made, when it could not. */
  daily_note_error?: string;
  /** Tasks newly overdue, reported in this heartbeat (each once per episode: see overdue-episodes.ts). */
  overdue: readonly OverdueTask[];
}

/** What the heartbeat's overdue check has to say: the tasks to report now, and its problems. */
export interface OverdueNews {
  tasks: readonly OverdueTask[];
  problems: readonly string[];
  /** The config's `timezone`, which record time stamps without an offset are read in. */
  timeZone?: string;
}

const NO_OVERDUE_NEWS: OverdueNews = { tasks: [], problems: [] };

/**
 * The report for what the heartbeat found: quiet (the ack) unless there are alerts, newly overdue
 * tasks or a failed chore.
 */
export function heartbeatReport(alerts: readonly Alert[], note: DailyNoteOutcome, ack: Ack, overdue: OverdueNews = NO_OVERDUE_NEWS): HeartbeatReport {
  const problems = [...('error' in note ? [`could not create today's memory file ${note.file}: ${note.error}`] : []), ...overdue.problems];
  const base = {
    alerts,
    daily_note: note.file,
    created_daily_note: 'created' in note && note.created,
    ...('error' in note ? { daily_note_error: note.error } : {}),
    overdue: overdue.tasks,
  };
  if (alerts.length === 0 && problems.length === 0 && overdue.tasks.length === 0) return { ack, ...base };
  const lines = overdue.tasks.map((task) => overdueLine(task, overdue.timeZone));
  return { message: heartbeatMessage(alerts, problems, DEFAULT_MESSAGE_LIMITS, lines), ...base };
}

/** The text `runner heartbeat` prints: the acknowledgement alone on its line, or the message. */
export function reportText(report: HeartbeatReport): string {
  return report.message ?? `${report.ack}\n`;
}
