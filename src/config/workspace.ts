import { statSync } from 'node:fs';
import { RunnerError } from '../shared/errors.js';

/**
 * Which rule chose the workspace (SPEC §2), so that a message about it can say where the path came
 * from: the first of `--workspace`, `$OPENCLAW_WORKSPACE`, `workspace` in the runner's config,
 * `agents.defaults.workspace` in OpenClaw's config, `$OPENCLAW_WORKSPACE_DIR`, and OpenClaw's
 * default `<state-dir>/workspace`.
 */
export type WorkspaceSource =
  | { from: 'flag' }
  | { from: 'env'; variable: 'OPENCLAW_WORKSPACE' | 'OPENCLAW_WORKSPACE_DIR' }
  /** `workspace` in the runner's config file. */
  | { from: 'config'; file: string }
  /** `agents.defaults.workspace` in OpenClaw's config file. */
  | { from: 'openclaw-config'; file: string }
  /**
   * OpenClaw's default, `<state-dir>/workspace`: nothing before it chose one. `stateDirFrom` says
   * how the state folder was found; the two config files are those that were looked at.
   */
  | {
      from: 'default';
      stateDir: string;
      stateDirFrom: 'OPENCLAW_STATE_DIR' | 'OPENCLAW_PROFILE' | 'home';
      runnerConfig: string;
      openclawConfig: string;
    };

/** Where the workspace came from, as a person reads it: `--workspace`, `"workspace" in /srv/runner.config.json`, … */
export function describeWorkspaceSource(source: WorkspaceSource): string {
  switch (source.from) {
    case 'flag':
      return 'from --workspace';
    case 'env':
      return `from $${source.variable}`;
    case 'config':
      return `from "workspace" in ${source.file}`;
    case 'openclaw-config':
      return `from agents.defaults.workspace in OpenClaw's config ${source.file}`;
    case 'default': {
      const stateDir = { OPENCLAW_STATE_DIR: ' from $OPENCLAW_STATE_DIR', OPENCLAW_PROFILE: ' for $OPENCLAW_PROFILE', home: '' }[source.stateDirFrom];
      return `OpenClaw's default <state-dir>/workspace, the state dir being ${source.stateDir}${stateDir}`;
    }
  }
}

/** For the default: the settings that would have chosen another workspace, none of which is set. */
function nothingElseChose(source: WorkspaceSource | undefined): string {
  if (source?.from !== 'default') return '';
  return `; no --workspace, $OPENCLAW_WORKSPACE, "workspace" in ${source.runnerConfig}, agents.defaults.workspace in ${source.openclawConfig} or $OPENCLAW_WORKSPACE_DIR chose another`;
}

/** What to change to choose another workspace, given the rule that chose this one. */
function howToChooseAnother(source: WorkspaceSource | undefined): string {
  switch (source?.from) {
    case 'flag':
      return 'pass another --workspace';
    case 'env':
      return `change $${source.variable}`;
    case 'config':
      return `change "workspace" in ${source.file}`;
    case 'openclaw-config':
      return `change it there, or choose another with --workspace or "workspace" in the runner config`;
    case 'default':
      return 'set one of those';
    default:
      return 'choose it with --workspace, $OPENCLAW_WORKSPACE, "workspace" in the runner config or agents.defaults.workspace in OpenClaw\'s config';
  }
}

/**
 * Refuse a workspace that does not exist (or is not a folder), saying which rule chose it when
 * `source` is known. Writers create missing parent folders, so without this check a typo such as
 * `--workspace /tmp/typo` would silently start a new, empty workspace and report success. Called
 * where the workspace is used (a task's `ctx.paths.workspace` and file helpers, the heartbeat's
 * daily note, the batch queue), so a command or task that never touches it needs none.
 */
export function assertWorkspaceExists(workspace: string, source?: WorkspaceSource): void {
  // A worker runs a job every few hundred microseconds: a folder seen a moment ago is still there.
  const seen = SEEN.get(workspace);
  if (seen !== undefined && Date.now() - seen < SEEN_FOR_MS) return;
  const stats = statSync(workspace, { throwIfNoEntry: false });
  const from = source === undefined ? '' : ` (${describeWorkspaceSource(source)}${nothingElseChose(source)})`;
  if (!stats) {
    throw new RunnerError(
      'runner.noWorkspace',
      `workspace ${workspace} does not exist${from}. The runner never creates it: create the folder, or ${howToChooseAnother(source)}`,
      { file: workspace },
    );
  }
  if (!stats.isDirectory()) {
    throw new RunnerError('runner.noWorkspace', `workspace ${workspace} is not a folder${from}`, { file: workspace });
  }
  SEEN.set(workspace, Date.now());
}

const SEEN = new Map<string, number>();
const SEEN_FOR_MS = 1_000;
