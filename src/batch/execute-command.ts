import { spawn } from 'node:child_process';

/** How a shell command ended. */
export interface CommandOutcome {
  /** Exit status, or `null` when the command was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines of stdout and stderr together, as they arrived. */
  tail: string;
  /** True when `signal` (the run's) stopped the command. */
  aborted: boolean;
}

export interface ExecuteCommandOptions {
  cwd: string;
  signal: AbortSignal;
  /** How much of the end of the output to keep (bytes); 4 KiB unless said otherwise. */
  tailBytes?: number;
  /** After SIGTERM, how long the command gets before SIGKILL (ms). */
  killGraceMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Run `command` with `/bin/sh -c` in its own process group, keeping the tail of its output. When
 * `signal` fires, the whole group gets SIGTERM (and SIGKILL after a grace period), so a pipeline or
 * a script's children stop too.
 */
export function executeCommand(command: string, options: ExecuteCommandOptions): Promise<CommandOutcome> {
  const tailBytes = options.tailBytes ?? 4096;
  return new Promise((resolve, reject) => {
    if (options.signal.aborted) {
      resolve({ exitCode: null, signal: null, tail: '', aborted: true });
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
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // The group is already gone.
      }
    };
    const onAbort = () => {
      aborted = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 5000);
      killTimer.unref();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      options.signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      options.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      const text = tail.subarray(Math.max(0, tail.length - tailBytes)).toString('utf8');
      resolve({ exitCode, signal, tail: text.replace(/^\uFFFD/, ''), aborted });
    });
  });
}

/** `exit 0: last line of output` — a command's outcome as one line for the diary or the queue. */
export function describeOutcome(outcome: CommandOutcome, maxChars = 300): string {
  const status = outcome.exitCode !== null ? `exit ${outcome.exitCode}` : `killed by ${outcome.signal ?? 'signal'}`;
  const output = outcome.tail.replace(/\s+/g, ' ').trim();
  if (output === '') return status;
  const clipped = output.length > maxChars ? `…${output.slice(output.length - maxChars + 1)}` : output;
  return `${status}: ${clipped}`;
}
