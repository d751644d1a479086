import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/config/queue.js';
import type { QueueConnection } from '../../src/distributed/connection.js';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import { collect } from '../helpers/cli.js';
import { dropPrefix, makeQueueHome, openTestConnection, readMarks, serverProblem, startWorkerProcess, uniquePrefix, waitFor } from './helpers.js';

// A job a worker cannot use must fail at once with a reason and leave its task's queue to the next
// job. The task's queue has a global concurrency of 1, so a job left claimed would hold every other
// job of the task until its claim expired (a 30 s lock here: far longer than the wait below).
for (const kind of ['redis', 'postgres'] as BackendKind[]) {
  const problem = await serverProblem(kind);
  describe.skipIf(problem !== undefined)(`jobs a worker cannot use, on ${kind}`, () => {
    const prefix = uniquePrefix(`badjobs_${kind}`);
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

    it('corrupt stored data or options, and --help as arguments, fail at once with a reason; the jobs after them run', async () => {
      const file = path.join(marksDir, 'marks.txt');
      const { home } = makeQueueHome(kind, prefix, { lockMs: 30_000 });
      const queue = connection.queue(taskQueueName('ta'));
      const add = async (args: string[]) => (await queue.add('ta', { task: 'ta', args }, { attempts: 3 })).id!;
      // The first job is running when the bad ones come next: BullMQ then fetches the next job as
      // it completes the first, the other path by which a job is read.
      const first = await add([file, '500', 'first']);
      const badData = await add([file, '5', 'bad-data']);
      const badOpts = kind === 'redis' ? await add([file, '5', 'bad-opts']) : undefined;
      const help = await add(['--help']);
      const last = await add([file, '5', 'last']);
      if (connection.redis) {
        await connection.redis.hset(queue.toKey(badData), 'data', '{"task": "ta", "args": [');
        await connection.redis.hset(queue.toKey(badOpts!), 'opts', 'not json');
      } else {
        // jsonb keeps the job row's data valid JSON: what can be wrong there is its shape.
        await connection.pg!.query(`UPDATE "${prefix}".job SET data = '"not a job"'::jsonb WHERE queue = $1 AND id = $2`, [taskQueueName('ta'), badData]);
      }

      const worker = await startWorkerProcess(home, ['--tasks', 'ta']);
      children.push(worker);
      await waitFor(() => readMarks(file).some((mark) => mark.kind === 'end' && mark.tag === 'last'), 'the last job to run', 20_000);
      expect(readMarks(file).filter((mark) => mark.kind === 'end').map((mark) => mark.tag)).toEqual(['first', 'last']);

      const reasons: Record<string, RegExp> = {
        [badData]: kind === 'redis' ? new RegExp(`^job ${badData} of ta cannot be read: .*JSON`) : /invalid job data/,
        [help]: /bad arguments: --help .*runner help ta/,
      };
      if (badOpts) reasons[badOpts] = new RegExp(`^job ${badOpts} of ta cannot be read: .*JSON`);
      for (const [id, reason] of Object.entries(reasons)) {
        expect(await queue.getJobState(id), `job ${id}`).toBe('failed');
        const { rows } = connection.redis
          ? { rows: [{ reason: await connection.redis.hget(queue.toKey(id), 'failedReason') }] }
          : await connection.pg!.query(`SELECT failed_reason AS reason FROM "${prefix}".job WHERE queue = $1 AND id = $2`, [taskQueueName('ta'), id]);
        expect(rows[0]?.reason, `job ${id}`).toMatch(reason);
      }
      expect(await queue.getJobState(first)).toBe('completed');
      // The task's end mark comes just before BullMQ records the job as completed.
      await waitFor(async () => (await queue.getJobState(last)) === 'completed', 'the last job to be recorded as completed', 20_000);
      // The stored data is kept as it was, for a look at what went wrong.
      if (connection.redis) expect(await connection.redis.hget(queue.toKey(badData), 'data')).toBe('{"task": "ta", "args": [');
      await queue.close();

      worker.kill('SIGTERM');
      const out = await collect(worker);
      // Nothing of the task's usage (commander's help) on the worker's output.
      expect(out.stdout).toBe('');
      expect(out.stderr).toContain('worker stopped');
    });
  });
}
