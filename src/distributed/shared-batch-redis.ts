import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { ExecutorLock, QueueStore } from '../batch/queue-store.js';
import type { QueuedEntry, QueueSource } from '../batch/queue-file.js';
import { EXIT, RunnerError } from '../shared/errors.js';
import { formatJson } from '../store/json-file.js';
import type { QueueTarget } from '../config/queue.js';
import { EXECUTOR_LEASE_MS, forbidsInSharedQueue, parseSharedQueue, sharedQueueName } from './shared-batch-common.js';

// Optimistic transactions that lost to a concurrent writer are retried; this many losses in a row
// mean something is wrong (thousands of writers at once), not bad luck.
const MAX_CONFLICTS = 200;

// Write the new document only if the stored one is still the one the change was computed from
// (ARGV[3] = '0': there was none). Unlike WATCH, this holds whatever happens to the connection
// between the read and the write (ioredis reconnecting and resending commands, say).
const COMPARE_AND_SET = `local current = redis.call('GET', KEYS[1])
if ARGV[3] == '0' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

// The lease is renewed, and released, only by its holder (compare-and-set on its token).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * The shared batch queue on Redis: the queue document (the same JSON as `batch-tasks.json`) in the
 * key `<prefix>:runner-store:batch-queue`, changed optimistically: read, change, then write with a
 * compare-and-set script that fails if another writer came first, in which case the change is
 * redone on a fresh read. The executor lock is a renewed lease in
 * `<prefix>:runner-store:batch-executor` (SET NX PX), which expires when its holder dies.
 */
export function redisBatchQueue(redis: Redis, target: QueueTarget, close: () => Promise<void>): QueueStore {
  const queueKey = `${target.prefix}:runner-store:batch-queue`;
  const lockKey = `${target.prefix}:runner-store:batch-executor`;
  const name = sharedQueueName(target);
  const source: QueueSource = { untrusted: undefined };

  return {
    name,
    read: async () => parseSharedQueue(await redis.get(queueKey), name),
    update: <T>(change: (entries: QueuedEntry[], source: QueueSource) => T, options: { dryRun?: boolean } = {}) =>
      (async () => {
        for (let conflicts = 0; ; conflicts++) {
          const stored = await redis.get(queueKey);
          const entries = parseSharedQueue(stored, name);
          const outcome = change(entries, source);
          if (options.dryRun) return outcome;
          const written = await redis.eval(COMPARE_AND_SET, 1, queueKey, stored ?? '', formatJson(entries), stored === null ? '0' : '1');
          if (written === 1) return outcome;
          if (conflicts >= MAX_CONFLICTS) {
            throw new RunnerError('store.locked', `${name}: gave up after ${MAX_CONFLICTS} conflicting concurrent changes`);
          }
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        }
      })(),
    acquireExecutorLock: async (onCompromised) => {
      const token = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
      if ((await redis.set(lockKey, token, 'PX', EXECUTOR_LEASE_MS, 'NX')) !== 'OK') {
        const holder = await redis.get(lockKey);
        throw new RunnerError('runner.locked', `another executor is running ${name}${holder ? ` (${holder.replace(/:[0-9a-f]+$/, '')})` : ''}`, {
          exitCode: EXIT.locked,
          retryable: false,
        });
      }
      return leaseLock(redis, lockKey, token, name, onCompromised);
    },
    forbids: forbidsInSharedQueue,
    close,
  };
}

function leaseLock(redis: Redis, key: string, token: string, name: string, onCompromised: (error: Error) => void): ExecutorLock {
  let ended = false;
  let renewed = Date.now();
  const lost = (why: string) => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    onCompromised(new RunnerError('lock.compromised', `the executor lock of ${name} was lost: ${why}`));
  };
  const timer = setInterval(() => {
    const started = Date.now();
    // A renewal that hangs (the server gone; commands wait for a reconnect) must not hold it for ever.
    if (started - renewed >= EXECUTOR_LEASE_MS) return lost('it could not be renewed in time');
    redis.eval(RENEW, 1, key, token, EXECUTOR_LEASE_MS).then(
      (result) => {
        if (result === 1) renewed = started;
        else lost('another executor took it (this one was stalled for longer than the lease)');
      },
      () => undefined,
    );
  }, EXECUTOR_LEASE_MS / 3);
  timer.unref();
  return {
    async release() {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    },
  };
}
