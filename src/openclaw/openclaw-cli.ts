import { execFile } from 'node:child_process';

/**
 * The one way the runner calls the `openclaw` CLI (`cron list`, `cron add`, `system event`, …):
 * no shell, a time limit, and an outcome that tells apart the cases callers report differently —
 * no `openclaw` on PATH, a non-zero exit, a hang — instead of one thrown error for all of them.
 */

/** How an `openclaw` call ended. */
export type OpenClawOutcome =
  | { kind: 'ok'; stdout: string; stderr: string }
  /** No `openclaw` executable on PATH (or at `$OPENCLAW_BIN`). */
  | { kind: 'missing'; command: string }
  /** It ran and exited non-zero (or was killed by a signal other than ours). */
  | { kind: 'failed'; exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
  /** It did not finish within `timeoutMs` and was killed. */
  | { kind: 'timedOut'; timeoutMs: number };

export interface OpenClawCallOptions {
  /** Kill the call after this long (ms). Each call takes 2.5-4 s on a real gateway. */
  timeoutMs: number;
  /** Environment of the call; the runner's own by default. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** The executable to run: `$OPENCLAW_BIN` when set (a non-standard install), else `openclaw` from PATH. */
export function openClawCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPENCLAW_BIN || 'openclaw';
}

/** Run `openclaw <args...>` and resolve to how it ended; never rejects. */
export function runOpenClaw(args: readonly string[], options: OpenClawCallOptions): Promise<OpenClawOutcome> {
  const env = options.env ?? process.env;
  const command = openClawCommand(env);
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, signal: options.signal, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ kind: 'ok', stdout, stderr });
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number | null; signal?: NodeJS.Signals | null };
        if (failure.code === 'ENOENT') return resolve({ kind: 'missing', command });
        if (failure.killed && failure.signal === 'SIGKILL' && !options.signal?.aborted) {
          return resolve({ kind: 'timedOut', timeoutMs: options.timeoutMs });
        }
        const exitCode = typeof failure.code === 'number' ? failure.code : null;
        resolve({ kind: 'failed', exitCode, signal: failure.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** One line saying why a call did not succeed, for a check's reason or a log line. */
export function describeOpenClawFailure(outcome: Exclude<OpenClawOutcome, { kind: 'ok' }>, what: string): string {
  switch (outcome.kind) {
    case 'missing':
      return `${what}: no ${outcome.command} on PATH`;
    case 'timedOut':
      return `${what}: no answer within ${outcome.timeoutMs} ms`;
    case 'failed': {
      const status = outcome.exitCode === null ? `killed by ${outcome.signal ?? 'a signal'}` : `exit ${outcome.exitCode}`;
      const detail = (outcome.stderr.trim() || outcome.stdout.trim()).split('\n').filter(Boolean).pop();
      return `${what}: ${status}${detail ? `: ${detail.slice(0, 300)}` : ''}`;
    }
  }
}
