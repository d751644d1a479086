import path from 'node:path';
import { Option, type Command } from 'commander';
import type { Settings } from '../config/config.js';
import { RunnerError } from '../shared/errors.js';
import { formatIn } from '../history/relative-time.js';
import { localTimeZone } from '../shared/cron-expression.js';
import { DEFAULT_CALL_TIMEOUT_MS, readScratch } from '../openclaw/cron-jobs.js';
import { applyInstall } from '../openclaw/install.js';
import { planInstall, skillChange, type InstallChange } from '../openclaw/install-plan.js';
import { installRecordPath, type HeartbeatMode } from '../openclaw/install-record.js';
import {
  desiredInstall,
  installContext,
  listGatewayJobs,
  readCurrentInstall,
  readSkill,
  recordedInstall,
  type InstallChoices,
  type InstallContext,
} from '../openclaw/install-state.js';
import { alertPushStatus, pieceStatus, recordedChoices, scheduledTaskStates, type PieceStatus, type TaskScheduleRow } from '../openclaw/install-status.js';
import { applyRemoval, planRemoval, type RemovalState, type RemovalStep } from '../openclaw/remove.js';
import { globalOptionsOf, settingsOf } from './global-options.js';
import { addGlobalOptions, type GlobalOptions } from '../core/task-args.js';
import { withStores } from '../compose/stores.js';
import { paint, printJson, printTable } from './output.js';

interface InstallOptions {
  dryRun?: boolean;
  agent: string;
  heartbeat: HeartbeatMode;
  every?: string;
  channel?: string;
  to?: string;
}

/**
 * Register `runner openclaw install|status|remove`: wire the runner into the OpenClaw the workspace
 * belongs to (a skill, the heartbeat, a cron job per scheduled task, alert pushing), show how each
 * piece stands, and take out exactly what install put in.
 */
export function registerOpenClawCommand(program: Command): void {
  const openclaw = addGlobalOptions(program.command('openclaw')).description("wire the runner into OpenClaw (skill, heartbeat, cron jobs, alert pushing); see its status; remove it");

  addGlobalOptions(openclaw.command('install'))
    .description('install the skill, the heartbeat block (or job), a cron job per scheduled task and alert pushing into OpenClaw; a second install changes nothing')
    .option('--dry-run', 'show what would change; change nothing')
    .option('--agent <id>', 'the OpenClaw agent whose heartbeat runs the runner', 'main')
    .addOption(new Option('--heartbeat <mode>', 'scratch: a block in the heartbeat monitor\'s scratch tells the agent to run `runner heartbeat`; command: a job runs it every heartbeat interval with no model, OpenClaw posting what it prints').choices(['scratch', 'command']).default('scratch'))
    .option('--every <duration>', 'with --heartbeat command: the interval (default OpenClaw\'s agents.defaults.heartbeat.every, else 30m)')
    .option('--channel <channel>', 'with --heartbeat command: the chat the job posts to (default last: the owner\'s last chat)')
    .option('--to <target>', 'with --heartbeat command: the recipient on that channel')
    .action(async (options: InstallOptions, command: Command) => {
      await installCommand(options, globalOptionsOf(command));
    });

  addGlobalOptions(openclaw.command('status'))
    .description('show each piece of the install as installed, missing or stale, alert pushing, and each scheduled task\'s next run; exit 1 unless all is installed')
    .option('--agent <id>', 'the OpenClaw agent (default: the installed one, else main)')
    .action(async (options: { agent?: string }, command: Command) => {
      await statusCommand(options, globalOptionsOf(command));
    });

  addGlobalOptions(openclaw.command('remove'))
    .description('take out what runner openclaw install put in (the operator\'s scratch text, other skills and jobs stay)')
    .option('--dry-run', 'show what would be taken out; change nothing')
    .action(async (options: { dryRun?: boolean }, command: Command) => {
      await removeCommand(options, globalOptionsOf(command));
    });
}

const MARKS: Record<InstallChange['action'], [string, 'green' | 'yellow' | 'red' | 'dim']> = {
  add: ['+', 'green'],
  replace: ['~', 'yellow'],
  unchanged: ['=', 'dim'],
  remove: ['-', 'red'],
};

const chosenLocations = (globals: GlobalOptions) => ({ workspace: globals.workspace, config: globals.config });

