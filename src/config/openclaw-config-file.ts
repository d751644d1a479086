import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import JSON5 from 'json5';
import { RunnerError } from '../shared/errors.js';
import { readFullySync } from '../store/read-fully.js';

/**
 * Reading OpenClaw's own config file (`openclaw.json`), which is JSON5: comments, trailing commas
 * and unquoted keys are normal there, so `JSON.parse` would reject configs OpenClaw accepts. Only
 * what the runner needs is picked out; the rest of the file is OpenClaw's business.
 */

/** openclaw.json is a few KiB; anything near this is not one. */
const MAX_OPENCLAW_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * `agents.defaults.workspace` of the OpenClaw config `file`, undefined when the file does not exist
 * or does not set it (a fresh install has no config). A file that exists but cannot be read or
 * parsed, or that sets the key to something other than a non-empty string, is a `config.invalid`
 * error naming the file: falling through to the default would quietly point the runner at another
 * agent's workspace.
 */
export function openClawConfiguredWorkspace(file: string): string | undefined {
  const config = readOpenClawConfig(file);
  if (config === undefined) return undefined;
  const workspace = pick(config, ['agents', 'defaults', 'workspace']);
  if (workspace === undefined) return undefined;
  if (typeof workspace !== 'string' || workspace.trim() === '') {
    throw invalid(file, `OpenClaw config ${file}: agents.defaults.workspace must be a non-empty string, got ${JSON.stringify(workspace)}`);
  }
  return workspace.trim();
}

/**
 * `agents.defaults.heartbeat.every` of the OpenClaw config `file` (`30m`, `1h`; `0m` turns the
 * heartbeat off), undefined when the file does not exist or does not set it (OpenClaw's default,
 * 30m, then). A value that is not a string is a `config.invalid` error naming the file.
 */
export function openClawHeartbeatEvery(file: string): string | undefined {
  const config = readOpenClawConfig(file);
  if (config === undefined) return undefined;
  const every = pick(config, ['agents', 'defaults', 'heartbeat', 'every']);
  if (every === undefined) return undefined;
  if (typeof every !== 'string' || every.trim() === '') {
    throw invalid(file, `OpenClaw config ${file}: agents.defaults.heartbeat.every must be a duration such as "30m", got ${JSON.stringify(every)}`);
  }
  return every.trim();
}

/** What the OpenClaw config says about where its gateway listens, as far as a probe on this host needs it. */
export interface OpenClawGatewaySettings {
  /** `gateway.port`; undefined when the config does not set it (OpenClaw's default then). */
  port?: number;
  /** `gateway.tls.enabled`: the gateway speaks HTTPS. */
  tls: boolean;
}

/**
 * `gateway.port` and `gateway.tls.enabled` of the OpenClaw config `file` (`{tls: false}` when the
 * file does not exist or sets neither). A port that is not a whole number from 1 to 65535, or a
 * `tls.enabled` that is not a boolean, is a `config.invalid` error naming the file and the key
 * (OpenClaw refuses such a config too). `gateway.bind` is not read: whatever it is, the gateway
 * answers on 127.0.0.1 (loopback and lan include it, and a tailnet or custom address makes
 * OpenClaw listen on 127.0.0.1 beside it for clients on the same host).
 */
export function openClawGatewaySettings(file: string): OpenClawGatewaySettings {
  const config = readOpenClawConfig(file);
  if (config === undefined) return { tls: false };
  const port = pick(config, ['gateway', 'port']);
  if (port !== undefined && !(typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65_535)) {
    throw invalid(file, `OpenClaw config ${file}: gateway.port must be a port number (1-65535), got ${JSON.stringify(port)}`);
  }
  const tls = pick(config, ['gateway', 'tls', 'enabled']);
  if (tls !== undefined && typeof tls !== 'boolean') {
    throw invalid(file, `OpenClaw config ${file}: gateway.tls.enabled must be true or false, got ${JSON.stringify(tls)}`);
  }
  return { ...(port !== undefined && { port }), tls: tls === true };
}

/** The last config read, and the identity of the file it was read from. */
let lastRead: { file: string; stamp: string; config: unknown } | undefined;

/**
 * The parsed config `file`, undefined when it does not exist. One read serves every question a
 * command asks of it (the workspace when loading the settings, the gateway's port for the health
 * check): the file is read and parsed again only when it changed (its inode, size or times), so a
 * long-lived worker sees an edit. Opened without blocking and checked to be a regular file before
 * reading, so a FIFO in its place cannot hang every runner command.
 */
function readOpenClawConfig(file: string): unknown {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalid(file, `cannot read OpenClaw config ${file}: ${reasonOf(error)}`, error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw invalid(file, `OpenClaw config ${file} is not a regular file`);
    if (stats.size > MAX_OPENCLAW_CONFIG_BYTES) {
      throw invalid(file, `OpenClaw config ${file} is ${stats.size} bytes, more than a config can be (${MAX_OPENCLAW_CONFIG_BYTES})`);
    }
    const stamp = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
    if (lastRead?.file === file && lastRead.stamp === stamp) return lastRead.config;
    const config = parseJson5(decode(readFullySync(fd, stats.size), file), file);
    lastRead = { file, stamp, config };
    return config;
  } catch (error) {
    if (error instanceof RunnerError) throw error;
    throw invalid(file, `cannot read OpenClaw config ${file}: ${reasonOf(error)}`, error);
  } finally {
    closeSync(fd);
  }
}

function decode(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalid(file, `OpenClaw config ${file} is not UTF-8`);
  }
}

function parseJson5(text: string, file: string): unknown {
  try {
    return JSON5.parse(text);
  } catch (error) {
    // json5's messages carry the position: "JSON5: invalid character 'x' at 3:7".
    throw invalid(file, `OpenClaw config ${file} cannot be parsed: ${reasonOf(error)}`, error);
  }
}

/** The value at `keys` in nested objects, undefined when a level is missing or not an object. */
function pick(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}

function invalid(file: string, message: string, cause?: unknown): RunnerError {
  return new RunnerError('config.invalid', message, { file, cause });
}
