import path from 'node:path';
import { RunnerError } from '../errors.js';
import { parseJsonText } from '../store/json-text.js';
import { readStoreBytes } from '../store/read-file.js';

/**
 * Where `runner openclaw install` recorded the `openclaw` it wired in and the Node that runs it:
 * `<home>/.runner/openclaw.json`, `{"openclaw": {"bin": "/abs/openclaw", "node": "/abs/node"}}`.
 * The runner falls back to these when `$OPENCLAW_BIN` and PATH do not give an `openclaw` (a cron
 * line's or an OpenClaw job's PATH is short), and when the Node running the runner is too old for
 * that `openclaw`. Only these two paths are read here; the file may hold more (what install adds).
 */

/** The record as far as the runner reads it; every part may be absent. */
export interface OpenClawInstallRecord {
  openclaw?: {
    /** The `openclaw` executable (or its entry script) found at install. */
    bin?: string;
    /** A Node that satisfies that `openclaw`'s `engines.node`. */
    node?: string;
  };
}

/** A record is a few hundred bytes. */
const MAX_RECORD_BYTES = 1024 * 1024;

/** `<home>/.runner/openclaw.json`. */
export function installRecordPath(home: string): string {
  return path.join(home, '.runner', 'openclaw.json');
}

/**
 * The install record of the runner home `home`: `{}` when there is none. A file that cannot be
 * read or parsed, or whose `openclaw.bin`/`openclaw.node` is not an absolute path, is a
 * `config.invalid` error naming the file and the field.
 */
export async function readInstallRecord(home: string): Promise<OpenClawInstallRecord> {
  const file = installRecordPath(home);
  let value: unknown;
  try {
    const bytes = await readStoreBytes(file, MAX_RECORD_BYTES);
    if (bytes === undefined) return {};
    value = parseJsonText(bytes.toString('utf8'), file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(file, `the OpenClaw install record ${reason.includes(file) ? `is unusable: ${reason}` : `${file} cannot be read: ${reason}`}`, error);
  }
  if (!isObject(value)) throw invalid(file, `the OpenClaw install record ${file} is not a JSON object`);
  const section = value.openclaw;
  if (section === undefined) return {};
  if (!isObject(section)) throw invalid(file, `the OpenClaw install record ${file}: "openclaw" must be an object`);
  return { openclaw: { bin: absolutePath(section.bin, 'openclaw.bin', file), node: absolutePath(section.node, 'openclaw.node', file) } };
}

function absolutePath(value: unknown, field: string, file: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !path.isAbsolute(value)) {
    throw invalid(file, `the OpenClaw install record ${file}: "${field}" must be an absolute path, got ${JSON.stringify(value)}`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(file: string, message: string, cause?: unknown): RunnerError {
  return new RunnerError('config.invalid', message, { file, cause });
}
