import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/config.js';
import { parseDuration } from '../shared/duration.js';
import { assertWorkspaceExists } from '../config/workspace.js';
import { discoverTasks } from '../loader/discover.js';
import { resolveRunPolicy } from '../core/run-policy.js';
import { RunnerError } from '../shared/errors.js';
import { defaultJobName } from './cron-plan.js';
import { currentRunnerCli } from '../cron/runner-invocation.js';
import { taskSchedule } from '../cron/task-schedule.js';
import { readStoreBytes } from '../store/read-file.js';
import { listJobs, readScratch, type CronClient, type ListedJob } from './cron-jobs.js';
import { gatewayTarget } from '../config/openclaw-gateway.js';
import { heartbeatArgv, heartbeatScratchBody, type RunnerLocation } from './heartbeat-command.js';
import { installRecordPath, readFullInstallRecord, type HeartbeatMode, type InstalledPieces } from './install-record.js';
import type { CurrentInstall, DesiredInstall } from './install-plan.js';
import { findOpenClawTools, scheduledRunEnv, type OpenClawTools } from './job-environment.js';
import { formatInterval, taskJobSpec, type JobDelivery, type JobSpec } from './job-spec.js';
import { openClawHeartbeatEvery } from '../config/openclaw-config-file.js';
import { scratchBlock } from './scratch-block.js';
import { renderSkill, skillPath } from './skill.js';
import { nonEmpty, openClawConfigPath } from '../config/openclaw-workspace.js';

/**
 * What `runner openclaw install`, `status` and `remove` all need to know before they act: where
 * the runner is, which `openclaw` (and Node) it reaches OpenClaw with, what is in OpenClaw now (the
 * jobs, the heartbeat monitor and its scratch), what the last install recorded, and what an install
 * wants there now. Nothing here changes anything.
 */

/** Who manages the jobs and the block, said in their descriptions. */
export const MANAGED_BY = 'runner openclaw install';
/** The heartbeat's command job (`--heartbeat command`). */
export const HEARTBEAT_JOB_NAME = 'runner-heartbeat';
/** OpenClaw's own default heartbeat interval, used when its config leaves the heartbeat off or unset. */
export const DEFAULT_HEARTBEAT_EVERY = '30m';
/** OpenClaw's limit for `runner heartbeat` as a command job: it takes seconds. */
const HEARTBEAT_JOB_TIMEOUT_SECONDS = 300;

/** The choices of an install. */
export interface InstallChoices {
  /** The OpenClaw agent whose heartbeat it is. */
  agent: string;
  heartbeat: HeartbeatMode;
  /** `--every`: the command job's interval (default OpenClaw's heartbeat interval). */
  every?: string;
  /** `--channel` and `--to`: where the command job's output is posted (default the owner's last chat). */
  channel?: string;
  to?: string;
}

