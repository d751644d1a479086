import { expect, it } from 'vitest';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import { collect } from '../helpers/cli.js';
import { describeOnServers, makeQueueHome, readMarks, startWorkerProcess, waitFor } from './helpers.js';

// A job a worker cannot use must fail at once with a reason and leave its task's queue to the next
// job. The task's queue has a global concurrency of 1, so a job left claimed would hold every other
// job of the task until its claim expired (a 30 s lock here: far longer than the wait below).
await describeOnServers('jobs a worker cannot use,', (suite) => {
  const { kind, prefix } = suite;

  it('corrupt stored data or options, and --help as arguments, fail at once with a reason; the jobs after them run', async () => {
    const file = suite.tempFile('marks.txt');
    const { home } = makeQueueHome(kind, prefix, { lockMs: 30_000 });
    const queue = suite.connection.queue(taskQueueName('ta'));
    const add = async (args: string[]) => (await queue.add('ta', { task: 'ta', args }, { attempts: 3 })).id!;
    // The first job is running when the bad ones come next: BullMQ then fetches the next job as
    // it completes the first, the other path by which a job is read.
    const first = await add([file, '500', 'first']);
    const badData = await add([file, '5', 'bad-data']);
    const badOpts = kind === 'redis' ? await add([file, '5', 'bad-opts']) : undefined;
    const help = await add(['--help']);
    const last = await add([file, '5', 'last']);
    if (suite.connection.redis) {
      await suite.connection.redis.hset(queue.toKey(badData), 'data', '{"task": "ta", "args": [');
      await suite.connection.redis.hset(queue.toKey(badOpts!), 'opts', 'not json');
    } else {
      // jsonb keeps the job row's data valid JSON: what can be wrong there is its shape.
      await suite.connection.pg!.query(`UPDATE "${prefix}".job SET data = '"not a job"'::jsonb WHERE queue = $1 AND id = $2`, [taskQueueName('ta'), badData]);
    }

    const worker = await startWorkerProcess(home, ['--tasks', 'ta']);
    suite.track(worker);
    await waitFor(() => readMarks(file).some((mark) => mark.kind === 'end' && mark.tag === 'last'), 'the last job to run', 20_000);
    expect(readMarks(file).filter((mark) => mark.kind === 'end').map((mark) => mark.tag)).toEqual(['first', 'last']);

    const reasons: Record<string, RegExp> = {
      [badData]: kind === 'redis' ? new RegExp(`^job ${badData} of ta cannot be read: .*JSON`) : /invalid job data/,
      [help]: /bad arguments: --help .*runner help ta/,
    };
    if (badOpts) reasons[badOpts] = new RegExp(`^job ${badOpts} of ta cannot be read: .*JSON`);
    for (const [id, reason] of Object.entries(reasons)) {
      expect(await queue.getJobState(id), `job ${id}`).toBe('failed');
      const { rows } = suite.connection.redis
        ? { rows: [{ reason: await suite.connection.redis.hget(queue.toKey(id), 'failedReason') }] }
        : await suite.connection.pg!.query(`SELECT failed_reason AS reason FROM "${prefix}".job WHERE queue = $1 AND id = $2`, [taskQueueName('ta'), id]);
      expect(rows[0]?.reason, `job ${id}`).toMatch(reason);
    }
    expect(await queue.getJobState(first)).toBe('completed');
    // The task's end mark comes just before BullMQ records the job as completed.
    await waitFor(async () => (await queue.getJobState(last)) === 'completed', 'the last job to be recorded as completed', 20_000);
    // The stored data is kept as it was, for a look at what went wrong.
    if (suite.connection.redis) expect(await suite.connection.redis.hget(queue.toKey(badData), 'data')).toBe('{"task": "ta", "args": [');
    await queue.close();

    worker.kill('SIGTERM');
    const out = await collect(worker);
    // Nothing of the task's usage (commander's help) on the worker's output.
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('worker stopped');
  });
}, { connection: true });
