import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import { readRecords, runCli } from '../helpers/cli.js';
import { describeOnServers, makeQueueHome, readMarks, startWorkerProcess } from './helpers.js';

await describeOnServers('runner schedule', (suite) => {
  const { kind, prefix } = suite;

  it('a schedule every second with 3 workers for 5 s runs about 5 times, not 15', async () => {
    const file = suite.tempFile('ticks.txt');
    const homes = [0, 1, 2].map(() => makeQueueHome(kind, prefix));
    suite.track(...(await Promise.all(homes.map(({ home }) => startWorkerProcess(home, ['--tasks', 'ta'])))));
    const began = Date.now();
    const added = await runCli(['schedule', 'add', 'ta', file, '5', 'tick', '--cron', '* * * * * *', '--home', homes[0]!.home]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = /^added (ta@\*_\*_\*_\*_\*_\*#[0-9a-f]{8}) \(ta, next run /.exec(added.stdout)?.[1];
    expect(id, added.stdout).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const removed = await runCli(['schedule', 'remove', id!, '--home', homes[1]!.home]);
    expect(removed.code).toBe(0);
    const seconds = (Date.now() - began) / 1000;
    // Let a tick that was already running finish.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ends = readMarks(file).filter((mark) => mark.kind === 'end');
    expect(ends.length).toBeGreaterThanOrEqual(3);
    // About one a second while the schedule existed (adding and removing it take a moment on a
    // busy machine), not one per worker.
    expect(ends.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    // No two runs of one tick: as many runs as the scheduler made jobs, each completed once.
    const queue = suite.connection.queue(taskQueueName('ta'));
    const { completed } = await queue.getJobCounts('completed');
    await queue.close();
    expect(ends.length).toBe(completed);
    // Each tick's run says a scheduler started it, on whichever host ran it.
    const records = homes.flatMap(({ home }) => {
      const log = path.join(home, 'logs', 'tasks.jsonl');
      return existsSync(log) ? readRecords(readFileSync(log, 'utf8')) : [];
    });
    expect(records.filter((record) => record.success === true).length).toBe(completed);
    expect(records.every((record) => record.task === 'ta' && record.scheduled === true)).toBe(true);
  });

  it('schedule list and remove; a bad cron expression is refused naming --cron', async () => {
    const { home } = makeQueueHome(kind, prefix);
    expect((await runCli(['schedule', 'add', 'tb', '/dev/null', '--cron', '0 3 * * *', '--tz', 'Europe/Berlin', '--id', 'nightly', '--home', home])).code).toBe(0);
    const listed = await runCli(['schedule', 'list', '--json', '--home', home]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: 'nightly', task: 'tb', cron: '0 3 * * *', tz: 'Europe/Berlin', args: ['/dev/null'] })]);
    const bad = await runCli(['schedule', 'add', 'tb', '--cron', '61 * * * *', '--home', home]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--cron/);
    const badZone = await runCli(['schedule', 'add', 'tb', '--cron', '0 3 * * *', '--tz', 'Mars/Olympus', '--home', home]);
    expect(badZone.stderr).toMatch(/--tz/);
    expect((await runCli(['schedule', 'remove', 'nightly', '--home', home])).code).toBe(0);
    const missing = await runCli(['schedule', 'remove', 'nightly', '--home', home]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no schedule with id "nightly"/);
    expect((await runCli(['schedule', 'list', '--home', home])).stdout).toBe('no schedules\n');
  });

  it('the default id holds the arguments: other arguments make another schedule, the same ones again say "replaced"', async () => {
    const { home } = makeQueueHome(kind, prefix);
    const add = (args: string[]) => runCli(['schedule', 'add', 'tc', ...args, '--cron', '0 4 * * *', '--home', home]);
    const first = await add(['/tmp/a']);
    expect(first.code, first.stderr).toBe(0);
    const firstId = /^added (tc@0_4_\*_\*_\*#[0-9a-f]{8}) \(tc, next run /.exec(first.stdout)?.[1];
    expect(firstId, first.stdout).toBeDefined();
    const second = await add(['/tmp/b']);
    expect(second.stdout).toMatch(/^added tc@0_4_\*_\*_\*#[0-9a-f]{8} \(tc, /);
    expect(second.stdout).not.toContain(firstId!);
    const again = await add(['/tmp/a']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^replaced ${firstId!.replace(/[*]/g, '\\*')} \\(tc, next run `));
    const againJson = await runCli(['schedule', 'add', 'tc', '/tmp/a', '--cron', '0 4 * * *', '--json', '--home', home]);
    expect(JSON.parse(againJson.stdout)).toMatchObject({ id: firstId, task: 'tc', replaced: true });
    const listed = JSON.parse((await runCli(['schedule', 'list', '--json', '--home', home])).stdout) as { task: string; args: string[] }[];
    expect(listed.filter((schedule) => schedule.task === 'tc').map((schedule) => schedule.args).sort()).toEqual([['/tmp/a'], ['/tmp/b']]);
  });

  it('a schedule id is unique across tasks: a second task is refused naming the task that has it', async () => {
    const { home } = makeQueueHome(kind, prefix);
    expect((await runCli(['schedule', 'add', 'td', '/dev/null', '--cron', '0 5 * * *', '--id', 'backup', '--home', home])).code).toBe(0);
    const clash = await runCli(['schedule', 'add', 'te', '/dev/null', '--cron', '0 6 * * *', '--id', 'backup', '--home', home]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/--id: "backup" is already the id of a schedule of task td/);
    const listed = JSON.parse((await runCli(['schedule', 'list', '--json', '--home', home])).stdout) as { id: string; task: string }[];
    expect(listed.filter((schedule) => schedule.id === 'backup')).toEqual([expect.objectContaining({ task: 'td', cron: '0 5 * * *' })]);
    // The same id on the same task is a replacement, as without --id.
    const replaced = await runCli(['schedule', 'add', 'td', '/dev/null', '--cron', '0 7 * * *', '--id', 'backup', '--home', home]);
    expect(replaced.stdout).toMatch(/^replaced backup \(td, /);
    expect((await runCli(['schedule', 'remove', 'backup', '--home', home])).stdout).toBe('removed backup (td)\n');
    const gone = JSON.parse((await runCli(['schedule', 'list', '--json', '--home', home])).stdout) as { id: string }[];
    expect(gone.map((schedule) => schedule.id)).not.toContain('backup');
  });

  it('--dry-run of schedule add is refused, naming the explicit form; the task\'s --dry-run after -- makes a schedule of dry runs', async () => {
    const { home } = makeQueueHome(kind, prefix);
    const refused = await runCli(['schedule', 'add', 'ta', '/dev/null', '--cron', '0 8 * * *', '--dry-run', '--home', home]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--dry-run: `schedule add` has no preview, it installs the schedule');
    expect(refused.stderr).toContain('-- --dry-run');
    const before = JSON.parse((await runCli(['schedule', 'list', '--json', '--home', home])).stdout) as { task: string; cron: string }[];
    expect(before.filter((schedule) => schedule.cron === '0 8 * * *')).toEqual([]);
    const dry = await runCli(['schedule', 'add', 'ta', '/dev/null', '--cron', '0 8 * * *', '--home', home, '--', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    const after = JSON.parse((await runCli(['schedule', 'list', '--json', '--home', home])).stdout) as { cron: string; args: string[] }[];
    expect(after.filter((schedule) => schedule.cron === '0 8 * * *').map((schedule) => schedule.args)).toEqual([['/dev/null', '--dry-run']]);
  });
}, { connection: true });
