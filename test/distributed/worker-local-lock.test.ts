import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendKind } from '../../src/config/queue.js';
import type { QueueConnection } from '../../src/distributed/connection.js';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import { runCli, startCli } from '../helpers/cli.js';
import { dropPrefix, exited, makeQueueHome, openTestConnection, readMarks, serverProblem, startWorkerProcess, uniquePrefix, waitFor } from './helpers.js';

// A worker keeps a task's local lock through a burst of its jobs (SPEC §10): a local run of the
// task on the same host and the worker's jobs still never overlap, and the lock is let go once
// the jobs stop.
for (const kind of ['redis', 'postgres'] as BackendKind[]) {
  const problem = await serverProblem(kind);
  describe.skipIf(problem !== undefined)(`a worker and local runs of one task on ${kind}`, () => {
    const prefix = uniquePrefix(`local_lock_${kind}`);
    let connection: QueueConnection;
    let worker: ChildProcess | undefined;

    beforeAll(async () => {
      connection = await openTestConnection(kind, prefix);
    });
    afterAll(async () => {
      if (worker && worker.exitCode === null) worker.kill('SIGKILL');
      await dropPrefix(connection);
      await connection.close();
    });

    it('never overlap, and a local run after a burst of jobs runs', async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'taskrunner-marks-')), 'marks.txt');
      const { home } = makeQueueHome(kind, prefix);
      worker = await startWorkerProcess(home, ['--tasks', 'slow']);
      const queue = connection.queue(taskQueueName('slow'));

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
  });
}
