import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import { makeHome, readRecords, runCli, writeFile } from '../helpers/cli.js';
import { describeOnServers, makeQueueHome, readMarks, startWorkerProcess } from './helpers.js';

await describeOnServers('runner enqueue', (suite) => {
  const { kind, prefix } = suite;

  it('enqueue prints the job id; --wait exits with the run\'s code; a job of an unknown task fails alone', async () => {
    const file = suite.tempFile('wait.txt');
    const { home } = makeQueueHome(kind, prefix);
    suite.track(await startWorkerProcess(home, ['--tasks', 'ta,tb,ghost']));
    const plain = await runCli(['enqueue', 'ta', file, '5', 'plain', '--home', home]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^\S+\n$/);
    const waited = await runCli(['enqueue', 'tb', file, '5', 'waited', '--wait', '--home', home]);
    expect(waited.code).toBe(0);
    expect(readMarks(file).filter((mark) => mark.kind === 'end').map((mark) => mark.tag).sort()).toEqual(['plain', 'waited']);

    const ghost = await runCli(['enqueue', 'ghost', '--wait', '--home', home]);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toMatch(/unknown task "ghost"/);
    // Data that is not a task and its arguments fails that job, and only it.
    const queue = suite.connection.queue(taskQueueName('ta'));
    const bad = await queue.add('ta', { task: 'ta', args: 'rm -rf /', code: 'process.exit(1)' });
    await waitForState(bad.id!, 'failed');
    const failed = await queue.getJob(bad.id!);
    expect(failed?.failedReason).toMatch(/invalid job data/);
    await queue.close();
    // The worker is still there and still works.
    expect((await runCli(['enqueue', 'ta', file, '5', 'after', '--wait', '--home', home])).code).toBe(0);
    const records = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records.map((record) => record.message)).toEqual(['done plain', 'done waited', 'done after']);
    // A job someone enqueued is not a scheduler's: its record does not say `scheduled`.
    expect(records.map((record) => record.scheduled)).toEqual([undefined, undefined, undefined]);

    async function waitForState(id: string, state: string): Promise<void> {
      const deadline = Date.now() + 20_000;
      while ((await queue.getJobState(id)) !== state) {
        if (Date.now() > deadline) throw new Error(`job ${id} never became ${state}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  it('a failing run is retried by BullMQ and --wait exits 1 after the last attempt', async () => {
    const { home } = makeQueueHome(kind, prefix);
    writeFile(home, 'tasks/flaky.ts', `
      import { appendFileSync } from 'node:fs';
      import { Task } from 'taskrunner';
      export default class Flaky extends Task {
        name = 'flaky';
        description = 'always fails';
        defaults = { attempts: 2 };
        async run(ctx) { appendFileSync(ctx.args[0], 'attempt\\n'); throw new Error('boom'); }
      }
    `);
    writeFile(home, 'runner.config.json', JSON.stringify({ ...JSON.parse(readFileSync(path.join(home, 'runner.config.json'), 'utf8')), retry: { minTimeoutMs: 100 } }));
    suite.track(await startWorkerProcess(home, ['--tasks', 'flaky']));
    const file = suite.tempFile('flaky.txt');
    const result = await runCli(['enqueue', 'flaky', file, '--wait', '--home', home]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/boom/);
    expect(readFileSync(file, 'utf8')).toBe('attempt\nattempt\n');
    const records = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records).toMatchObject([{ task: 'flaky', success: false, error: 'boom' }, { task: 'flaky', success: false, error: 'boom' }]);
  });

  it('--delay, --priority and --dedupe-key become BullMQ job options', async () => {
    const { home } = makeQueueHome(kind, prefix);
    const first = await runCli(['enqueue', 'tc', '/dev/null', '--delay', '10m', '--priority', '3', '--dedupe-key', 'once', '--home', home]);
    const second = await runCli(['enqueue', 'tc', '/dev/null', '--delay', '10m', '--dedupe-key', 'once', '--home', home]);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const queue = suite.connection.queue(taskQueueName('tc'));
    const job = await queue.getJob(first.stdout.trim());
    await queue.close();
    expect(job?.opts).toMatchObject({ delay: 600_000, priority: 3, attempts: 3, backoff: { type: 'exponential' } });
    expect(job?.data).toEqual({ task: 'tc', args: ['/dev/null'] });
    const bad = await runCli(['enqueue', 'tc', '--delay', 'soon', '--home', home]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--delay/);
  });
}, { connection: true });

describe('an unreachable queue server', () => {
  for (const url of ['redis://127.0.0.1:1', 'postgres://postgres@127.0.0.1:1/test']) {
    it(`gives a clear error, not a hang (${url.split(':')[0]})`, async () => {
      const { home, workspace } = makeHome();
      writeFile(home, 'runner.config.json', JSON.stringify({ workspace, queue: { url } }));
      const result = await runCli(['enqueue', 'noop', '--home', home]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/cannot reach the queue server at/);
    });
  }

  it('a URL that is neither Redis nor PostgreSQL is refused', async () => {
    const { home, workspace } = makeHome();
    writeFile(home, 'runner.config.json', JSON.stringify({ workspace, queue: { url: 'amqp://127.0.0.1' } }));
    const result = await runCli(['worker', '--home', home]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/queue\.url: expected redis/);
  });
});
