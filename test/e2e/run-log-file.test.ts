import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FATAL, QUICK } from '../fixtures/tasks.js';
import { collect, makeHome, startCli, writeFile, type CliResult } from '../helpers/cli.js';

function homeWith(tasks: Record<string, string>) {
  const { home, workspace } = makeHome('taskrunner-log-file-');
  for (const [name, source] of Object.entries(tasks)) writeFile(home, `tasks/${name}.mjs`, source);
  return { home, workspace, args: ['--home', home, '--workspace', workspace] };
}

/** Run the CLI, killing it at a deadline so a run that would block for ever is reported, not hung. */
async function run(args: readonly string[]): Promise<CliResult> {
  const child = startCli(args);
  const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    return await collect(child);
  } finally {
    clearTimeout(deadline);
  }
}

describe('runner run <task> --log-file FILE', () => {
  it('appends the log lines to the file (made with its folder) and prints only the one-line summary of a failure', async () => {
    const h = homeWith({ fatal: FATAL });
    const logFile = path.join(h.home, 'logs', 'deep', 'cron.log');
    const plain = await run(['run', 'fatal', ...h.args]);
    // Without it the log line is on stderr too.
    expect(plain.stderr).toContain('attempt 1 failed: configuration is wrong');

    const result = await run(['run', 'fatal', '--log-file', logFile, ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^✗ fatal failed: configuration is wrong \([\d.]+s\)\n$/);
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ level: 40, task: 'fatal', msg: 'attempt 1 failed: configuration is wrong (not retried)' })]);

    // Appended, not replaced.
    await run(['run', 'fatal', '--log-file', logFile, ...h.args]);
    expect(readFileSync(logFile, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('prints the success line on stdout, alone', async () => {
    const h = homeWith({ quick: QUICK });
    const logFile = path.join(h.home, 'run.log');
    const result = await run(['quick', '--log-file', logFile, ...h.args]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^✓ quick: done \([\d.]+s\)\n$/);
  });

  it('refuses a FIFO at once, naming it, and runs nothing', async () => {
    const h = homeWith({ quick: QUICK });
    const fifo = path.join(h.home, 'fifo.log');
    execFileSync('mkfifo', [fifo]);
    const result = await run(['quick', '--log-file', fifo, ...h.args]);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--log-file: refusing to write ${fifo}: a FIFO (named pipe), not a regular file`);
    expect(existsSync(path.join(h.home, 'logs', 'tasks.jsonl'))).toBe(false);
  });
});
