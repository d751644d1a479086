import { randomUUID } from 'node:crypto';
import { makeHome, writeFile } from '../helpers/cli.js';
import { minutesAgo, queueEntry, writeAlerts, writeBatchQueue, writeDiary, writeRunLog, type SeededHome } from './helpers.js';

/**
 * The home the screenshots of docs/dashboard.md show (`npm run screenshots`): an agent's runner
 * after two days of cron, with the example task of docs/writing-tasks.md, a backup that has started failing, the built-in
 * tasks on their schedules, a disk that filled up for a while, alerts waiting for the heartbeat,
 * and a batch queue at work. Built with the dashboard tests' helpers; nothing in it is asserted.
 */
export function demoHome(): SeededHome {
  const { home, workspace } = makeHome('agent-runner-');
  writeFile(home, 'tasks/disk_report.ts', DISK_REPORT);
  writeFile(home, 'tasks/backup_workspace.ts', BACKUP);

  const runs: { endsAt: number; record: Record<string, unknown> }[] = [];
  /** A run of `task` that started `minutes` ago and took `seconds`, as the runner records it. */
  const run = (task: string, minutes: number, seconds: number, outcome: Record<string, unknown>) => {
    const record = { task, dry_run: false, timestamp: minutesAgo(minutes), ...outcome, duration_seconds: Math.round(seconds * 1000) / 1000, run_id: randomUUID(), attempts: outcome.success === true ? 1 : 2, scheduled: true };
    if (outcome.success !== true) Object.assign(record, { retry_attempts: 1, all_attempts_failed: true });
    runs.push({ endsAt: -minutes * 60 + seconds, record });
  };

  const HOURS = 48;
  for (let hour = HOURS; hour >= 1; hour--) {
    // Free space falls over the day and recovers after the nightly clean-up, until a model download
    // took most of it three hours ago.
    const free = hour <= 3 ? 14 : 62 - ((HOURS - hour) % 24) * 1.6;
    run('disk_report', hour * 60, 0.01 + (hour % 5) * 0.004, { success: true, message: `${Math.round(free)}% free`, free_percent: Math.round(free) });
    run('memory_capture', hour * 60 - 5, 0.3 + (hour % 7) * 0.05, { success: true, message: `captured ${hour % 4} note(s) into memory/` });
  }
  for (let quarter = 12 * 4; quarter >= 0; quarter--) {
    const minutes = quarter * 15 + 2;
    // The disk has been over 85% for three hours (a warning, still pending); the gateway restarted once.
    const disk = quarter < 12 ? 'warning' : 'healthy';
    const gateway = quarter === 38 ? 'unhealthy' : 'healthy';
    const status = gateway === 'unhealthy' ? 'unhealthy' : disk;
    run('system_health', minutes, 0.15 + (quarter % 3) * 0.05, {
      success: true,
      message: status === 'healthy' ? 'healthy: gateway, disk and cron' : gateway === 'unhealthy' ? 'unhealthy: gateway not answering' : 'warning: disk 86% used',
      status,
      checks: {
        gateway: { status: gateway, summary: gateway === 'healthy' ? 'live at http://127.0.0.1:18789/health' : 'no answer from http://127.0.0.1:18789/health within 5s' },
        disk: { status: disk, summary: `/ is ${disk === 'healthy' ? 64 : 86}% used` },
        cron: { status: 'healthy', summary: '4 jobs, none failing' },
      },
    });
  }
  for (let day = 6; day >= 0; day--) {
    const failed = day <= 1;
    run('backup_workspace', day * 360 + 75, failed ? 30.2 : 41 + day * 1.5, failed
      ? { success: false, error: 'rsync: connect to host backup.lan (192.168.1.20) port 22: Connection refused', error_type: 'Error' }
      : { success: true, message: `backed up ${1180 + day * 3} files (${(212 - day * 1.3).toFixed(1)} MB)` });
  }
  run('memory_consolidate', 26 * 60, 3.4, { success: true, message: 'merged 12 notes, pruned 64 entries' });
  run('batch', 95, 184, { success: true, message: '2 of 2 entries done; work blocks 1141-1142' });
  // Appended when each run ended.
  const records = runs.sort((a, b) => a.endsAt - b.endsAt).map((entry) => entry.record);
  writeRunLog(home, records);

  const alerts = [
    // Keyed: raised three hours ago, refreshed by every check since.
    { id: '5c1d0e2f9a01', task: 'system_health', timestamp: minutesAgo(2), level: 'warning', message: 'disk warning: / is 86% used', key: 'system_health:disk' },
    { id: '5c1d0e2f9a02', task: 'backup_workspace', timestamp: minutesAgo(62), level: 'error', message: 'backup_workspace failed: rsync: connect to host backup.lan (192.168.1.20) port 22: Connection refused', key: 'run-failed:backup_workspace' },
    { id: '5c1d0e2f9a03', task: 'memory_consolidate', timestamp: minutesAgo(26 * 60), level: 'info', message: 'memory consolidated: merged 12 notes, pruned 64 entries' },
  ];
  writeAlerts(home, alerts);

  writeBatchQueue(workspace, [
    queueEntry('b0001141', 'Summarise yesterday\'s support threads', { status: 'complete', completed: minutesAgo(93), result: 'memory/2026-support.md', priority: 'high' }),
    queueEntry('b0001142', 'Refresh the FAQ from the summary', { status: 'complete', completed: minutesAgo(90), depends_on: ['b0001141'] }),
    queueEntry('b0001143', 'Draft the weekly status note', { priority: 'high' }),
    queueEntry('b0001144', 'Post the status note to the team channel', { depends_on: ['b0001143'] }),
    queueEntry('b0001145', 'Re-index the knowledge base', { run: 'memory_consolidate' }),
    queueEntry('b0001146', 'Mirror the workspace to the backup host', { status: 'failed', attempts: 3, max_attempts: 3, error: 'backup_workspace: Connection refused', priority: 'low' }),
    queueEntry('b0001147', 'Prune backups older than 30 days', { depends_on: ['b0001146'] }),
  ]);
  const at = (minutes: number) => minutesAgo(minutes).slice(0, 16).concat('Z');
  writeDiary(workspace, [
    { number: 1141, time: at(93), task: "Summarise yesterday's support threads", result: 'memory/2026-support.md (14 threads, 3 open)', insight: 'Two questions came up five times: the FAQ is out of date', next: 'Refresh the FAQ' },
    { number: 1142, time: at(90), task: 'Refresh the FAQ from the summary', result: 'FAQ.md: 2 answers added, 1 rewritten', insight: 'Short answers with a command get fewer follow-ups', next: 'Draft the weekly status note' },
  ]);
  return { home, workspace, args: ['--home', home, '--workspace', workspace], records, alerts };
}