/** Where and with what the runner talks to OpenClaw. */
export interface InstallContext {
  settings: Settings;
  home: string;
  workspace: string;
  location: RunnerLocation;
  /** The `openclaw` found (status goes on without one, to say so). */
  tools?: OpenClawTools;
  client: CronClient;
  recordFile: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The runner's location for the agent and the jobs: this Node and CLI, the home, and the
 * workspace and config when the operator chose them (a flag or the environment), as `runner cron`
 * passes them on; otherwise the runner finds them as it does here.
 */
export function runnerLocation(settings: Settings, chosen: { workspace?: string; config?: string }, env: NodeJS.ProcessEnv): RunnerLocation {
  const home = path.resolve(settings.home);
  const workspace = chosen.workspace !== undefined || nonEmpty(env.OPENCLAW_WORKSPACE) ? path.resolve(settings.workspace) : undefined;
  const config = chosen.config !== undefined && settings.configFile ? path.resolve(settings.configFile) : undefined;
  return { node: process.execPath, cli: currentRunnerCli(), home, workspace, config };
}

/**
 * Find `openclaw` for an install, or throw `openclaw.notFound` saying where it was looked for:
 * `$OPENCLAW_BIN`, PATH and the install record of the home.
 */
export async function requireOpenClaw(env: NodeJS.ProcessEnv, home: string): Promise<OpenClawTools> {
  const lookup = await findOpenClawTools(env, home);
  if (lookup.kind === 'found') return lookup.tools;
  const record = installRecordPath(home);
  const looked = [
    nonEmpty(env.OPENCLAW_BIN) ? `$OPENCLAW_BIN (${env.OPENCLAW_BIN})` : '$OPENCLAW_BIN (not set)',
    `PATH (${env.PATH ?? ''})`,
    `the install record ${record}${existsSync(record) ? '' : ' (none)'}`,
  ].join(', ');
  throw new RunnerError(
    'openclaw.notFound',
    `no usable openclaw: ${lookup.reason}. Looked at ${looked}. Install OpenClaw (npm install -g openclaw) or set $OPENCLAW_BIN to it`,
  );
}

/**
 * Every job of the gateway, or `openclaw.callFailed` naming the gateway the CLI tried (`cron list
 * --all --json` doubles as the check that the gateway answers).
 */
export async function listGatewayJobs(client: CronClient, env: NodeJS.ProcessEnv): Promise<ListedJob[]> {
  try {
    return await listJobs(client);
  } catch (error) {
    if (!(error instanceof RunnerError) || error.code !== 'openclaw.callFailed') throw error;
    let where = '';
    try {
      const target = gatewayTarget(undefined, env);
      where = ` (OpenClaw's gateway on this host: ${target.url.replace(/\/health$/, '')}, from ${target.from})`;
    } catch {
      // The call's own message already names what it tried.
    }
    throw new RunnerError('openclaw.callFailed', `${error.message}${where}`, { cause: error });
  }
}

/** The agent's heartbeat monitor: `heartbeat-<agent>` of OpenClaw 2026.9 (a system-owned job; disabled ones count). */
export function findHeartbeatJob(jobs: readonly ListedJob[], agent: string): ListedJob | undefined {
  return jobs.find((job) => job.name === `heartbeat-${agent}` && (job.job.payload as { kind?: unknown } | undefined)?.kind !== 'command');
}

/** The text of the skill file now; null when there is none. */
export async function readSkill(file: string): Promise<string | null> {
  const bytes = await readStoreBytes(file, 1024 * 1024);
  return bytes === undefined ? null : bytes.toString('utf8');
}

/** What the last install recorded; undefined when there is no record (or it names nothing installed). */
export async function recordedInstall(home: string): Promise<InstalledPieces | undefined> {
  return (await readFullInstallRecord(home)).installed;
}

/** The state of OpenClaw that install compares with what it wants. */
export async function readCurrentInstall(context: InstallContext, agent: string, record: InstalledPieces | undefined): Promise<CurrentInstall> {
  const jobs = await listGatewayJobs(context.client, context.env);
  const heartbeatJob = findHeartbeatJob(jobs, agent);
  const scratch = heartbeatJob ? await readScratch(context.client, heartbeatJob.id) : undefined;
  const skillText = await readSkill(skillPath(context.workspace));
  return { jobs, heartbeatJob, scratch, skillText, record };
}

/** The scheduled tasks of the home, each with its job; and the tasks whose file does not load now. */
async function scheduledTaskJobs(
  context: Pick<InstallContext, 'settings' | 'location' | 'home'>,
  env: Record<string, string>,
): Promise<{ jobs: { task: string; spec: JobSpec }[]; taskUnknown: (task: string) => boolean; broken: string[] }> {
  const registry = await discoverTasks({ home: context.home });
  const jobs: { task: string; spec: JobSpec }[] = [];
  for (const discovered of [...registry.tasks.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const schedule = taskSchedule(discovered, context.settings.config);
    if (!schedule) continue;
    const spec = taskJobSpec({
      name: defaultJobName(discovered.name),
      invocation: { ...context.location, task: discovered.name },
      schedule,
      runTimeoutMs: resolveRunPolicy(discovered.task, context.settings.config).timeoutMs,
      env,
      managedBy: MANAGED_BY,
    });
    jobs.push({ task: discovered.name, spec });
  }
  const broken = registry.broken.map((file) => `${file.file}: ${file.reason}`);
  // A broken file's tasks are not known by name: while one does not load, any task not found may be in it.
  const found = new Set(registry.tasks.keys());
  return { jobs, taskUnknown: (task) => broken.length > 0 && !found.has(task), broken };
}

/** The interval of the heartbeat's command job: `--every`, else OpenClaw's heartbeat interval, else 30m; and a note when the default was taken. */
function heartbeatInterval(every: string | undefined, env: NodeJS.ProcessEnv): { every: string; everyMs: number; note?: string } {
  if (every !== undefined) {
    const ms = parseDuration(every, '--every');
    return { every: formatInterval(ms), everyMs: ms };
  }
  const file = openClawConfigPath(env);
  const configured = openClawHeartbeatEvery(file);
  if (configured === undefined || /^0+(ms|s|m|h|d)?$/.test(configured)) {
    const state = configured === undefined ? 'does not set agents.defaults.heartbeat.every' : `turns the heartbeat off (agents.defaults.heartbeat.every is ${configured})`;
    return { every: DEFAULT_HEARTBEAT_EVERY, everyMs: parseDuration(DEFAULT_HEARTBEAT_EVERY, '--every'), note: `${file} ${state}: every ${DEFAULT_HEARTBEAT_EVERY} (--every to choose)` };
  }
  const ms = parseDuration(configured, `agents.defaults.heartbeat.every in ${file}`);
  return { every: formatInterval(ms), everyMs: ms };
}

/** The heartbeat's command job: `runner heartbeat --ack NO_REPLY` every interval, its output posted by OpenClaw (a lone NO_REPLY posts nothing). */
function heartbeatJobSpec(context: Pick<InstallContext, 'location' | 'home'>, choices: InstallChoices, env: Record<string, string>, interval: { every: string; everyMs: number }): JobSpec {
  const delivery: JobDelivery = { mode: 'announce', channel: choices.channel ?? 'last', ...(choices.to ? { to: choices.to } : {}) };
  return {
    name: HEARTBEAT_JOB_NAME,
    description: `runs \`runner heartbeat\` every heartbeat interval and posts what it prints (nothing for NO_REPLY); managed by ${MANAGED_BY}`,
    schedule: { kind: 'every', every: interval.every, everyMs: interval.everyMs },
    argv: heartbeatArgv(context.location),
    cwd: context.home,
    env,
    delivery,
    timeoutSeconds: HEARTBEAT_JOB_TIMEOUT_SECONDS,
  };
}

/** Everything an install wants in OpenClaw, and notes for the operator (broken task files, a default interval). */
export async function desiredInstall(context: Pick<InstallContext, 'settings' | 'location' | 'home' | 'workspace' | 'tools' | 'env'>, choices: InstallChoices): Promise<{ desired: DesiredInstall; notes: string[] }> {
  const env = scheduledRunEnv(context.location.node, context.tools, context.env);
  const { jobs, taskUnknown, broken } = await scheduledTaskJobs(context, env);
  const notes = broken.map((problem) => `a task file does not load, so its schedule cannot be installed (its jobs are kept): ${problem}`);
  let heartbeat: DesiredInstall['heartbeat'];
  if (choices.heartbeat === 'scratch') {
    heartbeat = { mode: 'scratch', agent: choices.agent, block: scratchBlock(heartbeatScratchBody(context.location)) };
  } else {
    const interval = heartbeatInterval(choices.every, context.env);
    if (interval.note) notes.push(interval.note);
    heartbeat = { mode: 'command', agent: choices.agent, spec: heartbeatJobSpec(context, choices, env, interval), note: interval.note };
  }
  const push = context.settings.config.alerts?.push;
  const configFile = context.settings.configFile ?? path.join(context.home, 'runner.config.json');
  const alerts: Pick<DesiredInstall, 'alertsPush' | 'alertsPushWhy'> =
    push === false
      ? { alertsPush: null, alertsPushWhy: `alerts.push is false in ${configFile}` }
      : push !== undefined
        ? { alertsPush: null, alertsPushWhy: `alerts.push in ${configFile} decides (${push.minLevel ?? 'error'} and above)` }
        : { alertsPush: { min_level: 'error' }, alertsPushWhy: `the install's default while ${configFile} has no alerts.push (set it to change the level, false to turn pushing off)` };
  return {
    desired: { skill: { path: skillPath(context.workspace), content: renderSkill(context.location) }, heartbeat, jobs, taskUnknown, ...alerts },
    notes,
  };
}

/** How a command wants its context. */
export interface ContextNeeds {
  /** The workspace must exist (install: the skill goes there). */
  workspace: boolean;
  /** `openclaw` must be found (else `openclaw.notFound`); without it, `tools` is what was found, if anything. */
  openclaw: boolean;
}

/**
 * The context of a command: settings, the runner's location, the workspace and `openclaw` found as
 * `needs` says. Reads nothing from the gateway yet.
 */
export async function installContext(
  settings: Settings,
  chosen: { workspace?: string; config?: string },
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  needs: ContextNeeds = { workspace: true, openclaw: true },
): Promise<InstallContext> {
  const location = runnerLocation(settings, chosen, env);
  const workspace = path.resolve(settings.workspace);
  if (needs.workspace) assertWorkspaceExists(workspace);
  let tools: OpenClawTools | undefined;
  if (needs.openclaw) tools = await requireOpenClaw(env, location.home);
  else {
    const lookup = await findOpenClawTools(env, location.home);
    tools = lookup.kind === 'found' ? lookup.tools : undefined;
  }
  return {
    settings,
    home: location.home,
    workspace,
    location,
    tools,
    client: { env, home: location.home, timeoutMs },
    recordFile: installRecordPath(location.home),
    env,
  };
}
