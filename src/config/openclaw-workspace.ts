import path from 'node:path';
import { expandHome } from '../shared/expand-home.js';
import type { WorkspaceSource } from './workspace.js';
import { openClawConfiguredWorkspace } from './openclaw-config-file.js';

/**
 * OpenClaw's own rule for where the agent's workspace is (REAL-OPENCLAW.md, OpenClaw 2026.9):
 * `agents.defaults.workspace` in its config, else `$OPENCLAW_WORKSPACE_DIR`, else
 * `<state-dir>/workspace`. The runner falls back to this rule when neither `--workspace`,
 * `$OPENCLAW_WORKSPACE` nor its own config names a workspace, so it finds the folder the agent
 * actually writes to without being told.
 */

/**
 * OpenClaw's state folder: `$OPENCLAW_STATE_DIR`, else `~/.openclaw`, or `~/.openclaw-<profile>`
 * for a named `$OPENCLAW_PROFILE` (the profile `default` is the plain folder, as in OpenClaw).
 */
export function openClawStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = nonEmpty(env.OPENCLAW_STATE_DIR);
  if (override !== undefined) return expandHome(override, env);
  const profile = namedProfile(env);
  return expandHome(`~/${profile === undefined ? '.openclaw' : `.openclaw-${profile}`}`, env);
}

/** `$OPENCLAW_PROFILE`, unless unset or `default` (the plain state folder). */
function namedProfile(env: NodeJS.ProcessEnv): string | undefined {
  const profile = nonEmpty(env.OPENCLAW_PROFILE);
  return profile === undefined || profile.toLowerCase() === 'default' ? undefined : profile;
}

/** OpenClaw's config file: `$OPENCLAW_CONFIG_PATH`, else `<state-dir>/openclaw.json`. */
export function openClawConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = nonEmpty(env.OPENCLAW_CONFIG_PATH);
  return override === undefined ? path.join(openClawStateDir(env), 'openclaw.json') : expandHome(override, env);
}

/** A workspace path and the rule that chose it. */
export interface WorkspaceLocation {
  workspace: string;
  source: WorkspaceSource;
}

/**
 * The workspace by OpenClaw's rule, absolute with `~` and `$HOME` expanded, and which part of the
 * rule chose it. Reads OpenClaw's config (synchronously: it is small, and only read when nothing
 * before it decided); a config that exists but is unreadable or invalid throws `config.invalid`
 * naming it. `runnerConfig` is the runner config file that was looked at, for the default's message.
 */
export function openClawWorkspace(runnerConfig: string, env: NodeJS.ProcessEnv = process.env): WorkspaceLocation {
  const openclawConfig = openClawConfigPath(env);
  const configured = openClawConfiguredWorkspace(openclawConfig);
  if (configured !== undefined) return { workspace: expandHome(configured, env), source: { from: 'openclaw-config', file: openclawConfig } };
  const fromEnv = nonEmpty(env.OPENCLAW_WORKSPACE_DIR);
  if (fromEnv !== undefined) return { workspace: expandHome(fromEnv, env), source: { from: 'env', variable: 'OPENCLAW_WORKSPACE_DIR' } };
  const stateDir = openClawStateDir(env);
  const stateDirFrom = nonEmpty(env.OPENCLAW_STATE_DIR) !== undefined ? 'OPENCLAW_STATE_DIR' : namedProfile(env) !== undefined ? 'OPENCLAW_PROFILE' : 'home';
  return { workspace: path.join(stateDir, 'workspace'), source: { from: 'default', stateDir, stateDirFrom, runnerConfig, openclawConfig } };
}

/** An environment value, trimmed; undefined when unset or blank (`VAR=` in a crontab means unset). */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}
