import { execFile } from 'node:child_process';
import { RunnerError } from '../shared/errors.js';

/**
 * Reading and writing the user's crontab through `crontab -l` and `crontab -`, the only supported
 * way (the spool file is the daemon's). `$RUNNER_CRONTAB_BIN` names another executable, which
 * tests use so they never touch the real table.
 */

const CALL_TIMEOUT_MS = 30_000;

/** The crontab executable: `$RUNNER_CRONTAB_BIN`, else `crontab` from PATH. */
export function crontabCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNNER_CRONTAB_BIN || 'crontab';
}

/** The current table; an empty string when the user has none (`crontab -l` exits 1 with "no crontab for …"). */
export async function readCrontab(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const result = await call(['-l'], undefined, env);
  if (result.code === 0) return result.stdout;
  if (/no crontab/i.test(result.stderr)) return '';
  throw failure('crontab -l', result, env);
}

/** Replace the whole table with `table`. */
export async function writeCrontab(table: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const result = await call(['-'], table, env);
  if (result.code !== 0) throw failure('crontab -', result, env);
}

interface CallResult { code: number | null; stdout: string; stderr: string }

function call(args: string[], input: string | undefined, env: NodeJS.ProcessEnv): Promise<CallResult> {
  const command = crontabCommand(env);
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { env, timeout: CALL_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      const errno = error as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (errno?.code === 'ENOENT') {
        reject(new RunnerError('schedule.installFailed', `no ${command} command on this machine: install cron (e.g. apt-get install cron) or use --install openclaw`));
        return;
      }
      resolve({ code: error ? (typeof errno?.code === 'number' ? errno.code : null) : 0, stdout, stderr });
    });
    // A crontab that exits before reading its input is reported by its exit code, not as EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

function failure(what: string, result: CallResult, env: NodeJS.ProcessEnv): RunnerError {
  const status = result.code === null ? 'was killed' : `exited ${result.code}`;
  const detail = result.stderr.trim().split('\n').filter(Boolean).pop();
  return new RunnerError('schedule.installFailed', `${what.replace('crontab', crontabCommand(env))} ${status}${detail ? `: ${detail}` : ''}`);
}