/** The example task of docs/writing-tasks.md. */
const DISK_REPORT = `import { statfs } from 'node:fs/promises';
import { Task, type TaskContext } from 'taskrunner';

interface Options { minFree: string }

export default class DiskReport extends Task<Options> {
  name = 'disk_report';
  description = 'Writes free disk space to the workspace';
  override options = [{ flags: '--min-free <percent>', description: 'alert below this', default: '10' }];
  override defaults = { timeout: '30s', attempts: 2, schedule: '0 * * * *' };

  async run(ctx: TaskContext<Options>) {
    const fs = await statfs(ctx.paths.workspace);
    const freePercent = Math.round((fs.bavail / fs.blocks) * 100);
    await ctx.updateJson('disk.json', (history: number[] = []) => [...history, freePercent], { backup: true });
    if (freePercent < Number(ctx.options.minFree)) await ctx.alert(\`only \${freePercent}% disk free\`, 'warning');
    return { success: true, message: \`\${freePercent}% free\`, free_percent: freePercent };
  }
}
`;

/** A nightly-ish backup whose host has stopped answering; from the page it runs dry. */
const BACKUP = `import { Task, type TaskContext } from 'taskrunner';

export default class BackupWorkspace extends Task {
  name = 'backup_workspace';
  description = 'Mirrors the workspace to the backup host (rsync over ssh)';
  override defaults = { timeout: '10m', attempts: 2, schedule: '15 */6 * * *' };

  async run(ctx: TaskContext) {
    if (ctx.dryRun) return { success: true, message: 'would back up 1182 files (211.4 MB) to backup.lan' };
    throw new Error('rsync: connect to host backup.lan (192.168.1.20) port 22: Connection refused');
  }
}
`;
