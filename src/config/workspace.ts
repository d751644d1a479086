import { statSync } from 'node:fs';
import { RunnerError } from '../errors.js';

/**
 * Refuse a workspace that does not exist (or is not a folder). Writers create missing parent
 * folders, so without this check a typo such as `--workspace /tmp/typo` would silently start a new,
 * empty workspace and report success. Only commands that use the workspace call this; `list`,
 * `help` and `alerts` work without one.
 */
export function assertWorkspaceExists(workspace: string): void {
  // A worker runs a job every few hundred microseconds: a folder seen a moment ago is still there.
  const seen = SEEN.get(workspace);
  if (seen !== undefined && Date.now() - seen < SEEN_FOR_MS) return;
  const stats = statSync(workspace, { throwIfNoEntry: false });
  if (!stats) {
    throw new RunnerError(
      'runner.noWorkspace',
      `workspace ${workspace} does not exist (set it with --workspace, $OPENCLAW_WORKSPACE, "workspace" in the runner config or agents.defaults.workspace in OpenClaw's config, or create the folder)`,
      { file: workspace },
    );
  }
  if (!stats.isDirectory()) {
    throw new RunnerError('runner.noWorkspace', `workspace ${workspace} is not a folder`, { file: workspace });
  }
  SEEN.set(workspace, Date.now());
}

const SEEN = new Map<string, number>();
const SEEN_FOR_MS = 1_000;
