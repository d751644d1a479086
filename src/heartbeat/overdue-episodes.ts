import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomic } from '../store/atomic-write.js';
import { withFileLock } from '../store/lock.js';
import { formatJson } from '../store/json-file.js';
import { parseJsonText } from '../store/json-text.js';
import { readStoreBytes } from '../store/read-file.js';
import type { OverdueCheck, OverdueTask } from './overdue-check.js';
import { isoWithOffset } from '../shared/time.js';

/**
 * The heartbeat reports an overdue task once per episode, not on every beat. An episode is the
 * task's overdue stretch since one last success: it ends when the task is no longer overdue (a new
 * success, normally), so a task that is overdue again after succeeding is reported again. Which
 * episodes were reported is kept in `<home>/.runner/overdue-reported.json`:
 *
 * ```json
 * { "system_health": { "last_success": "2026-12-06T08:00:01.120+01:00", "since": "…", "reported_at": "…" } }
 * ```
 *
 * `last_success` (null: none since it was scheduled) identifies the episode. The file is read and
 * replaced under its lock (two heartbeats at once report a task once) with the stores' atomic
 * writer, and only after the message was written out: a heartbeat whose output failed reports
 * again. A file that cannot be parsed is moved aside (`overdue-reported.json.corrupt-<time>`),
 * named in the message, and the overdue tasks are reported again: nothing is lost, and the next
 * heartbeat is back to normal. A state that cannot be kept at all (no lock, a read-only home)
 * makes every heartbeat report every overdue task, saying why.
 */

/** One reported episode. */
interface Episode {
  last_success: string | null;
  since: string;
  reported_at: string;
}

type EpisodeState = Record<string, Episode>;

/** The state file's size limit: an entry per scheduled task is well under a kilobyte. */
const MAX_STATE_BYTES = 1024 * 1024;

/** Where the episodes of a home are kept. */
export function overdueStateFile(home: string): string {
  return path.join(home, '.runner', 'overdue-reported.json');
}

/**
 * Call `report` with the overdue tasks of `check` not yet reported in their episode, and with
 * problems of the state itself (to add to the message); once it resolves, record them as reported
 * and forget episodes that ended. A rejection of `report` records nothing and is passed on.
 */
export async function reportOnce(home: string, check: OverdueCheck, report: (fresh: OverdueTask[], problems: string[]) => Promise<void>, now: Date = new Date()): Promise<void> {
  const file = overdueStateFile(home);
  let reported = false;
  // A failure of `report` (the output) is the heartbeat's to handle, not a failure of the state file.
  let reportFailure: { error: unknown } | undefined;
  const run = async (fresh: OverdueTask[], problems: string[]) => {
    reported = true;
    await report(fresh, problems).catch((error: unknown) => {
      reportFailure = { error };
      throw error;
    });
  };
  // Nothing overdue and nothing recorded: nothing to keep, so no `.runner/` is made for it (a
  // heartbeat run outside a runner home leaves no trace there).
  if (check.overdue.length === 0 && !existsSync(file)) {
    await report([], []);
    return;
  }
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await withFileLock(file, async (lock) => {
      const problems: string[] = [];
      const state = await readState(lock.file, file, problems, now);
      const fresh = check.overdue.filter((task) => !sameEpisode(state[task.task], task));
      await run(fresh, problems);
      const next = nextState(state, check, now);
      if (JSON.stringify(next) !== JSON.stringify(state)) {
        await writeAtomic(lock.file, (sink) => sink.write(formatJson(next)), { beforeRename: () => lock.assertHeld() });
      }
    });
  } catch (error) {
    if (reportFailure) throw reportFailure.error;
    if (reported) {
      // The message is out; only the bookkeeping failed: the same tasks are reported next time.
      process.stderr.write(`warning: could not record the reported overdue tasks in ${file}: ${messageOf(error)}\n`);
      return;
    }
    await run(check.overdue, [`cannot keep track of reported overdue tasks in ${file} (${messageOf(error)}); every overdue task is reported on every heartbeat until it can`]);
  }
}

function sameEpisode(episode: Episode | undefined, task: OverdueTask): boolean {
  return episode !== undefined && episode.last_success === task.last_success;
}

/** Episodes of tasks overdue now (kept, or new); those of tasks that could not be judged stay as they were. */
function nextState(state: EpisodeState, check: OverdueCheck, now: Date): EpisodeState {
  const next: EpisodeState = {};
  for (const task of [...check.unjudged].sort()) {
    if (state[task]) next[task] = state[task];
  }
  for (const task of check.overdue) {
    const episode = state[task.task];
    next[task.task] = sameEpisode(episode, task) ? episode! : { last_success: task.last_success, since: task.since, reported_at: isoWithOffset(now) };
  }
  return next;
}

/**
 * The reported episodes, or none when there is no file yet. A file that cannot be parsed, or is not
 * an object of episodes, is moved aside and reported in `problems`; a stray entry is dropped.
 */
async function readState(resolved: string, file: string, problems: string[], now: Date): Promise<EpisodeState> {
  let value: unknown;
  try {
    const bytes = await readStoreBytes(resolved, MAX_STATE_BYTES, file);
    if (bytes === undefined) return {};
    value = parseJsonText(bytes.toString('utf8'), file);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file} is not a JSON object of reported tasks`);
  } catch (error) {
    const aside = `${resolved}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
    await rename(resolved, aside);
    problems.push(`${messageOf(error)}; moved it to ${aside} and report the overdue tasks again`);
    return {};
  }
  const state: EpisodeState = {};
  for (const [task, entry] of Object.entries(value as Record<string, unknown>)) {
    if (isEpisode(entry)) state[task] = entry;
  }
  return state;
}

function isEpisode(value: unknown): value is Episode {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (entry.last_success === null || typeof entry.last_success === 'string') && typeof entry.since === 'string' && typeof entry.reported_at === 'string';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