async function installCommand(options: InstallOptions, globals: GlobalOptions): Promise<void> {
  if (options.heartbeat !== 'command') {
    for (const [flag, value] of [['--every', options.every], ['--channel', options.channel], ['--to', options.to]] as const) {
      if (value !== undefined) throw new RunnerError('runner.invalidArgument', `${flag}: goes with --heartbeat command`);
    }
  }
  const settings = settingsOf(globals);
  const { context, current, changes, notes } = await beforeAnyChange(async () => {
    const context = await installContext(settings, chosenLocations(globals), process.env, DEFAULT_CALL_TIMEOUT_MS);
    const record = await recordedInstall(context.home);
    const choices: InstallChoices = { agent: options.agent, heartbeat: options.heartbeat, every: options.every, channel: options.channel, to: options.to };
    const { desired, notes } = await desiredInstall(context, choices);
    const current = await readCurrentInstall(context, options.agent, record);
    const changes = planInstall(current, desired);
    const missing = changes.find((change) => change.piece === 'noHeartbeat');
    if (missing) throw new RunnerError('openclaw.noHeartbeat', missing.why);
    return { context, current, changes, notes };
  });
  const added = options.dryRun ? new Map<string, string>() : (await applyInstall(context, changes, options.agent)).added;
  if (globals.json) {
    printJson({
      dry_run: options.dryRun === true,
      openclaw: openclawJson(context),
      changes: changes.map((change) => ({ piece: change.piece, action: change.action, what: change.what, why: change.why, ...jobIds(change, added) })),
      notes,
      record: context.recordFile,
    });
    return;
  }
  const out = [openclawLine(context, current.jobs.length)];
  for (const change of changes) {
    const id = jobIds(change, added).id;
    out.push(`${changeMark(change.action)} ${change.what}: ${change.why}${id && change.action !== 'unchanged' ? ` → id ${id}` : ''}`);
  }
  for (const note of notes) out.push(paint(`note: ${note}`, 'dim'));
  const counts = countActions(changes);
  out.push(
    options.dryRun
      ? `dry run: nothing changed (${counts})`
      : `${paint('✓', 'green')} installed: ${counts}; recorded in ${context.recordFile}. See it with runner openclaw status`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

async function statusCommand(options: { agent?: string }, globals: GlobalOptions): Promise<void> {
  const settings = settingsOf(globals);
  const context = await installContext(settings, chosenLocations(globals), process.env, DEFAULT_CALL_TIMEOUT_MS, { workspace: false, openclaw: false });
  const record = await recordedInstall(context.home);
  const choices = recordedChoices(record, options.agent);
  const { desired, notes } = await desiredInstall(context, choices);
  let pieces: PieceStatus[];
  let gateway: { reachable: boolean; jobs?: number; error?: string };
  try {
    if (!context.tools) throw new RunnerError('openclaw.notFound', 'no openclaw found ($OPENCLAW_BIN, PATH, the install record)');
    const current = await readCurrentInstall(context, choices.agent, record);
    gateway = { reachable: true, jobs: current.jobs.length };
    pieces = planInstall(current, desired).flatMap((change) => pieceStatus(change) ?? []);
  } catch (error) {
    if (!(error instanceof RunnerError) || !error.code.startsWith('openclaw.')) throw error;
    gateway = { reachable: false, error: error.message };
    const skillText = await readSkill(desired.skill.path);
    pieces = [
      pieceStatus(skillChange({ skillText, record }, desired))!,
      { piece: 'heartbeat', what: choices.heartbeat === 'scratch' ? `heartbeat block in the scratch of heartbeat-${choices.agent}` : 'job runner-heartbeat', state: 'unknown', why: error.message },
      ...desired.jobs.map((job): PieceStatus => ({ piece: 'job', what: `job ${job.spec.name}`, state: 'unknown', why: error.message })),
    ];
  }
  const alerts = alertPushStatus(settings, record);
  const tasks = await withStores(settings, (stores) => scheduledTaskStates(settings, stores, new Date()));
  const ok = gateway.reachable && pieces.every((piece) => piece.state === 'installed');
  process.exitCode = ok ? 0 : 1;
  if (globals.json) {
    printJson({
      ok,
      openclaw: openclawJson(context),
      gateway,
      record: record ? { file: context.recordFile, installed_at: record.at, agent: record.agent, heartbeat: record.heartbeat.mode } : null,
      pieces,
      alert_push: alerts,
      tasks,
      notes,
    });
    return;
  }
  const out: string[] = [];
  out.push(context.tools ? openclawLine(context, gateway.jobs) : `openclaw: ${paint('not found', 'red')} ($OPENCLAW_BIN, PATH, ${context.recordFile})`);
  if (!gateway.reachable && context.tools) out.push(`gateway: ${paint('not reachable', 'red')}: ${gateway.error ?? ''}`);
  out.push(record ? `installed ${record.at} for agent ${record.agent}, heartbeat through ${record.heartbeat.mode === 'scratch' ? 'the scratch' : 'a command job'}; record ${context.recordFile}` : `not installed (no record at ${context.recordFile}): runner openclaw install`);
  process.stdout.write(`${out.join('\n')}\n\n`);
  printTable(['PIECE', 'STATE', 'WHY'], pieces.map((piece) => [piece.what, paint(piece.state, STATE_COLOR[piece.state]), piece.why]));
  process.stdout.write(`\nalert push: ${alerts.on ? `${paint('on', 'green')} for ${alerts.min_level ?? 'error'} and above` : paint('off', 'yellow')} (${alerts.why})\n\n`);
  printTasks(tasks, settings);
  for (const note of notes) process.stdout.write(`${paint(`note: ${note}`, 'dim')}\n`);
}

const STATE_COLOR = { installed: 'green', missing: 'red', stale: 'yellow', unknown: 'yellow' } as const;

function printTasks(tasks: readonly TaskScheduleRow[], settings: Settings): void {
  if (tasks.length === 0) {
    process.stdout.write('no scheduled tasks\n');
    return;
  }
  const now = Date.now();
  printTable(
    ['TASK', 'SCHEDULE', 'NEXT RUN', 'OVERDUE'],
    tasks.map((row) => {
      if (row.schedule_error !== undefined) return [row.task, paint('unreadable', 'red'), '-', row.schedule_error];
      const { cron, tz } = row.schedule!;
      const next = row.next_run === null ? '-' : `${formatIn(Date.parse(row.next_run), now)} (${row.next_run})`;
      return [row.task, tz === localTimeZone() && settings.config.timezone === undefined ? cron : `${cron} ${tz}`, next, row.overdue ? paint(`yes, since ${row.overdue_since ?? '?'}`, 'red') : 'no'];
    }),
  );
}

async function removeCommand(options: { dryRun?: boolean }, globals: GlobalOptions): Promise<void> {
  const settings = settingsOf(globals);
  const home = path.resolve(settings.home);
  const record = await recordedInstall(home);
  if (!record) {
    if (globals.json) printJson({ dry_run: options.dryRun === true, steps: [], record: null });
    else process.stdout.write(`nothing to remove: no install record at ${installRecordPath(home)}\n`);
    return;
  }
  const { context, steps } = await beforeAnyChange(async () => {
    // Every install has a heartbeat piece in OpenClaw: the gateway must answer before anything goes.
    const context = await installContext(settings, chosenLocations(globals), process.env, DEFAULT_CALL_TIMEOUT_MS, { workspace: false, openclaw: true });
    const state: RemovalState = { jobs: await listGatewayJobs(context.client, context.env), skillText: await readSkill(record.skill.path) };
    if (record.heartbeat.mode === 'scratch') {
      const { job_id: id, job_name: name } = record.heartbeat;
      const job = state.jobs.find((listed) => listed.id === id && listed.name === name);
      if (job) state.scratch = { job, ...(await readScratch(context.client, job.id)) };
    }
    return { context, steps: planRemoval(record, state, context.recordFile) };
  });
  if (!options.dryRun) await applyRemoval(context, steps);
  if (globals.json) {
    printJson({ dry_run: options.dryRun === true, steps: steps.map(({ piece, action, what, why }: RemovalStep) => ({ piece, action, what, why })), record: context.recordFile });
    return;
  }
  const out = steps.map((step) => `${changeMark(step.action)} ${step.what}: ${step.why}`);
  const removed = steps.filter((step) => step.action === 'remove').length;
  out.push(options.dryRun ? `dry run: nothing changed (${removed} to take out)` : `${paint('✓', 'green')} removed: ${removed} taken out, ${steps.length - removed} left`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Run what reads and plans; an error from it says that nothing was changed. */
async function beforeAnyChange<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof RunnerError) || /nothing was changed\)?$/.test(error.message)) throw error;
    throw new RunnerError(error.code, `${error.message}; nothing was changed`, { file: error.file, exitCode: error.exitCode, cause: error });
  }
}

