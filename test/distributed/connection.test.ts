import { afterAll, beforeAll, expect, it } from 'vitest';
import { openQueueConnection, type QueueConnection } from '../../src/distributed/connection.js';
import { describeOnServers } from './helpers.js';

// A server restart shows up as errors on idle connections: they must reach `onError` (the worker
// logs them and reconnects), never crash the process with an unhandled 'error' event.
await describeOnServers('the queue connection', (suite) => {
  const { kind, prefix } = suite;

  const errors: Error[] = [];
  let connection: QueueConnection;

  beforeAll(async () => {
    connection = await openQueueConnection(
      { kind, url: suite.url, displayUrl: suite.url, prefix },
      { bullmq: true, onError: (error) => errors.push(error) },
    );
  });
  afterAll(async () => {
    await connection.close();
  });

  it('an error on an idle connection goes to onError, and the connection still works', async () => {
    const before = errors.length;
    const lost = new Error('connection reset by the server');
    if (connection.redis) connection.redis.emit('error', lost);
    else (connection.pg as unknown as NodeJS.EventEmitter).emit('error', lost);
    expect(errors.slice(before)).toContain(lost);
    const queue = connection.queue('task-conn');
    await queue.add('conn', { task: 'conn', args: [] });
    expect(await queue.count()).toBe(1);
    await queue.close();
  });
});
