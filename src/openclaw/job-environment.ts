import path from 'node:path';
import { findExecutable } from '../shared/which.js';
import { satisfiesNodeRange } from './node-engines.js';
import { nodeVersion, resolveOpenClaw, type OpenClawLaunch, type OpenClawSource } from './openclaw-launch.js';

/**
 * The environment a scheduled run gets, so that what it starts is found: an OpenClaw job runs with
 * the gateway's environment and a crontab line with cron's short PATH, and neither need hold the
 * `openclaw` the operator runs, nor the recent Node it needs (OpenClaw 2026.9 needs Node >=24.16;
 * the runner may run on Node 20). Every scheduled run (the jobs of `runner openclaw install`, the
 * lines of `runner cron`) gets one PATH: openclaw's folder, the folder of the Node it needs, the
 * folder of the runner's own Node, then the system's.
 */

/** The `openclaw` found where the runner looks for it, and the Node that runs it. */
export interface OpenClawTools {
  /** The `openclaw` executable (absolute). */
  bin: string;
  source: OpenClawSource;
  /** A Node that meets its `engines.node`, when it is a Node script that needs one; absolute. */
  node?: string;
  launch: OpenClawLaunch;
}

/** How looking for `openclaw` ended, with what was looked at when nothing was found. */
export type OpenClawToolsLookup = { kind: 'found'; tools: OpenClawTools } | { kind: 'missing' | 'unusable'; reason: string };

/** The folders every scheduled run's PATH ends with. */
export const SYSTEM_PATH = ['/usr/local/bin', '/usr/bin', '/bin'] as const;

/** Variables that choose which OpenClaw config and state `openclaw` reads, passed on to a job when the installer has them. */
export const OPENCLAW_LOCATION_VARIABLES = ['OPENCLAW_CONFIG_PATH', 'OPENCLAW_STATE_DIR', 'OPENCLAW_PROFILE'] as const;

/**
 * Find `openclaw` as every runner command does (`$OPENCLAW_BIN`, PATH, the install record of
 * `home`) and the Node it runs under: the one the runner chose for it (its own, or the recorded
 * one), else, for a `#!/usr/bin/env node` script, the `node` on PATH when its version meets the
 * script's engines. Never throws.
 */
export async function findOpenClawTools(env: NodeJS.ProcessEnv, home?: string): Promise<OpenClawToolsLookup> {
  const resolution = await resolveOpenClaw(env, home);
  if (resolution.kind === 'unusable') return { kind: 'unusable', reason: resolution.reason };
  if (resolution.kind === 'missing') {
    return { kind: 'missing', reason: resolution.reason ?? `no ${resolution.command} on PATH` };
  }
  const { launch } = resolution;
  const tools: OpenClawTools = { bin: launch.executable, source: launch.source, launch };
  const requirement = launch.node;
  if (requirement?.node !== undefined) tools.node = requirement.node;
  else if (requirement !== undefined) {
    const node = findExecutable(requirement.interpreter, env);
    const version = node === undefined ? undefined : await nodeVersion(node, env);
    if (node !== undefined && version !== undefined && satisfiesNodeRange(version, requirement.engines) === true) tools.node = node;
  }
  return { kind: 'found', tools };
}

/**
 * The PATH of a scheduled run: the folder of `openclaw`, of the Node it needs, of the runner's
 * own Node (`runnerNode`), then {@link SYSTEM_PATH}, each folder once.
 */
export function scheduledRunPath(runnerNode: string, tools?: Pick<OpenClawTools, 'bin' | 'node'>): string {
  const folders = [tools?.bin, tools?.node, runnerNode].filter((file): file is string => file !== undefined).map((file) => path.dirname(file));
  return [...new Set([...folders, ...SYSTEM_PATH])].join(path.delimiter);
}

/**
 * The environment an OpenClaw job of the runner sets (`--command-env`, which replaces the job's
 * whole environment override): PATH, and the variables that choose OpenClaw's config and state
 * when `installerEnv` sets them, so `openclaw` in the job reads the same `openclaw.json`.
 */
export function scheduledRunEnv(runnerNode: string, tools: Pick<OpenClawTools, 'bin' | 'node'> | undefined, installerEnv: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = { PATH: scheduledRunPath(runnerNode, tools) };
  for (const name of OPENCLAW_LOCATION_VARIABLES) {
    const value = installerEnv[name]?.trim();
    if (value) env[name] = value;
  }
  return env;
}