function changeMark(action: InstallChange['action']): string {
  const [mark, color] = MARKS[action];
  return paint(`${mark} ${action.padEnd(9)}`, color);
}

function countActions(changes: readonly InstallChange[]): string {
  const count = (action: InstallChange['action']) => changes.filter((change) => change.action === action).length;
  return `${count('add')} added, ${count('replace')} replaced, ${count('unchanged')} unchanged, ${count('remove')} removed`;
}

function jobIds(change: InstallChange, added: ReadonlyMap<string, string>): { id?: string; replaced_ids?: string[] } {
  if (change.piece !== 'job') return {};
  const id = added.get(change.name) ?? change.kept?.id ?? change.removed[0]?.id;
  return { ...(id ? { id } : {}), ...(change.action === 'replace' ? { replaced_ids: change.removed.map((job) => job.id) } : {}) };
}

function openclawJson(context: InstallContext): Record<string, unknown> | null {
  if (!context.tools) return null;
  return { bin: context.tools.bin, source: context.tools.source, node: context.tools.node ?? null };
}

function openclawLine(context: InstallContext, jobs: number | undefined): string {
  const tools = context.tools!;
  const node = tools.node ? ` under Node ${tools.node}` : '';
  const gateway = jobs === undefined ? '' : `; the gateway answered (${jobs} jobs)`;
  return `openclaw: ${tools.bin} (from ${tools.source})${node}${gateway}`;
}
