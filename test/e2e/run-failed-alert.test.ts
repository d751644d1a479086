import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, makeHome, runCli, startCli, waitForOutput, writeFile } from '../helpers/cli.js';

/**
 * `backup [ms]`: fails with "backup disk unreachable" while `fail` exists in the workspace, else
 * succeeds; sleeps `ms` first (announcing it), stopping when its signal fires.
 */
const BACKUP = `
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Task } from 'taskrunner';
export default class Backup extends Task {
  name = 'backup';
  description = 'Fails while the workspace holds a file named fail';
  arguments = [{ name: 'ms' }];
  async run(ctx) {
    if (ctx.args[0]) {
      process.stderr.write('BACKUP STARTED\\n');
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, Number(ctx.args[0]));
        ctx.signal.addEventListener('abort', () => { clearTimeout(timer); reject(ctx.signal.reason); });
      });
    }
    if (existsSync(path.join(ctx.paths.workspace, 'fail'))) throw new Error('backup disk unreachable');
    return { success: true, message: 'backed up' };
  }
}
`;

function backupHome(config: object = { retry: { attempts: 1 } }) {
  const { home, workspace } = makeHome('taskrunner-run-failed-');
  writeFile(home, 'tasks/backup.mjs', BACKUP);
  writeFile(home, 'runner.config.json', JSON.stringify(config));
  const file = path.join(home, 'alerts', 'pending.json');
  const args = ['--home', home, '--workspace', workspace];
  return {
    home,
    workspace,
    args,
    failing: (on: boolean) => (on ? writeFileSync(path.join(workspace, 'fail'), '') : rmSync(path.join(workspace, 'fail'), { force: true })),
    scheduled: (...extra: string[]) => runCli(['backup', ...extra, '--skip-if-running', ...args]),
    pending: () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>[]) : []),
  };
}

describe('a scheduled run that fails raises one alert until the task succeeds', () => {
  it('two failing scheduled runs leave one error alert naming the task and the error; a success resolves it', async () => {
    const h = backupHome();
    h.failing(true);
    const first = await h.scheduled();
    expect(first.code).toBe(1);
    const [alert] = h.pending();
    expect(alert).toMatchObject({ task: 'backup', level: 'error', key: 'run-failed:backup', message: 'scheduled run of backup failed: backup disk unreachable' });
    expect((await h.scheduled()).code).toBe(1);
    expect(h.pending()).toEqual([{ ...alert, timestamp: expect.any(String) }]);

    h.failing(false);
    expect((await h.scheduled()).code).toBe(0);
    expect(h.pending()).toEqual([]);
    const heartbeat = await runCli(['heartbeat', ...h.args]);
    expect(heartbeat.stdout.trim()).toBe('HEARTBEAT_OK');
  });

  it('says how many attempts failed when there were several', async () => {
    const h = backupHome({ retry: { attempts: 3, minTimeoutMs: 10, maxTimeoutMs: 10 } });
    h.failing(true);
    expect((await h.scheduled()).code).toBe(1);
    expect(h.pending()).toEqual([expect.objectContaining({ message: 'scheduled run of backup failed after 3 attempts: backup disk unreachable' })]);
  });

  it('a scheduled run that times out raises it too', async () => {
    const h = backupHome();
    expect((await h.scheduled('30000', '--timeout', '300ms')).code).toBe(1);
    expect(h.pending()).toEqual([expect.objectContaining({ key: 'run-failed:backup', level: 'error', message: 'scheduled run of backup timed out after 300ms' })]);
  });

  it('a run by hand, a dry run, a run that finds the task running and a run stopped by SIGTERM raise nothing', async () => {
    const h = backupHome();
    h.failing(true);
    expect((await runCli(['backup', ...h.args])).code).toBe(1);
    expect((await h.scheduled('--dry-run')).code).toBe(1);
    expect(h.pending()).toEqual([]);

    const holder = startCli(['backup', '30000', ...h.args]);
    await waitForOutput(holder, /BACKUP STARTED/);
    const locked = await h.scheduled();
    expect(locked.code).toBe(0);
    expect(locked.stdout).toContain('skipped: already running');
    holder.kill('SIGTERM');
    await collect(holder);

    const cancelled = startCli(['backup', '30000', '--skip-if-running', ...h.args]);
    await waitForOutput(cancelled, /BACKUP STARTED/);
    cancelled.kill('SIGTERM');
    expect((await collect(cancelled)).code).toBe(143);
    expect(h.pending()).toEqual([]);
  });

  it('a batch run on a schedule raises it for the task a queue entry runs', async () => {
    const h = backupHome();
    h.failing(true);
    const queue = [{ id: 'nightly', task: 'Nightly backup', status: 'pending', added: '2026-01-01T00:00:00Z', run: 'backup', max_attempts: 1 }];
    writeFileSync(path.join(h.workspace, 'batch-tasks.json'), JSON.stringify(queue), { mode: 0o644 });
    // What `runner cron --install batch` puts in a cron line.
    await runCli(['run', 'batch', '--skip-if-running', ...h.args]);
    expect(h.pending()).toContainEqual(
      expect.objectContaining({ task: 'backup', key: 'run-failed:backup', message: 'scheduled run of backup failed: backup disk unreachable' }),
    );
  });
});
