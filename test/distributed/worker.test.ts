import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import { readRecords } from '../helpers/cli.js';
import { describeOnServers, exited, makeQueueHome, readMarks, startWorkerProcess, TEST_TASKS, waitFor } from './helpers.js';

await describeOnServers('runner worker', (suite) => {
  const { kind, prefix } = suite;

  async function add(task: string, args: string[]): Promise<void> {
    const queue = suite.connection.queue(taskQueueName(task));
    await queue.add(task, { task, args }, { attempts: 3, backoff: { type: 'exponential', delay: 200 } });
    await queue.close();
  }

  it('3 workers competing for 200 jobs over 5 tasks: every job runs exactly once and no two jobs of a task overlap', async () => {
    const file = suite.tempFile('many.txt');
    const homes = [0, 1, 2].map(() => makeQueueHome(kind, prefix));
    suite.track(...(await Promise.all(homes.map(({ home }) => startWorkerProcess(home, ['--tasks', TEST_TASKS.join(','), '--concurrency', '5'])))));
    const jobs = Array.from({ length: 200 }, (_, i) => ({ task: TEST_TASKS[i % 5]!, tag: `j${i}` }));
    for (let i = 0; i < TEST_TASKS.length; i++) {
      const task = TEST_TASKS[i]!;
      const queue = suite.connection.queue(taskQueueName(task));
      await queue.addBulk(jobs.filter((job) => job.task === task).map((job) => ({ name: task, data: { task, args: [file, '5', job.tag] } })));
      await queue.close();
    }
    await waitFor(() => readMarks(file).filter((mark) => mark.kind === 'end').length >= 200, '200 finished jobs');
    // A moment for a doubled run to show up.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ends = readMarks(file).filter((mark) => mark.kind === 'end');
    // Which worker runs a job is BullMQ's choice (a worker that finishes a job fetches the next
    // at once, so one busy worker may run most of them): the test checks exactly-once and the
    // per-task exclusion among three competing workers, not the spread.
    expect(ends).toHaveLength(200);
    expect(new Set(ends.map((mark) => mark.tag)).size).toBe(200);
    for (const task of TEST_TASKS) {
      const runs = ends.filter((mark) => mark.task === task).sort((a, b) => a.start - b.start);
      expect(runs).toHaveLength(40);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.start, `${task}: ${runs[i]!.tag} started before ${runs[i - 1]!.tag} ended`).toBeGreaterThanOrEqual(runs[i - 1]!.end);
    }
    // One record per run, in the logs of the worker that ran it.
    const records = homes.flatMap(({ home }) => {
      try {
        return readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
      } catch {
        return [];
      }
    });
    expect(records.filter((record) => record.success === true)).toHaveLength(200);
  });

  it('kill -9 of a worker in the middle of a job: another worker takes the job over and completes it', async () => {
    const file = suite.tempFile('killed.txt');
    const first = makeQueueHome(kind, prefix);
    const second = makeQueueHome(kind, prefix);
    // Both workers are up before the job is added (a worker started later, under load, could
    // come up after the job had ended); the one that took it is killed.
    const workers = await Promise.all([first, second].map(({ home }) => startWorkerProcess(home, ['--tasks', 'slow'])));
    for (const worker of workers) suite.track(worker);
    await add('slow', [file, '2500', 'k1']);
    await waitFor(() => readMarks(file).some((mark) => mark.kind === 'start'), 'the job to start');
    const taker = readMarks(file).find((mark) => mark.kind === 'start')!.pid;
    const victim = workers.find((worker) => worker.pid === taker)!;
    expect(victim, `the job started in pid ${taker}, not in a worker`).toBeDefined();
    victim.kill('SIGKILL');
    await exited(victim);
    await waitFor(() => readMarks(file).some((mark) => mark.kind === 'end'), 'the job to be completed by the other worker');
    const ends = readMarks(file).filter((mark) => mark.kind === 'end');
    expect(ends).toHaveLength(1);
    expect(ends[0]!.pid).not.toBe(victim.pid);
    // The task writes its end mark just before the worker records the job as completed.
    const queue = suite.connection.queue(taskQueueName('slow'));
    await waitFor(async () => (await queue.getJobCounts('active')).active === 0, 'the job to be recorded as completed');
    const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
    await queue.close();
    expect(counts).toMatchObject({ failed: 0, waiting: 0, active: 0, delayed: 0 });
    expect(counts.completed).toBeGreaterThanOrEqual(1);
  });

  it('SIGTERM: the active job finishes, then the worker exits 0', async () => {
    const file = suite.tempFile('term.txt');
    const { home } = makeQueueHome(kind, prefix);
    const worker = await startWorkerProcess(home, ['--tasks', 'slow']);
    suite.track(worker);
    await add('slow', [file, '1500', 's1']);
    await waitFor(() => readMarks(file).some((mark) => mark.kind === 'start'), 'the job to start');
    worker.kill('SIGTERM');
    const { code } = await exited(worker);
    expect(code).toBe(0);
    expect(readMarks(file).filter((mark) => mark.kind === 'end').map((mark) => mark.tag)).toEqual(['s1']);
    const records = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records).toMatchObject([{ task: 'slow', success: true, message: 'done s1' }]);
  });

  it('SIGTERM past queue.shutdownMs: the run is aborted through ctx.signal, recorded as cancelled, and its job goes back to the queue', async () => {
    const file = suite.tempFile('abort.txt');
    const { home } = makeQueueHome(kind, prefix, { shutdownMs: 300 });
    const worker = await startWorkerProcess(home, ['--tasks', 'td']);
    suite.track(worker);
    const queue = suite.connection.queue(taskQueueName('td'));
    const job = await queue.add('td', { task: 'td', args: [file, '20000', 'a1'] }, { attempts: 3 });
    await waitFor(() => readMarks(file).some((mark) => mark.kind === 'start'), 'the job to start');
    worker.kill('SIGTERM');
    const { code } = await exited(worker);
    expect(code).toBe(143);
    expect(readMarks(file).filter((mark) => mark.kind === 'end')).toEqual([]);
    const records = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records).toMatchObject([{ task: 'td', success: false, cancelled: true }]);
    // Back in the queue for another worker, without using an attempt.
    expect(['waiting', 'delayed', 'prioritized']).toContain(await queue.getJobState(job.id!));
    expect((await queue.getJob(job.id!))?.attemptsMade).toBe(0);
    await queue.obliterate({ force: true });
    await queue.close();
  });
}, { connection: true });
