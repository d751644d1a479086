import path from 'node:path';
import { expandHome } from '../config/expand-home.js';
import { openClawConfiguredWorkspace } from './openclaw-config.js';

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
  const profile = nonEmpty(env.OPENCLAW_PROFILE);
  const folder = profile === undefined || profile.toLowerCase() === 'default' ? '.openclaw' : `.openclaw-${profile}`;
  return expandHome(`~/${folder}`, env);
}

/** OpenClaw's config file: `$OPENCLAW_CONFIG_PATH`, else `<state-dir>/openclaw.json`. */
export function openClawConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = nonEmpty(env.OPENCLAW_CONFIG_PATH);
  return override === undefined ? path.join(openClawStateDir(env), 'openclaw.json') : expandHome(override, env);
}

/**
 * The workspace by OpenClaw's rule, absolute with `~` and `$HOME` expanded. Reads OpenClaw's config
 * (synchronously: it is small, and only read when nothing before it decided); a config that exists
 * but is unreadable or invalid throws `config.invalid` naming it.
 */
export function openClawWorkspace(env: NodeJS.ProcessEnv = process.env): string {
  const configured = openClawConfiguredWorkspace(openClawConfigPath(env));
  if (configured !== undefined) return expandHome(configured, env);
  const fromEnv = nonEmpty(env.OPENCLAW_WORKSPACE_DIR);
  if (fromEnv !== undefined) return expandHome(fromEnv, env);
  return path.join(openClawStateDir(env), 'workspace');
}

/** An environment value, trimmed; undefined when unset or blank (`VAR=` in a crontab means unset). */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}
