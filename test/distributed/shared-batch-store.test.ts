import { expect, it } from 'vitest';
import type { Settings } from '../../src/config/config.js';
import { openBatchQueue } from '../../src/distributed/shared-batch-queue.js';
import type { QueuedEntry } from '../../src/batch/queue-file.js';
import { describeOnServers } from './helpers.js';

/**
 * The shared QueueStore itself, in-process: concurrent read-modify-writes through the optimistic
 * (Redis) or row-locked (PostgreSQL) update, and the executor lock's exclusion.
 */
await describeOnServers('shared batch store', (backend) => {
  const { prefix } = backend;
  const settings = { config: { queue: { url: backend.url, prefix } }, configFile: undefined, home: '/nonexistent', workspace: '/nonexistent' } as Settings;

  it('keeps every one of many concurrent updates from two connections', async () => {
    const stores = [await openBatchQueue(settings), await openBatchQueue(settings)];
    try {
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          stores[i % 2]!.update((entries) => {
            entries.push({ id: `e${i}`, task: `Entry ${i}`, status: 'pending' } as QueuedEntry);
          }),
        ),
      );
      const ids = (await stores[0]!.read()).map((entry) => entry.id).sort();
      expect(ids).toEqual(Array.from({ length: 30 }, (_, i) => `e${i}`).sort());
      // A change that throws writes nothing; a dry run writes nothing.
      await expect(stores[1]!.update(() => {
        throw new Error('no');
      })).rejects.toThrow('no');
      await stores[1]!.update((entries) => void entries.splice(0), { dryRun: true });
      expect(await stores[0]!.read()).toHaveLength(30);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('lets one executor hold the queue at a time, and the next take it once released', async () => {
    const [a, b] = [await openBatchQueue(settings), await openBatchQueue(settings)];
    try {
      const lost: Error[] = [];
      const held = await a.acquireExecutorLock((error) => lost.push(error));
      await expect(b.acquireExecutorLock(() => undefined)).rejects.toMatchObject({ code: 'runner.locked' });
      await held.release();
      const next = await b.acquireExecutorLock(() => undefined);
      await expect(a.acquireExecutorLock(() => undefined)).rejects.toMatchObject({ code: 'runner.locked' });
      await next.release();
      expect(lost).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('rejects a stored document that is not a valid queue, naming the shared queue, and leaves it', async () => {
    const store = await openBatchQueue({ ...settings, config: { queue: { url: backend.url, prefix: backend.newPrefix() } } } as Settings);
    try {
      await store.update((entries) => void entries.push({ id: 'x', task: 'ok', status: 'pending' } as QueuedEntry));
      await store.update((entries) => void Object.assign(entries[0]!, { status: 'bogus' }));
      await expect(store.read()).rejects.toThrow(/shared batch queue at .*: entry 1: "status" must be one of/);
      await expect(store.update(() => undefined)).rejects.toMatchObject({ code: 'batch.invalid' });
    } finally {
      await store.close();
    }
  });
});
