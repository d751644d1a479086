import { unlink } from 'node:fs/promises';
import path from 'node:path';
import * as v from 'valibot';
import { RunnerError } from '../shared/errors.js';
import { ALERT_LEVELS, type AlertLevel } from '../store/alerts.js';
import { writeAtomic } from '../store/atomic-write.js';
import { parseJsonText } from '../store/json-text.js';
import { readStoreBytes } from '../store/read-file.js';
import type { JobSpec } from './job-spec.js';

/**
 * Where `runner openclaw install` recorded the `openclaw` it wired in and the Node that runs it:
 * `<home>/.runner/openclaw.json`, `{"openclaw": {"bin": "/abs/openclaw", "node": "/abs/node"}}`.
 * The runner falls back to these when `$OPENCLAW_BIN` and PATH do not give an `openclaw` (a cron
 * line's or an OpenClaw job's PATH is short), and when the Node running the runner is too old for
 * that `openclaw`. `installed` lists what `runner openclaw install` put into OpenClaw, so that
 * `runner openclaw status` and `remove` know what is the runner's (and `alerts.push`'s default).
 */

/** The record as far as the runner reads it; every part may be absent. */
export interface OpenClawInstallRecord {
  openclaw?: {
    /** The `openclaw` executable (or its entry script) found at install. */
    bin?: string;
    /** A Node that satisfies that `openclaw`'s `engines.node`. */
    node?: string;
  };
  /** What `runner openclaw install` put in; absent before the first install. */
  installed?: InstalledPieces;
}

/** How the heartbeat reaches the runner: a block in the monitor's scratch, or a command job of its own. */
export type HeartbeatMode = 'scratch' | 'command';

/** A job the install added (or found as wanted and kept: `adopted`, which remove leaves). */
export interface InstalledJob {
  id: string;
  name: string;
  /** The task it runs (absent for the heartbeat's command job). */
  task?: string;
  spec: JobSpec;
  /** It was there, as wanted, before the install: not the runner's to remove. */
  adopted?: boolean;
}

/** Everything one install put in, as `remove` takes it out. */
export interface InstalledPieces {
  /** When (ISO 8601). */
  at: string;
  /** The OpenClaw agent whose heartbeat it is (`main` by default). */
  agent: string;
  workspace: string;
  skill: { path: string; sha256: string };
  heartbeat:
    | {
        mode: 'scratch';
        job_id: string;
        job_name: string;
        /** sha256 of the block as written. */
        block_sha256: string;
        /** A newline was put between the operator's text and the block (removal takes it out). */
        separator_added: boolean;
        /** There was no scratch before (removal leaves none rather than an empty one). */
        created_scratch: boolean;
      }
    | { mode: 'command'; job: InstalledJob };
  jobs: InstalledJob[];
  /** Alerts pushed to the agent from this level up when the config says nothing (`alerts.push`); null when the config decides. */
  alerts_push: { min_level: AlertLevel } | null;
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
  const { value, file } = await readRecordObject(home);
  const section = value.openclaw;
  if (section === undefined) return {};
  if (!isObject(section)) throw invalid(file, `the OpenClaw install record ${file}: "openclaw" must be an object`);
  return { openclaw: { bin: absolutePath(section.bin, 'openclaw.bin', file), node: absolutePath(section.node, 'openclaw.node', file) } };
}

/**
 * The install record with what install put in (`installed`), checked; `{}` when there is none.
 * A file that cannot be read or parsed, or whose parts are not what install writes, is a
 * `config.invalid` error naming the file and the field.
 */
export async function readFullInstallRecord(home: string): Promise<OpenClawInstallRecord> {
  const record = await readInstallRecord(home);
  const { value, file } = await readRecordObject(home);
  if (value.installed === undefined) return record;
  const checked = v.safeParse(InstalledSchema, value.installed);
  if (!checked.success) {
    const problems = checked.issues.map((issue) => `${['installed', ...(v.getDotPath(issue) ?? '').split('.').filter(Boolean)].join('.')}: ${issue.message}`);
    throw invalid(file, `the OpenClaw install record ${file} is not one runner openclaw install wrote: ${problems.join('; ')}`);
  }
  return { ...record, installed: checked.output as InstalledPieces };
}

/** The record file's JSON object (`{}` when there is no file), or the `config.invalid` error naming it. */
async function readRecordObject(home: string): Promise<{ value: Record<string, unknown>; file: string }> {
  const file = installRecordPath(home);
  let value: unknown;
  try {
    const bytes = await readStoreBytes(file, MAX_RECORD_BYTES);
    if (bytes === undefined) return { value: {}, file };
    value = parseJsonText(bytes.toString('utf8'), file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(file, `the OpenClaw install record ${reason.includes(file) ? `is unusable: ${reason}` : `${file} cannot be read: ${reason}`}`, error);
  }
  if (!isObject(value)) throw invalid(file, `the OpenClaw install record ${file} is not a JSON object`);
  return { value, file };
}

/** Write the record atomically (the whole file: it is the runner's own). */
export async function writeInstallRecord(home: string, record: OpenClawInstallRecord): Promise<void> {
  await writeAtomic(installRecordPath(home), (sink) => sink.write(`${JSON.stringify(record, null, 2)}\n`));
}

/** Remove the record; resolves to whether there was one. */
export async function deleteInstallRecord(home: string): Promise<boolean> {
  try {
    await unlink(installRecordPath(home));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

const absolute = v.pipe(v.string(), v.check((text) => path.isAbsolute(text), 'expected an absolute path'));
const JobSpecSchema = v.object({
  name: v.string(),
  description: v.string(),
  schedule: v.variant('kind', [
    v.object({ kind: v.literal('cron'), expr: v.string(), tz: v.optional(v.string()) }),
    v.object({ kind: v.literal('every'), every: v.string(), everyMs: v.number() }),
  ]),
  argv: v.array(v.string()),
  cwd: v.string(),
  env: v.record(v.string(), v.string()),
  delivery: v.variant('mode', [
    v.object({ mode: v.literal('none') }),
    v.object({ mode: v.literal('announce'), channel: v.string(), to: v.optional(v.string()) }),
  ]),
  timeoutSeconds: v.number(),
});
const InstalledJobSchema = v.object({
  id: v.string(),
  name: v.string(),
  task: v.optional(v.string()),
  spec: JobSpecSchema,
  adopted: v.optional(v.boolean()),
});
const InstalledSchema = v.object({
  at: v.string(),
  agent: v.string(),
  workspace: absolute,
  skill: v.object({ path: absolute, sha256: v.string() }),
  heartbeat: v.variant('mode', [
    v.object({
      mode: v.literal('scratch'),
      job_id: v.string(),
      job_name: v.string(),
      block_sha256: v.string(),
      separator_added: v.boolean(),
      created_scratch: v.boolean(),
    }),
    v.object({ mode: v.literal('command'), job: InstalledJobSchema }),
  ]),
  jobs: v.array(InstalledJobSchema),
  alerts_push: v.nullable(v.object({ min_level: v.picklist(ALERT_LEVELS) })),
});

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
