import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/config.js';
import type { QueueConnection } from '../../src/distributed/connection.js';
import type { JobReturn } from '../../src/distributed/enqueue.js';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import { sharedStoresOn } from '../../src/compose/stores.js';
import { startWorker, type RunnerWorker, type WorkerDeps } from '../../src/distributed/worker.js';
import type { RunRecord } from '../../src/store/run-log.js';
import { readRecords, writeFile } from '../helpers/cli.js';
import { memoryLogger } from '../helpers/memory-log.js';
import { describeOnServers, makeQueueHome, openTestConnection, readMarks, waitFor } from './helpers.js';

/** Fails with the message given as its argument; `fatal` throws a NonRetryableError. */
const FAILS = `import { NonRetryableError, Task, type TaskContext } from 'taskrunner';
export default class Fails extends Task {
  name = 'fails';
  description = 'fails as told';
  async run(ctx: TaskContext) {
    const [how] = ctx.args;
    if (how === 'fatal') throw new NonRetryableError('bad credentials');
    throw new Error('failed: ' + how);
  }
}
`;

/**
 * The worker's job processor in this process (`startWorker`, as `runner worker` calls it) against
 * the real server: a job runs its task here, through `runTask`, and writes its record to the home's
 * logs/tasks.jsonl and the shared history. The CLI's worker is tested as a process elsewhere.
 */
