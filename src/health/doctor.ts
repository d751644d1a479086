import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { expandHome, loadSettings, locateHome, type LocationOptions, type Settings } from '../config/config.js';
import { runOpenClaw, describeOpenClawFailure } from '../openclaw/openclaw-cli.js';
import { gatewayTarget } from '../config/openclaw-gateway.js';
import { resolveOpenClaw, type OpenClawLaunch } from '../openclaw/openclaw-launch.js';
import { describeHomeSource, HOME_MARKERS, looksLikeHome, type HomeSource } from '../config/home.js';
import { describeWorkspaceSource } from '../config/workspace.js';
import { nonEmpty } from '../config/openclaw-workspace.js';
import { cronLogFile } from '../cron/runner-invocation.js';
import { AlertStore } from '../store/alerts.js';
import { fileKind } from '../store/regular-file.js';
import { runLogPath } from '../store/run-log.js';
import { checkGateway } from './gateway.js';

/**
 * `runner doctor`'s findings: where everything resolves and what is wrong with it. This module
 * only looks; src/cli/doctor.ts prints.
 */

/** `ok` ✓, `problem` ✗ (doctor exits 1), `note` – (worth knowing, nothing to fix). */
export type DoctorState = 'ok' | 'problem' | 'note';

/** One line of the doctor's screen. */
export interface DoctorItem {
  name: 'config' | 'home' | 'workspace' | 'logs' | 'alerts' | 'openclaw' | 'gateway';
  state: DoctorState;
  /** The file, folder, executable or URL the line is about. */
  where?: string;
  detail: string;
}

/** All findings; `ok` when none is a problem. */
export interface DoctorReport {
  ok: boolean;
  items: DoctorItem[];
}

/** `openclaw --version` should answer quickly; `openclaw.timeoutMs` in the config overrides this. */
const VERSION_TIMEOUT_MS = 5000;

/** Look at every place the runner uses and at OpenClaw; never throws for what it finds. */
export async function diagnose(options: LocationOptions, env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  const { settings, config } = resolveSettings(options, env);
  const located = locateHome(options, env);
  const home = settings?.home ?? located.home;
  const items = await Promise.all([
    Promise.resolve(config),
    inspectHome(home, located.source),
    inspectWorkspace(settings ?? fallbackWorkspace(options, env)),
    inspectLog(runLogPath(home), cronLogFile(home)),
    inspectAlerts(AlertStore.forHome(home)),
    inspectOpenClaw(settings?.config.openclaw?.timeoutMs ?? VERSION_TIMEOUT_MS, env, home),
    inspectGateway(settings, env),
  ]);
  return { ok: items.every((item) => item.state !== 'problem'), items };
}

function resolveSettings(options: LocationOptions, env: NodeJS.ProcessEnv): { settings?: Settings; config: DoctorItem } {
  try {
    const settings = loadSettings(options, env);
    const where = settings.configFile ?? path.join(settings.home, 'runner.config.json');
    const config: DoctorItem = settings.configFile
      ? { name: 'config', state: 'ok', where, detail: 'valid' }
      : { name: 'config', state: 'note', where, detail: 'no config file: defaults apply' };
    return { settings, config };
  } catch (error) {
    const file = (error as { file?: string }).file;
    return { config: { name: 'config', state: 'problem', where: file, detail: messageOf(error) } };
  }
}

/**
 * Without a readable config the workspace can only come from the flag or the environment (the
 * config's `workspace` key, and so the default, cannot be known).
 */
function fallbackWorkspace(options: LocationOptions, env: NodeJS.ProcessEnv): Pick<Settings, 'workspace' | 'workspaceSource'> | undefined {
  if (options.workspace !== undefined) return { workspace: expandHome(options.workspace, env), workspaceSource: { from: 'flag' } };
  const fromEnv = nonEmpty(env.OPENCLAW_WORKSPACE);
  return fromEnv === undefined ? undefined : { workspace: expandHome(fromEnv, env), workspaceSource: { from: 'env', variable: 'OPENCLAW_WORKSPACE' } };
}

/** The home, each finding followed by the rule that chose it; the current folder must be a home (see home.ts). */
async function inspectHome(folder: string, source: HomeSource): Promise<DoctorItem> {
  const name = 'home';
  const from = ` (${describeHomeSource(source)})`;
  const stats = await stat(folder).catch(() => undefined);
  if (!stats) return { name, state: 'problem', where: folder, detail: `does not exist${from}` };
  if (!stats.isDirectory()) return { name, state: 'problem', where: folder, detail: `is not a folder${from}` };
  if (!(await writable(folder))) return { name, state: 'problem', where: folder, detail: `is not writable${from}` };
  if (source === 'cwd' && !looksLikeHome(folder)) {
    return { name, state: 'problem', where: folder, detail: `is not a runner home${from}: it has none of ${HOME_MARKERS.join(', ')}, so task runs refuse to write here` };
  }
  return { name, state: 'ok', where: folder, detail: `exists, writable${from}` };
}

