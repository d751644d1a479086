import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import JSON5 from 'json5';
import { RunnerError } from '../errors.js';
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
  const text = readConfigText(file);
  if (text === undefined) return undefined;
  const config = parseJson5(text, file);
  const workspace = pick(config, ['agents', 'defaults', 'workspace']);
  if (workspace === undefined) return undefined;
  if (typeof workspace !== 'string' || workspace.trim() === '') {
    throw invalid(file, `OpenClaw config ${file}: agents.defaults.workspace must be a non-empty string, got ${JSON.stringify(workspace)}`);
  }
  return workspace.trim();
}

/**
 * The file's text, or undefined when it does not exist. Opened without blocking and checked to be
 * a regular file before reading, so a FIFO in its place cannot hang every runner command.
 */
function readConfigText(file: string): string | undefined {
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
    return decode(readFullySync(fd, stats.size), file);
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
