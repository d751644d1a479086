import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Job } from 'bullmq';
import { expect, it } from 'vitest';
import { openSharedStores } from '../../src/distributed/open-shared-stores.js';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import type { RunRecord } from '../../src/store/run-log.js';
import { runCli, writeFile } from '../helpers/cli.js';
import { describeOnServers, makeQueueHome, startWorkerProcess, waitFor } from './helpers.js';

/** Raises one alert named after its argument, then succeeds. */
const SHOUT = `import { Task, type TaskContext } from 'taskrunner';
export default class Shout extends Task {
  name = 'shout';
  description = 'raises an alert';
  async run(ctx: TaskContext) {
    await ctx.alert('shout ' + ctx.args[0], 'warning');
    return { success: true, message: 'shouted ' + ctx.args[0] };
  }
}
`;

/** Fails with "vault sealed" while the workspace holds a file named `fail`. */
const SOUR = `import { existsSync } from 'node:fs';
import path from 'node:path';
import { Task, type TaskContext } from 'taskrunner';
export default class Sour extends Task {
  name = 'sour';
  description = 'fails while told to';
  async run(ctx: TaskContext) {
    if (existsSync(path.join(ctx.paths.workspace, 'fail'))) throw new Error('vault sealed');
    return { success: true, message: 'opened' };
  }
}
`;

const JOBS = 40;

await describeOnServers('workers and the shared stores', (suite) => {
  const { kind, prefix } = suite;

  it('alerts raised on two workers are drained from a third host: none lost, none twice; every record is in the shared history', async () => {
    const workers = [makeQueueHome(kind, prefix), makeQueueHome(kind, prefix)];
    for (const { home } of workers) writeFile(home, 'tasks/shout.ts', SHOUT);
    const drainer = makeQueueHome(kind, prefix);
    suite.track(...(await Promise.all(workers.map(({ home }) => startWorkerProcess(home, ['--tasks', 'shout'])))));
    const queue = suite.connection.queue(taskQueueName('shout'));
    await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({ name: 'shout', data: { task: 'shout', args: [`n${i}`] } })));
    await queue.close();

    const drained: { id: string; message: string; task: string }[] = [];
    const deadline = Date.now() + 60_000;
    while (new Set(drained.map((alert) => alert.message)).size < JOBS && Date.now() < deadline) {
      const result = await runCli(['alerts', '--drain', '--json', '--home', drainer.home]);
      expect(result.code, result.stderr).toBe(0);
      drained.push(...(JSON.parse(result.stdout) as typeof drained));
    }
    const messages = drained.map((alert) => alert.message).sort();
    expect(messages).toEqual(Array.from({ length: JOBS }, (_, i) => `shout n${i}`).sort());
    expect(new Set(drained.map((alert) => alert.id)).size).toBe(JOBS);
    expect(drained.every((alert) => alert.task === 'shout')).toBe(true);

    const stores = await openSharedStores(suite.connection);
    const records: RunRecord[] = [];
    await stores.history.scanNewestFirst((record) => {
      if (record.task === 'shout') records.push(record);
    });
    await stores.close();
    expect(records).toHaveLength(JOBS);
    expect(new Set(records.map((record) => record.message)).size).toBe(JOBS);
  });

  it('a scheduled job that fails for good raises one run-failed alert in the shared inbox, not while BullMQ has attempts left; a success resolves it', async () => {
    const worker = makeQueueHome(kind, prefix);
    writeFile(worker.home, 'tasks/sour.ts', SOUR);
    writeFileSync(path.join(worker.workspace, 'fail'), '');
    suite.track(await startWorkerProcess(worker.home, ['--tasks', 'sour']));
    const stores = await openSharedStores(suite.connection);
    const queue = suite.connection.queue(taskQueueName('sour'));
    try {
      const failedAlerts = async () => (await stores.alerts.list()).filter((alert) => alert.key === 'run-failed:sour');
      // Ticks of a job scheduler (as `runner schedule add` makes), an hour apart: each upsert
      // starts one at once, so the test decides when the next one runs.
      const tick = async (opts: { attempts: number; backoff?: { type: 'fixed'; delay: number } }) => {
        await queue.removeJobScheduler('sour-hourly');
        await queue.upsertJobScheduler('sour-hourly', { every: 3_600_000 }, { name: 'sour', data: { task: 'sour', args: [] }, opts });
      };
      // A tick is delayed twice: for a moment before its first attempt (as the scheduler adds it),
      // then for its backoff after a failed attempt. Only the second is a retry waiting.
      const lastTick = async (state: 'retrying' | 'failed' | 'completed') => {
        let found: Job | undefined;
        await waitFor(async () => {
          const jobs = await queue.getJobs([state === 'retrying' ? 'delayed' : state]);
          found = jobs.find((job) => job.repeatJobKey !== undefined && job.name === 'sour' && (state !== 'retrying' || job.attemptsMade > 0));
          return found !== undefined;
        }, `a tick to be ${state}`);
        return found!;
      };
      // Two attempts, the second held back for an hour: the test lets it run once it has looked.
      await tick({ attempts: 2, backoff: { type: 'fixed', delay: 3_600_000 } });
      const retrying = await lastTick('retrying');
      expect(await failedAlerts()).toEqual([]);
      await retrying.promote();
      await waitFor(async () => (await retrying.getState()) === 'failed', 'the last attempt to fail');
      const [alert] = await failedAlerts();
      expect(await failedAlerts()).toHaveLength(1);
      expect(alert).toMatchObject({ task: 'sour', level: 'error', message: 'scheduled run of sour failed: vault sealed' });

      await queue.clean(0, 0, 'failed');
      await tick({ attempts: 1 });
      await lastTick('failed');
      expect(await failedAlerts()).toEqual([{ ...alert, timestamp: expect.any(String) }]);

      rmSync(path.join(worker.workspace, 'fail'));
      await tick({ attempts: 1 });
      await lastTick('completed');
      await queue.removeJobScheduler('sour-hourly');
      expect(await failedAlerts()).toEqual([]);
    } finally {
      await queue.close();
      await stores.close();
    }
  });
}, { connection: true });