/** The workspace, each finding followed by the rule that chose the path. */
async function inspectWorkspace(located: Pick<Settings, 'workspace' | 'workspaceSource'> | undefined): Promise<DoctorItem> {
  const name = 'workspace';
  if (located === undefined) return { name, state: 'problem', detail: 'unknown until the config file is fixed (or give --workspace)' };
  const { workspace, workspaceSource } = located;
  const from = workspaceSource === undefined ? '' : ` (${describeWorkspaceSource(workspaceSource)})`;
  const stats = await stat(workspace).catch(() => undefined);
  if (!stats) {
    return { name, state: 'problem', where: workspace, detail: `does not exist${from}; the runner never creates it: create it, or set --workspace, $OPENCLAW_WORKSPACE or "workspace" in the config` };
  }
  if (!stats.isDirectory()) return { name, state: 'problem', where: workspace, detail: `is not a folder${from}` };
  if (!(await writable(workspace))) return { name, state: 'problem', where: workspace, detail: `is not writable${from}` };
  return { name, state: 'ok', where: workspace, detail: `exists, writable${from}` };
}

/**
 * The run log may not exist yet; then the folder it would be created in must be writable. The log
 * scheduled runs append their output to (`>> logs/cron.log`) is the shell's to open: a FIFO there
 * holds every scheduled run before it starts, waiting for a reader, and a folder or a socket fails
 * it (a link to /dev/null, to keep no output, is fine).
 */
async function inspectLog(file: string, cronLog: string): Promise<DoctorItem> {
  const name = 'logs';
  const stats = await stat(file).catch(() => undefined);
  if (stats && !stats.isFile()) return { name, state: 'problem', where: file, detail: `is ${fileKind(stats)}, not a regular file` };
  const cron = await stat(cronLog).catch(() => undefined);
  if (cron && (cron.isFIFO() || cron.isDirectory() || cron.isSocket())) {
    return { name, state: 'problem', where: cronLog, detail: `is ${fileKind(cron)}: scheduled runs cannot append their output to it` };
  }
  if (stats) {
    return (await writable(file))
      ? { name, state: 'ok', where: file, detail: 'writable' }
      : { name, state: 'problem', where: file, detail: 'is not writable: runs cannot be recorded' };
  }
  const parent = await nearestExisting(path.dirname(file));
  return (await writable(parent))
    ? { name, state: 'note', where: file, detail: 'no runs recorded yet' }
    : { name, state: 'problem', where: file, detail: `cannot be created: ${parent} is not writable` };
}

async function inspectAlerts(store: AlertStore): Promise<DoctorItem> {
  const name = 'alerts';
  try {
    const alerts = await store.list();
    const exists = await stat(store.file).then(() => true, () => false);
    if (!exists) return { name, state: 'note', where: store.file, detail: 'no alerts file yet' };
    return { name, state: 'ok', where: store.file, detail: `valid, ${alerts.length} pending` };
  } catch (error) {
    return { name, state: 'problem', where: store.file, detail: messageOf(error) };
  }
}

/**
 * Which `openclaw` the runner would run, and with which Node, and whether it answers `--version`
 * there: a Node too old for it is named as such.
 */
async function inspectOpenClaw(timeoutMs: number, env: NodeJS.ProcessEnv, home: string): Promise<DoctorItem> {
  const name = 'openclaw';
  const found = await resolveOpenClaw(env, home);
  if (found.kind === 'missing') {
    return { name, state: 'note', detail: `${found.reason ?? `no ${found.command} on PATH`}: system_health skips its cron check` };
  }
  if (found.kind === 'unusable') return { name, state: 'problem', detail: found.reason };
  const { launch } = found;
  const where = launch.executable;
  const outcome = await runOpenClaw(['--version'], { timeoutMs, env, home });
  if (outcome.kind !== 'ok') return { name, state: 'problem', where, detail: describeOpenClawFailure(outcome, `${launch.source === 'PATH' ? 'openclaw' : launch.executable} --version`) };
  const version = outcome.stdout.trim().split('\n')[0] || '(printed no version)';
  return { name, state: 'ok', where, detail: `${version}${runsUnder(launch)}` };
}

/** `; runs under /usr/local/bin/node (the runner's Node)` when the runner chose the Node. */
function runsUnder(launch: OpenClawLaunch): string {
  const requirement = launch.node;
  if (requirement?.node === undefined) return '';
  const why = requirement.chosen === 'runner' ? "the runner's own" : 'recorded at install';
  return `; runs under ${requirement.node} (${why}; it needs Node ${requirement.engines})`;
}

/**
 * The gateway as system_health sees it: unhealthy is a problem, not ready yet a note. Where it is
 * looked for comes from the runner's config or OpenClaw's; an OpenClaw config that cannot be read
 * is a problem (OpenClaw cannot start with it either).
 */
async function inspectGateway(settings: Settings | undefined, env: NodeJS.ProcessEnv): Promise<DoctorItem> {
  let target;
  try {
    target = gatewayTarget(settings?.config.gateway?.url, env);
  } catch (error) {
    return { name: 'gateway', state: 'problem', where: (error as { file?: string }).file, detail: `cannot tell where the gateway listens: ${messageOf(error)}` };
  }
  const check = await checkGateway({ url: target.url, timeoutMs: settings?.config.gateway?.timeoutMs });
  const state: DoctorState = check.status === 'healthy' ? 'ok' : check.status === 'unhealthy' ? 'problem' : 'note';
  return { name: 'gateway', state, where: check.url, detail: `${check.summary} (${target.from})` };
}

async function writable(file: string): Promise<boolean> {
  return access(file, constants.W_OK).then(() => true, () => false);
}

async function nearestExisting(folder: string): Promise<string> {
  for (let current = folder; ; current = path.dirname(current)) {
    if (await stat(current).then(() => true, () => false)) return current;
    if (path.dirname(current) === current) return current;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
