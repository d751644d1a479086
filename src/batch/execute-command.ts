import { spawn } from 'node:child_process';
import { signalGroup, stopGroup } from './process-group.js';
import { formatDuration } from '../shared/duration.js';

/** A command's time limit unless told otherwise: a hung command must not hold the queue forever. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60_000;

/** How a shell command ended. */
export interface CommandOutcome {
  /** Exit status, or `null` when the command was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines of stdout and stderr together, as they arrived. */
  tail: string;
  /** True when `signal` (the run's) stopped the command. */
  aborted: boolean;
  /** True when the command ran out of its own time (`timeoutMs`) and was stopped. */
  timedOut: boolean;
  /** The time limit the command had (ms). */
  timeoutMs: number;
}

export interface ExecuteCommandOptions {
  cwd: string;
  signal: AbortSignal;
  /** Stop the command after this long (ms); {@link DEFAULT_COMMAND_TIMEOUT_MS} unless given. */
  timeoutMs?: number;
  /** How much of the end of the output to keep (bytes); 4 KiB unless said otherwise. */
  tailBytes?: number;
  /** After SIGTERM, how long the group gets before SIGKILL (ms). */
  killGraceMs?: number;
  env?: NodeJS.ProcessEnv;
}

// After the shell exits, how long output still in the pipes may take to arrive: a child that left
// the group (setsid) may hold the pipes open for ever, so we do not wait for them to close.
const DRAIN_MS = 500;

/**
 * Run `command` with `/bin/sh -c` in its own process group, keeping the tail of its output. The
 * command is over when the shell exits (not when its pipes close: a background job may hold them):
 * then whatever it left running in its group is stopped. When `signal` fires or the time limit
 * passes, the whole group gets SIGTERM, and SIGKILL after a grace period.
 */
export function executeCommand(command: string, options: ExecuteCommandOptions): Promise<CommandOutcome> {
  const tailBytes = options.tailBytes ?? 4096;
  const graceMs = options.killGraceMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      resolve({ exitCode: null, signal: null, tail: '', aborted: true, timedOut: false, timeoutMs });
      return;
    }
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = Buffer.alloc(0);
    const keep = (chunk: Buffer) => {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > tailBytes * 2) tail = tail.subarray(tail.length - tailBytes);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let aborted = false;
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
    };
    const onAbort = () => {
      aborted = true;
      stop();
    };
    const limit = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    options.signal.addEventListener('abort', onAbort, { once: true });
    const cleanUp = () => {
      options.signal.removeEventListener('abort', onAbort);
      clearTimeout(limit);
      if (killTimer) clearTimeout(killTimer);
    };
    child.on('error', (error) => {
      cleanUp();
      reject(error);
    });
    child.on('exit', (exitCode, signal) => {
      cleanUp();
      void (async () => {
        // The entry is over: nothing it started may outlive it.
        if (child.pid !== undefined) await stopGroup(child.pid, graceMs);
        await drained(child, DRAIN_MS);
        const text = tail.subarray(Math.max(0, tail.length - tailBytes)).toString('utf8');
        resolve({ exitCode, signal, tail: text.replace(/^\uFFFD/, ''), aborted, timedOut, timeoutMs });
      })().catch(reject);
    });
  });
}

/** Resolve when both output pipes have closed, or after `ms`; then stop reading them. */
async function drained(child: ReturnType<typeof spawn>, ms: number): Promise<void> {
  const streams = [child.stdout, child.stderr].filter((stream) => stream !== null);
  const closed = streams.map((stream) => (stream.closed ? Promise.resolve() : new Promise<void>((done) => stream.once('close', () => done()))));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(closed), new Promise<void>((done) => (timer = setTimeout(done, ms)))]);
  clearTimeout(timer);
  for (const stream of streams) stream.destroy();
}

/** `exit 0: last line of output` — a command's outcome as one line for the diary or the queue. */
export function describeOutcome(outcome: CommandOutcome, maxChars = 300): string {
  const status = outcome.timedOut
    ? `timed out after ${formatDuration(outcome.timeoutMs)} (stopped by ${outcome.signal ?? 'signal'})`
    : outcome.exitCode !== null
      ? `exit ${outcome.exitCode}`
      : `killed by ${outcome.signal ?? 'signal'}`;
  const output = outcome.tail.replace(/\s+/g, ' ').trim();
  if (output === '') return status;
  const clipped = output.length > maxChars ? `…${output.slice(output.length - maxChars + 1)}` : output;
  return `${status}: ${clipped}`;
}
