import { expect, it } from 'vitest';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import { runCli, startCli } from '../helpers/cli.js';
import { describeOnServers, exited, makeQueueHome, readMarks, startWorkerProcess, waitFor } from './helpers.js';

// A worker keeps a task's local lock through a burst of its jobs (SPEC §10): a local run of the
// task on the same host and the worker's jobs still never overlap, and the lock is let go once
// the jobs stop.
await describeOnServers('a worker and local runs of one task', (suite) => {
  const { kind, prefix } = suite;

  it('never overlap, and a local run after a burst of jobs runs', async () => {
    const file = suite.tempFile('marks.txt');
    const { home } = makeQueueHome(kind, prefix);
    const worker = await startWorkerProcess(home, ['--tasks', 'slow']);
    suite.track(worker);
    const queue = suite.connection.queue(taskQueueName('slow'));

    // A local run holds the task: the job waits for it.
    const local = startCli(['slow', '--home', home, file, '1500', 'local']);
    await waitFor(() => readMarks(file).some((mark) => mark.kind === 'start' && mark.tag === 'local'), 'the local run to start');
    await queue.add('slow', { task: 'slow', args: [file, '10', 'queued'] });
    expect((await exited(local)).code).toBe(0);

    // A burst of short jobs, then a quiet moment: the next local run gets the lock.
    await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'slow', data: { task: 'slow', args: [file, '5', `burst${i}`] } })));
    await waitFor(() => readMarks(file).filter((mark) => mark.kind === 'end').length >= 22, 'the queued job and the burst to finish');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await runCli(['slow', '--home', home, file, '10', 'after']);
    expect(after.code, after.stderr).toBe(0);
    await queue.close();

    const ends = readMarks(file).filter((mark) => mark.kind === 'end').sort((a, b) => a.start - b.start);
    expect(ends.map((mark) => mark.tag).sort()).toEqual(['after', 'local', 'queued', ...Array.from({ length: 20 }, (_, i) => `burst${i}`)].sort());
    for (let i = 1; i < ends.length; i++) expect(ends[i]!.start, `${ends[i]!.tag} started before ${ends[i - 1]!.tag} ended`).toBeGreaterThanOrEqual(ends[i - 1]!.end);

    worker.kill('SIGTERM');
    expect((await exited(worker)).code).toBe(0);
  });
}, { connection: true });
