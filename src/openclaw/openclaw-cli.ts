import { execFile } from 'node:child_process';
import { nodeTooOld, resolveOpenClaw, type NodeTooOld, type OpenClawLaunch } from './openclaw-launch.js';

/**
 * The one way the runner calls the `openclaw` CLI (`cron list`, `cron add`, `system event`, …):
 * no shell, a time limit, the `openclaw` and the Node that src/openclaw/openclaw-launch.ts chooses,
 * and an outcome that tells apart the cases callers report differently — no `openclaw`, a non-zero
 * exit, a hang — instead of one thrown error for all of them.
 */

/** How an `openclaw` call ended. */
export type OpenClawOutcome =
  | { kind: 'ok'; stdout: string; stderr: string }
  /** No `openclaw` executable: not on PATH, not at `$OPENCLAW_BIN`, not where install recorded it (`reason` says which). */
  | { kind: 'missing'; command: string; reason?: string }
  /** The runner's record of the install cannot be used: `reason` names the file and what is wrong. */
  | { kind: 'unusable'; reason: string }
  /**
   * It ran and exited non-zero (or was killed by a signal other than ours). `nodeTooOld` when the
   * Node it ran under does not meet its package.json's `engines.node`.
   */
  | { kind: 'failed'; exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; nodeTooOld?: NodeTooOld }
  /** It did not finish within `timeoutMs` and was killed. */
  | { kind: 'timedOut'; timeoutMs: number };

export interface OpenClawCallOptions {
  /** Kill the call after this long (ms). Each call takes 2.5-4 s on a real gateway. */
  timeoutMs: number;
  /** Environment of the call; the runner's own by default. */
  env?: NodeJS.ProcessEnv;
  /** The runner home whose install record (`.runner/openclaw.json`) says where `openclaw` and its Node are. */
  home?: string;
  signal?: AbortSignal;
}

/** Run `openclaw <args...>` and resolve to how it ended; never rejects. */
export async function runOpenClaw(args: readonly string[], options: OpenClawCallOptions): Promise<OpenClawOutcome> {
  const env = options.env ?? process.env;
  const resolution = await resolveOpenClaw(env, options.home);
  if (resolution.kind !== 'found') return resolution;
  const { launch } = resolution;
  const outcome = await execute(launch, args, env, options);
  if (outcome.kind !== 'failed') return outcome;
  const tooOld = await nodeTooOld(launch, env);
  return tooOld === undefined ? outcome : { ...outcome, nodeTooOld: tooOld };
}

function execute(launch: OpenClawLaunch, args: readonly string[], env: NodeJS.ProcessEnv, options: OpenClawCallOptions): Promise<OpenClawOutcome> {
  return new Promise((resolve) => {
    execFile(
      launch.file,
      [...launch.prefix, ...args],
      { env, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, signal: options.signal, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ kind: 'ok', stdout, stderr });
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number | null; signal?: NodeJS.Signals | null };
        // Gone between finding it and starting it (or a broken shebang).
        if (failure.code === 'ENOENT') return resolve({ kind: 'missing', command: launch.file, reason: `${launch.file} cannot be started (ENOENT)` });
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
      return `${what}: ${outcome.reason ?? `no ${outcome.command} on PATH`}`;
    case 'unusable':
      return `${what}: ${outcome.reason}`;
    case 'timedOut':
      return `${what}: no answer within ${outcome.timeoutMs} ms`;
    case 'failed': {
      const status = outcome.exitCode === null ? `killed by ${outcome.signal ?? 'a signal'}` : `exit ${outcome.exitCode}`;
      if (outcome.nodeTooOld) {
        const { engines, version, node } = outcome.nodeTooOld;
        return `${what}: ${status}: openclaw needs Node ${engines} (its package.json); it ran under Node ${version} (${node})`;
      }
      const detail = firstMeaningfulLine(outcome.stderr) ?? firstMeaningfulLine(outcome.stdout);
      return `${what}: ${status}${detail ? `: ${detail.slice(0, 300)}` : ''}`;
    }
  }
}

/**
 * The line that says what went wrong: the first one with words in it. OpenClaw puts the reason
 * first and the advice after it ("Gateway not reachable at ws://… (ECONNREFUSED)." then "Start it
 * with …", "Config: …"); Node's own warnings and colour codes are not the reason.
 */
function firstMeaningfulLine(text: string): string | undefined {
  for (const raw of text.split('\n')) {
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').trim();
    if (!/[A-Za-z0-9]/.test(line)) continue;
    if (/^\(node:\d+\) (\[\w+\] )?\w*Warning\b/.test(line) || /^\(Use `node --trace-/.test(line)) continue;
    return line;
  }
  return undefined;
}
