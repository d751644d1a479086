import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/distributed/backend.js';
import type { QueueConnection } from '../../src/distributed/connection.js';
import { openSharedStores } from '../../src/distributed/open-shared-stores.js';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import type { RunRecord } from '../../src/store/run-log.js';
import { runCli, writeFile } from '../helpers/cli.js';
import { dropPrefix, makeQueueHome, openTestConnection, serverProblem, startWorkerProcess, uniquePrefix } from './helpers.js';

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

const JOBS = 40;

for (const kind of ['redis', 'postgres'] as BackendKind[]) {
  const problem = await serverProblem(kind);
  describe.skipIf(problem !== undefined)(`workers and the shared stores on ${kind}`, () => {
    const prefix = uniquePrefix(`wshared_${kind}`);
    let connection: QueueConnection;
    const children: ChildProcess[] = [];

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

    it('alerts raised on two workers are drained from a third host: none lost, none twice; every record is in the shared history', async () => {
      const workers = [makeQueueHome(kind, prefix), makeQueueHome(kind, prefix)];
      for (const { home } of workers) writeFile(home, 'tasks/shout.ts', SHOUT);
      const drainer = makeQueueHome(kind, prefix);
      children.push(...(await Promise.all(workers.map(({ home }) => startWorkerProcess(home, ['--tasks', 'shout'])))));
      const queue = connection.queue(taskQueueName('shout'));
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

      const stores = await openSharedStores(connection);
      const records: RunRecord[] = [];
      await stores.history.scanNewestFirst((record) => {
        if (record.task === 'shout') records.push(record);
      });
      await stores.close();
      expect(records).toHaveLength(JOBS);
      expect(new Set(records.map((record) => record.message)).size).toBe(JOBS);
    });
  });
}