await describeOnServers("the worker's job processor, in-process", (suite) => {
  const { kind, prefix } = suite;
  let home: string;
  let workspace: string;
  let connection: QueueConnection;
  let deps: WorkerDeps;
  let worker: RunnerWorker;

  beforeAll(async () => {
    ({ home, workspace } = makeQueueHome(kind, prefix));
    writeFile(home, 'tasks/fails.ts', FAILS);
    // The worker's own connection, as the CLI's worker has one; the suite's adds and inspects jobs.
    connection = await openTestConnection(kind, prefix);
    const { log } = memoryLogger();
    const settings = loadSettings({ home }, {});
    const { alerts, history } = await sharedStoresOn(connection, settings);
    deps = { alerts, history };
    worker = await startWorker(connection, { settings, concurrency: 2, tasks: ['ta', 'slow', 'fails'], log, lockMs: 5_000 }, deps);
  });
  afterAll(async () => {
    await worker?.close(5_000);
    await connection?.close();
  });

  const records = () => {
    const file = path.join(home, 'logs', 'tasks.jsonl');
    return existsSync(file) ? (readRecords(readFileSync(file, 'utf8')) as RunRecord[]) : [];
  };
  const recordsOf = (task: string) => records().filter((record) => record.task === task);

  /** Add a job and wait until BullMQ has it finished: its final state, return value and reason. */
  async function runJob(task: string, data: Record<string, unknown>, opts: { attempts?: number } = {}) {
    const queue = suite.connection.queue(taskQueueName(task));
    try {
      const { id } = await queue.add(task, { task, ...data }, { attempts: opts.attempts ?? 1, backoff: { type: 'fixed', delay: 10 } });
      let state = '';
      await waitFor(async () => ['completed', 'failed'].includes((state = await queue.getJobState(id!))), `job ${id} of ${task} to finish`);
      const job = (await queue.getJob(id!))!;
      return { state, returned: job.returnvalue as JobReturn | undefined, failedReason: job.failedReason, attemptsMade: job.attemptsMade };
    } finally {
      await queue.close();
    }
  }

  it("runs the job's task in this process and writes its one record, locally and to the shared history", async () => {
    const file = path.join(workspace, 'in-process.txt');
    const job = await runJob('ta', { args: [file, '5', 'j1'] });
    expect(job.state).toBe('completed');
    // This process ran it: the worker's host names this pid, and so do the task's own marks.
    expect(job.returned).toEqual({ exitCode: 0, runId: expect.any(String), host: `${hostname()}:${process.pid}` });
    expect(readMarks(file).map((mark) => [mark.kind, mark.tag, mark.pid])).toEqual([
      ['start', 'j1', process.pid],
      ['end', 'j1', process.pid],
    ]);
    const [record] = recordsOf('ta');
    expect(recordsOf('ta')).toHaveLength(1);
    expect(record).toMatchObject({ task: 'ta', success: true, message: 'done j1', attempts: 1, run_id: job.returned!.runId, dry_run: false });
    // A job someone added is not a scheduler's.
    expect(record).not.toHaveProperty('scheduled');
    // The shared history's append goes out with BullMQ's move of the job to completed.
    const shared = async () => {
      const found: RunRecord[] = [];
      await deps.history!.scanNewestFirst((entry) => void (entry.run_id === record!.run_id && found.push(entry)));
      return found;
    };
    await waitFor(async () => (await shared()).length > 0, 'the record in the shared history');
    expect(await shared()).toEqual([record]);
  });

  it('a failing job: one attempt per job attempt, each recorded, BullMQ retrying; a non-retryable error fails it at once', async () => {
    const failing = await runJob('fails', { args: ['flaky disk'] }, { attempts: 2 });
    expect(failing).toMatchObject({ state: 'failed', failedReason: 'failed: flaky disk', attemptsMade: 2 });
    const fatal = await runJob('fails', { args: ['fatal'] }, { attempts: 3 });
    expect(fatal).toMatchObject({ state: 'failed', failedReason: 'bad credentials', attemptsMade: 1 });
    expect(recordsOf('fails').map(({ success, error, attempts, all_attempts_failed }) => ({ success, error, attempts, all_attempts_failed }))).toEqual([
      { success: false, error: 'failed: flaky disk', attempts: 1, all_attempts_failed: true },
      { success: false, error: 'failed: flaky disk', attempts: 1, all_attempts_failed: true },
      { success: false, error: 'bad credentials', attempts: 1, all_attempts_failed: false },
    ]);
  });

  it("the job's timeout aborts its run through ctx.signal and fails the job without another attempt; dryRun reaches the run", async () => {
    const file = path.join(workspace, 'timeout.txt');
    const slow = await runJob('slow', { args: [file, '60000', 't1'], timeout: '300ms' }, { attempts: 3 });
    expect(slow).toMatchObject({ state: 'failed', failedReason: 'timed out after 300ms', attemptsMade: 1 });
    expect(readMarks(file).map((mark) => mark.kind)).toEqual(['start']);
    expect(recordsOf('slow')).toEqual([expect.objectContaining({ success: false, timed_out: true, error: 'timed out after 300ms' })]);

    const dry = await runJob('ta', { args: [path.join(workspace, 'dry.txt'), '1', 'dry'], dryRun: true });
    expect(dry.state).toBe('completed');
    expect(recordsOf('ta').at(-1)).toMatchObject({ success: true, message: 'done dry', dry_run: true });
  });

  it('close() past its deadline aborts the active run, which is recorded as cancelled; the job goes back to the queue', async () => {
    const file = path.join(workspace, 'close.txt');
    const queue = suite.connection.queue(taskQueueName('slow'));
    try {
      const { id } = await queue.add('slow', { task: 'slow', args: [file, '60000', 'c1'] }, { attempts: 2 });
      await waitFor(() => readMarks(file).some((mark) => mark.kind === 'start'), 'the run to start');
      expect(await worker.close(200)).toEqual({ aborted: true });
      expect(recordsOf('slow').at(-1)).toMatchObject({ success: false, cancelled: true, error: 'cancelled: the worker is shutting down' });
      // Not the task's failure: no attempt used, waiting for another worker.
      expect(['waiting', 'delayed', 'prioritized']).toContain(await queue.getJobState(id!));
      expect((await queue.getJob(id!))?.attemptsMade).toBe(0);
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  });
}, { connection: true });
