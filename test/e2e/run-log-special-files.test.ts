import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUICK } from '../fixtures/tasks.js';
import { collect, makeHome, startCli, writeFile, type CliResult } from '../helpers/cli.js';

/**
 * A CLI that would wait for ever (the bug) is killed at the deadline, so the test reports it
 * instead of hanging; the assertions are on how the process ended, not on how long it took.
 */
async function runWithDeadline(args: readonly string[], deadlineMs = 30_000): Promise<CliResult> {
  const child = startCli(args);
  const deadline = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  try {
    return await collect(child);
  } finally {
    clearTimeout(deadline);
  }
}

function homeWithQuick() {
  const { home, workspace } = makeHome('taskrunner-log-special-');
  writeFile(home, 'tasks/quick.mjs', QUICK);
  const logs = path.join(home, 'logs');
  mkdirSync(logs);
  return { home, workspace, logs, log: path.join(logs, 'tasks.jsonl'), args: ['--home', home, '--workspace', workspace] };
}

describe('the run log must be a regular file', () => {
  it('a run whose log is a FIFO exits 1 at once naming it (the append would wait for a reader for ever), and leaves no lock', async () => {
    const h = homeWithQuick();
    execFileSync('mkfifo', [h.log]);
    const first = await runWithDeadline(['quick', ...h.args]);
    expect(first.signal).toBeNull();
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`refusing to write ${h.log}: a FIFO (named pipe), not a regular file`);
    // The lock was released: the next run is refused the same way, not locked out.
    const second = await runWithDeadline(['quick', ...h.args]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`refusing to write ${h.log}: a FIFO`);
  }, 70_000);

  it('a run whose log is a link to a device is refused too (its record would vanish)', async () => {
    const h = homeWithQuick();
    symlinkSync('/dev/null', h.log);
    const result = await runWithDeadline(['quick', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`refusing to write ${h.log}: a character device, not a regular file`);
  });

  it('runner status, logs and logs --follow fail at once naming a FIFO log, live or rotated', async () => {
    const h = homeWithQuick();
    execFileSync('mkfifo', [h.log]);
    for (const command of [['status'], ['logs'], ['logs', '--follow']]) {
      const result = await runWithDeadline([...command, ...h.args]);
      expect(result.signal, command.join(' ')).toBeNull();
      expect(result.code, command.join(' ')).toBe(1);
      expect(result.stderr).toContain(`refusing to read ${h.log}: a FIFO (named pipe), not a regular file`);
    }

    const rotated = homeWithQuick();
    expect((await runWithDeadline(['quick', ...rotated.args])).code).toBe(0);
    execFileSync('mkfifo', [`${rotated.log}.2`]);
    for (const command of [['status'], ['logs']]) {
      const result = await runWithDeadline([...command, ...rotated.args]);
      expect(result.code, command.join(' ')).toBe(1);
      expect(result.stderr).toContain(`refusing to read ${rotated.log}.2: a FIFO (named pipe), not a regular file`);
    }
  }, 120_000);

  it('a rotation shifts past a FIFO among the rotated files without opening it', async () => {
    const h = homeWithQuick();
    writeFile(h.home, 'runner.config.json', JSON.stringify({ logs: { maxBytes: 1, keep: 3 } }));
    writeFileSync(h.log, '{"task":"quick","timestamp":"2026-01-01T00:00:00+00:00","success":true}\n');
    execFileSync('mkfifo', [`${h.log}.1`]);
    const result = await runWithDeadline(['quick', ...h.args]);
    expect(result.code).toBe(0);
    expect(readFileSync(h.log, 'utf8')).toContain('"task":"quick"');
    expect(readFileSync(`${h.log}.1`, 'utf8')).toContain('2026-01-01');
  });

  it('runner doctor names a FIFO at logs/cron.log, where every scheduled run would wait for a reader', async () => {
    const h = homeWithQuick();
    const cronLog = path.join(h.logs, 'cron.log');
    execFileSync('mkfifo', [cronLog]);
    const result = await runWithDeadline(['doctor', '--json', ...h.args]);
    expect(result.code).toBe(1);
    const items = (JSON.parse(result.stdout) as { items: { name: string; state: string; where?: string; detail: string }[] }).items;
    expect(items.find((item) => item.name === 'logs')).toEqual({
      name: 'logs',
      state: 'problem',
      where: cronLog,
      detail: 'is a FIFO (named pipe): scheduled runs cannot append their output to it',
    });
  });
});
