import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BackendKind } from '../../src/config/queue.js';
import type { QueueConnection } from '../../src/distributed/connection.js';
import { taskQueueName } from '../../src/distributed/queue-names.js';
import { readRecords } from '../helpers/cli.js';
import { BACKENDS, describeOnServers, exited, makeQueueHome, outFile, readMarks, startWorkerProcess, waitFor } from './helpers.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

// "A server that restarts mid-run is reconnected to": a real `runner worker` talks to the server
// through a proxy whose restart cuts every connection and refuses new ones for a second. The test
// itself adds and inspects jobs on a direct connection, which the restart does not touch.
await describeOnServers('a worker across a server restart', (suite) => {
  const { kind, prefix } = suite;

  let proxy: TcpProxy;

  beforeAll(async () => {
    const server = new URL(suite.url);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || (kind === 'redis' ? 6379 : 5432)) });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  /** The jobs added so far: their task and BullMQ id, by tag. */
  const jobs = new Map<string, { task: string; id: string }>();

  /** Add one job (directly, not through the proxy) whose run takes `ms`. */
  async function add(task: string, file: string, ms: number, tag: string): Promise<void> {
    const queue = suite.connection.queue(taskQueueName(task));
    const job = await queue.add(task, { task, args: [file, String(ms), tag] });
    await queue.close();
    jobs.set(tag, { task, id: job.id! });
  }

  it('keeps running, reconnects, and completes every job exactly once, the one running during the restart and those added after it included', async () => {
    // A lock long enough to outlast the one-second outage with room to spare on a busy machine,
    // and shorter than BullMQ's default 15 s wait before it retries recording a finished job.
    const { home, workspace } = makeQueueHome(kind, prefix, { url: proxiedUrl(kind, proxy.port), lockMs: 6_000 });
    const file = outFile(workspace);
    const worker = await startWorkerProcess(home, ['--tasks', 'ta,tb,slow', '--concurrency', '3']);
    suite.track(worker);
    let output = '';
    worker.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const diagnose = () => `worker stderr since ready:\n${output}`;
    const started = (tag: string) => readMarks(file).some((mark) => mark.kind === 'start' && mark.tag === tag);
    const ended = () => readMarks(file).filter((mark) => mark.kind === 'end');

    for (let i = 0; i < 3; i++) await add('ta', file, 10, `before${i}`);
    await waitFor(() => ended().length >= 3, 'the jobs added before the restart');

    // Cut while one run outlasts the outage, one ends within it (its completion cannot reach the
    // server at first), and short jobs are completing one after another.
    await add('slow', file, 1500, 'outlasting');
    await add('ta', file, 300, 'ending-in-outage');
    for (let i = 0; i < 10; i++) await add('tb', file, 0, `burst${i}`);
    await waitFor(() => started('outlasting') && started('ending-in-outage'), 'the two long jobs to start');
    const acceptedBefore = proxy.accepted;
    const outage = proxy.restart(1000);
    // Added while the worker cannot reach the server: taken once it is back.
    for (let i = 0; i < 2; i++) await add('ta', file, 10, `down${i}`);
    await outage;
    for (let i = 0; i < 3; i++) await add('ta', file, 10, `after${i}`);

    await waitFor(() => ended().length >= jobs.size, `all ${jobs.size} jobs to end (${diagnose()})`, 90_000);
    await waitFor(async () => (await states(suite.connection, jobs)).every((state) => state === 'completed'), `every job completed in BullMQ (${diagnose()})`, 60_000);
    // A moment for a doubled run to show up.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    expect(worker.exitCode, diagnose()).toBeNull();
    expect(ended().map((mark) => mark.tag).sort()).toEqual([...jobs.keys()].sort());
    expect(readMarks(file).filter((mark) => mark.kind === 'start')).toHaveLength(jobs.size);
    const records = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records.map((record) => record.message).sort()).toEqual([...jobs.keys()].map((tag) => `done ${tag}`).sort());
    expect(records.every((record) => record.success === true)).toBe(true);
    for (const task of ['ta', 'tb', 'slow']) {
      const queue = suite.connection.queue(taskQueueName(task));
      const counts = await queue.getJobCounts('failed', 'waiting', 'active', 'delayed', 'prioritized');
      await queue.close();
      expect(counts, task).toEqual({ failed: 0, waiting: 0, active: 0, delayed: 0, prioritized: 0 });
    }
    // The worker did go through the outage: it connected again.
    expect(proxy.accepted).toBeGreaterThan(acceptedBefore);

    worker.kill('SIGTERM');
    expect((await exited(worker)).code, diagnose()).toBe(0);
  }, 180_000);
}, { connection: true });

/** The server's URL with its host and port replaced by the proxy's. */
function proxiedUrl(kind: BackendKind, port: number): string {
  const url = new URL(BACKENDS[kind]);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

/** The BullMQ state of each job. */
async function states(connection: QueueConnection, jobs: Map<string, { task: string; id: string }>): Promise<string[]> {
  const result: string[] = [];
  for (const { task, id } of jobs.values()) {
    const queue = connection.queue(taskQueueName(task));
    result.push(await queue.getJobState(id));
    await queue.close();
  }
  return result;
}
