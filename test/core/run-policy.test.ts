import { describe, expect, it } from 'vitest';
import { resolveRunPolicy, retryWaitMs } from '../../src/core/run-policy.js';
import { Task, type TaskDefaults, type TaskResult } from '../../src/core/task.js';

class Sample extends Task {
  name = 'sample';
  description = 'sample';
  override defaults: TaskDefaults = { attempts: 5, timeout: '2m' };
  async run(): Promise<TaskResult> {
    return { success: true };
  }
}

describe('resolveRunPolicy', () => {
  const task = new Sample();

  it('defaults to 3 attempts, 1 s then ×2, no timeout', () => {
    const plain = new (class extends Sample {
      override defaults: TaskDefaults = {};
    })();
    expect(resolveRunPolicy(plain, {})).toMatchObject({ attempts: 3, timeoutMs: undefined, retry: { minTimeoutMs: 1000, factor: 2, jitter: false } });
  });

  it('lets the task default win over retry.attempts, the per-task config over both, and flags over all', () => {
    expect(resolveRunPolicy(task, { retry: { attempts: 7 } }).attempts).toBe(5);
    expect(resolveRunPolicy(task, { tasks: { sample: { attempts: 2, timeout: '10s' } } })).toMatchObject({ attempts: 2, timeoutMs: 10_000 });
    expect(resolveRunPolicy(task, { tasks: { sample: { attempts: 2 } } }, { retries: 0, timeoutMs: 50 })).toMatchObject({ attempts: 1, timeoutMs: 50 });
    expect(resolveRunPolicy(task, {}).timeoutMs).toBe(120_000);
  });

  it('reads a bare number as seconds in the config and in task defaults, and checks milliseconds given by a caller', () => {
    const numeric = new (class extends Sample {
      override defaults: TaskDefaults = { timeout: 45 };
    })();
    expect(resolveRunPolicy(numeric, {}).timeoutMs).toBe(45_000);
    expect(resolveRunPolicy(task, { tasks: { sample: { timeout: 30 } } }).timeoutMs).toBe(30_000);
    expect(() => resolveRunPolicy(task, {}, { timeoutMs: 0 })).toThrow(/timeoutMs: a duration must be above zero/);
    expect(() => resolveRunPolicy(task, {}, { timeoutMs: 2 ** 31 })).toThrow(/timeoutMs: .*longest supported duration/);
  });
});

describe('retryWaitMs', () => {
  const plain = new (class extends Sample {
    override defaults: TaskDefaults = {};
  })();

  it('is minTimeout × factor^(n-1), up to maxTimeout, and up to twice that with jitter', () => {
    const policy = resolveRunPolicy(plain, { retry: { minTimeoutMs: 100, factor: 3, maxTimeoutMs: 1000 } });
    expect([1, 2, 3].map((n) => retryWaitMs(policy, n))).toEqual([
      { minMs: 100, maxMs: 100 },
      { minMs: 300, maxMs: 300 },
      { minMs: 900, maxMs: 900 },
    ]);
    expect(retryWaitMs(policy, 4)).toEqual({ minMs: 1000, maxMs: 1000 });
    const jittered = resolveRunPolicy(plain, { retry: { minTimeoutMs: 100, factor: 3, maxTimeoutMs: 1000, jitter: true } });
    expect([1, 3].map((n) => retryWaitMs(jittered, n))).toEqual([
      { minMs: 100, maxMs: 200 },
      { minMs: 900, maxMs: 1000 },
    ]);
  });
});
