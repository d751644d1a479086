import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { open, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '../shared/errors.js';
import { findExecutable } from '../shared/which.js';
import { installRecordPath, readInstallRecord, type OpenClawInstallRecord } from './install-record.js';
import { satisfiesNodeRange } from './node-engines.js';
import { nonEmpty } from '../config/openclaw-workspace.js';

/**
 * Which `openclaw` the runner runs, and with which Node. The executable is `$OPENCLAW_BIN`, else
 * `openclaw` on PATH, else the one `runner openclaw install` recorded (a cron line's or an OpenClaw
 * job's PATH is short). OpenClaw is a `#!/usr/bin/env node` script that needs a recent Node (its
 * package.json's `engines.node`, `>=24.16.0 <25 || >=26.1.0` for 2026.9), while the `node` first on
 * such a PATH may be an older one, under which it only says "node:sqlite is unavailable". So a
 * Node script whose engines the shebang's Node may not meet is run as `<node> <script>` with a
 * Node that meets them: the runner's own when it does, else the recorded one, else the shebang's.
 */

/** Where the executable came from. */
export type OpenClawSource = 'OPENCLAW_BIN' | 'PATH' | 'install record';

/** How to start `openclaw`: `execFile(file, [...prefix, ...args])`. */
export interface OpenClawLaunch {
  /** The `openclaw` executable found. */
  executable: string;
  source: OpenClawSource;
  file: string;
  prefix: string[];
  /** When it is a Node script whose package.json names the Node versions it needs. */
  node?: NodeRequirement;
}

/** A Node script's needs, and the Node chosen for it. */
export interface NodeRequirement {
  /** `engines.node` of its package.json. */
  engines: string;
  /** The Node it runs under; undefined when left to its shebang (found on PATH only if it fails). */
  node?: string;
  /** Why that Node: the runner's own, the recorded one, or the shebang's. */
  chosen: 'runner' | 'install record' | 'shebang';
  /** The shebang's interpreter: `node` (looked up on PATH through `env`) or an absolute path. */
  interpreter: string;
}

/** How looking for `openclaw` ended. */
export type OpenClawResolution =
  | { kind: 'found'; launch: OpenClawLaunch }
  /** No such executable; `reason` says where it was looked for when it was not PATH. */
  | { kind: 'missing'; command: string; reason?: string }
  /** The install record is there but unusable (not JSON, a relative path): its error, naming it. */
  | { kind: 'unusable'; reason: string };

/** Read when a script's first line can be a shebang. */
const SHEBANG_BYTES = 512;
/** How far up from a script its package.json is looked for. */
const MAX_PACKAGE_DEPTH = 8;

/**
 * Find `openclaw` and decide how to start it. `home` is the runner home whose install record is
 * consulted (none without it). Never throws: an unusable record is an outcome.
 */
export async function resolveOpenClaw(env: NodeJS.ProcessEnv, home?: string): Promise<OpenClawResolution> {
  let record: OpenClawInstallRecord | undefined;
  const recorded = async () => (record ??= home === undefined ? {} : await readInstallRecord(home));
  try {
    const configured = nonEmpty(env.OPENCLAW_BIN);
    let executable: string | undefined;
    let source: OpenClawSource;
    if (configured !== undefined) {
      source = 'OPENCLAW_BIN';
      executable = findExecutable(configured, env);
      if (executable === undefined) return { kind: 'missing', command: configured, reason: `${configured} ($OPENCLAW_BIN) is not an executable file` };
    } else {
      source = 'PATH';
      executable = findExecutable('openclaw', env);
      const bin = executable === undefined ? (await recorded()).openclaw?.bin : undefined;
      if (bin !== undefined) {
        source = 'install record';
        executable = findExecutable(bin, env);
        if (executable === undefined) {
          return { kind: 'missing', command: bin, reason: `no openclaw on PATH, and ${bin} (recorded in ${installRecordPath(home!)}) is not an executable file` };
        }
      }
      if (executable === undefined) return { kind: 'missing', command: 'openclaw' };
    }
    const launch: OpenClawLaunch = { executable, source, file: executable, prefix: [] };
    const script = await nodeScriptOf(executable);
    if (script === undefined) return { kind: 'found', launch };
    const node = await chooseNode(script, recorded);
    launch.node = node;
    if (node.node !== undefined) {
      launch.file = node.node;
      launch.prefix = [...script.nodeArgs, executable];
    }
    return { kind: 'found', launch };
  } catch (error) {
    if (error instanceof RunnerError) return { kind: 'unusable', reason: error.message };
    throw error;
  }
}

/** A Node script with the engines of its package.json. */
interface NodeScript {
  engines: string;
  interpreter: string;
  /** Options the shebang gives Node (`#!/usr/bin/env -S node --no-warnings`). */
  nodeArgs: string[];
}

async function chooseNode(script: NodeScript, recorded: () => Promise<OpenClawInstallRecord>): Promise<NodeRequirement> {
  const base = { engines: script.engines, interpreter: script.interpreter };
  if (satisfiesNodeRange(process.version, script.engines) === true) return { ...base, node: process.execPath, chosen: 'runner' };
  const node = (await recorded()).openclaw?.node;
  if (node !== undefined && findExecutable(node) !== undefined) return { ...base, node, chosen: 'install record' };
  return { ...base, chosen: 'shebang' };
}

/**
 * The script's shebang and engines when `file` is a Node script (its shebang runs `node`) whose
 * package.json says which Node versions it needs; undefined otherwise (a binary, a shell wrapper,
 * a script without engines: it is run as it is).
 */
async function nodeScriptOf(file: string): Promise<NodeScript | undefined> {
  const shebang = await firstLine(file);
  if (shebang === undefined || !shebang.startsWith('#!')) return undefined;
  const words = shebang.slice(2).trim().split(/\s+/);
  let rest = words;
  if (path.basename(words[0] ?? '') === 'env') rest = words.slice(1).filter((word, i) => !(i === 0 && word === '-S'));
  const interpreter = rest[0];
  if (interpreter === undefined || !/^node(js)?$/.test(path.basename(interpreter))) return undefined;
  const engines = await enginesOf(await realpath(file).catch(() => file));
  return engines === undefined ? undefined : { engines, interpreter, nodeArgs: rest.slice(1) };
}

async function firstLine(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const buffer = Buffer.alloc(SHEBANG_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SHEBANG_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0];
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** `engines.node` of the package.json nearest above `script`, undefined when it has none. */
async function enginesOf(script: string): Promise<string | undefined> {
  let folder = path.dirname(script);
  for (let depth = 0; depth < MAX_PACKAGE_DEPTH; depth++) {
    const text = await readFile(path.join(folder, 'package.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      try {
        const engines = (JSON.parse(text) as { engines?: { node?: unknown } }).engines?.node;
        return typeof engines === 'string' && engines.trim() !== '' ? engines.trim() : undefined;
      } catch {
        return undefined;
      }
    }
    const parent = path.dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
  return undefined;
}

/** The Node a script ran under, with its version, when that version does not meet the script's engines. */
export interface NodeTooOld {
  engines: string;
  version: string;
  node: string;
}

/**
 * After a failed call: whether the Node `launch` ran under was too old for it. Asks that Node its
 * version (the shebang's `node` is looked up on `env`'s PATH); undefined when it was new enough,
 * or when that cannot be told.
 */
export async function nodeTooOld(launch: OpenClawLaunch, env: NodeJS.ProcessEnv): Promise<NodeTooOld | undefined> {
  const requirement = launch.node;
  if (requirement === undefined) return undefined;
  const node = requirement.node ?? findExecutable(requirement.interpreter, env);
  if (node === undefined) return undefined;
  const version = node === process.execPath ? process.version : await nodeVersion(node, env);
  if (version === undefined || satisfiesNodeRange(version, requirement.engines) !== false) return undefined;
  return { engines: requirement.engines, version, node };
}

/** `node --version` of the Node at `node` (`v24.21.0`); undefined when it cannot be told. */
export function nodeVersion(node: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(node, ['--version'], { env, timeout: 5_000, encoding: 'utf8' }, (error, stdout) => {
      const version = stdout.trim();
      resolve(error || !/^v?\d+\.\d+\.\d+/.test(version) ? undefined : version);
    });
  });
}
