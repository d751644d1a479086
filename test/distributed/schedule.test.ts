import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/distributed/backend.js';
import type { QueueConnection } from '../../src/distributed/connection.js';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import { runCli } from '../helpers/cli.js';
import { dropPrefix, makeQueueHome, openTestConnection, readMarks, serverProblem, startWorkerProcess, uniquePrefix } from './helpers.js';

for (const kind of ['redis', 'postgres'] as BackendKind[]) {
  const problem = await serverProblem(kind);
  describe.skipIf(problem !== undefined)(`runner schedule on ${kind}`, () => {
    const prefix = uniquePrefix(`schedule_${kind}`);
    let connection: QueueConnection;
    const children: ChildProcess[] = [];
    const marksDir = mkdtempSync(path.join(tmpdir(), 'taskrunner-marks-'));

    beforeAll(async () => {
      connection = await openTestConnection(kind, prefix);
    });
    afterEach(() => {
      for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    afterAll(async () => {
      await dropPrefix(connection);
      await connection.close();
    });

    it('a schedule every second with 3 workers for 5 s runs about 5 times, not 15', async () => {
      const file = path.join(marksDir, 'ticks.txt');
      const homes = [0, 1, 2].map(() => makeQueueHome(kind, prefix));
      children.push(...(await Promise.all(homes.map(({ home }) => startWorkerProcess(home, ['--tasks', 'ta'])))));
      const began = Date.now();
      const added = await runCli(['schedule', 'add', 'ta', file, '5', 'tick', '--cron', '* * * * * *', '--home', homes[0]!.home]);
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      expect(added.stdout).toMatch(/^ta@\*_\*_\*_\*_\*_\* \(next run /);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const removed = await runCli(['schedule', 'remove', 'ta@*_*_*_*_*_*', '--home', homes[1]!.home]);
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
      const queue = connection.queue(taskQueueName('ta'));
      const { completed } = await queue.getJobCounts('completed');
      await queue.close();
      expect(ends.length).toBe(completed);
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
  });
}
