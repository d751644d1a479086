import type { Settings } from '../config/config.js';
import { discoverTasks } from '../loader/discover.js';
import { readStatus, readStatusFrom } from '../history/status-report.js';
import { scheduleState, type TaskScheduleState } from '../cron/task-schedule-state.js';
import { runLogPath } from '../store/run-log.js';
import type { AlertLevel } from '../store/alerts.js';
import type { RunHistory } from '../store/ports.js';
import type { InstallChange } from './install-plan.js';
import type { InstalledPieces } from './install-record.js';
import type { InstallChoices } from './install-state.js';
import { alertPushSettings } from './push-alert.js';

/**
 * `runner openclaw status`: each piece an install puts in, as `installed`, `missing` or `stale`
 * (with why), worked out by the same plan an install makes (a piece the install would add is
 * missing, one it would replace or remove is stale); alert pushing and why; and each scheduled
 * task's schedule, next run and whether it is overdue.
 */

/** How one piece stands. */
export type PieceState = 'installed' | 'missing' | 'stale' | 'unknown';

export interface PieceStatus {
  piece: 'skill' | 'heartbeat' | 'job';
  what: string;
  state: PieceState;
  why: string;
}

/** A piece's state from the change an install would make to it; undefined for alert pushing (shown on its own). */
export function pieceStatus(change: InstallChange): PieceStatus | undefined {
  if (change.piece === 'alerts') return undefined;
  const piece = change.piece === 'skill' ? 'skill' : change.piece === 'job' && change.task !== undefined ? 'job' : 'heartbeat';
  const base = { piece, what: change.what } as const;
  switch (change.action) {
    case 'add':
      return { ...base, state: 'missing', why: change.why };
    case 'replace':
      return { ...base, state: 'stale', why: change.why };
    case 'remove':
      return { ...base, state: 'stale', why: `${change.why}: runner openclaw install takes it out` };
    case 'unchanged':
      return { ...base, state: 'installed', why: change.why };
  }
}

/** The choices a status compares with: those of the last install (its agent, mode, interval and delivery), else the defaults. */
export function recordedChoices(record: InstalledPieces | undefined, agent?: string): InstallChoices {
  if (!record) return { agent: agent ?? 'main', heartbeat: 'scratch' };
  const choices: InstallChoices = { agent: agent ?? record.agent, heartbeat: record.heartbeat.mode };
  if (record.heartbeat.mode === 'command') {
    const { spec } = record.heartbeat.job;
    if (spec.schedule.kind === 'every') choices.every = spec.schedule.every;
    if (spec.delivery.mode === 'announce') Object.assign(choices, { channel: spec.delivery.channel, to: spec.delivery.to });
  }
  return choices;
}

/** Whether alerts are pushed to the agent, from which level, and why. */
export interface AlertPushStatus {
  on: boolean;
  min_level?: AlertLevel;
  why: string;
}

/** Alert pushing as raising an alert decides it now: the config's `alerts.push`, else the record's default. */
export function alertPushStatus(settings: Settings, record: InstalledPieces | undefined): AlertPushStatus {
  const push = settings.config.alerts?.push;
  const file = settings.configFile ?? 'the config';
  const effective = alertPushSettings(settings.config, record?.alerts_push);
  if (push === false) return { on: false, why: `alerts.push is false in ${file}` };
  if (push !== undefined) return { on: true, min_level: effective!.minLevel, why: `alerts.push in ${file}` };
  if (effective) return { on: true, min_level: effective.minLevel, why: 'the default of runner openclaw install, as the config has no alerts.push' };
  return { on: false, why: 'no alerts.push in the config, and no install of runner openclaw install' };
}

/** A scheduled task's schedule state (see `scheduleState`). */
export interface TaskScheduleRow extends TaskScheduleState {
  task: string;
}

/**
 * Every task of the home that has a schedule (or whose schedule cannot be read), with its next
 * run and whether it is overdue, judged from the run history `runner status` reads.
 */
export async function scheduledTaskStates(settings: Settings, stores: { history: RunHistory | undefined }, now: Date): Promise<TaskScheduleRow[]> {
  const registry = await discoverTasks({ home: settings.home });
  const report = stores.history ? await readStatusFrom(stores.history) : await readStatus(runLogPath(settings.home));
  const rows: TaskScheduleRow[] = [];
  for (const discovered of [...registry.tasks.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const status = report.tasks.find((task) => task.task === discovered.name) ?? null;
    const state = scheduleState(status, discovered, settings.config, now);
    if (state.schedule !== null || state.schedule_error !== undefined) rows.push({ task: discovered.name, ...state });
  }
  return rows;
}
