import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadSettings, type RunnerConfig, type Settings } from '../../src/config/config.js';
import { runTask, type RunOutcome, type RunTaskOptions } from '../../src/core/run-task.js';
import { Task, type TaskContext, type TaskDefaults, type TaskResult } from '../../src/core/task.js';
import { recordUnfinishedRuns } from '../../src/core/unfinished-runs.js';
import { EXIT, NonRetryableError, RunnerError } from '../../src/shared/errors.js';
import type { RunRecord } from '../../src/store/run-log.js';
import { makeHome, readRecords, writeFile } from '../helpers/cli.js';
import { memoryLogger } from '../helpers/memory-log.js';

/**
 * `runTask` in-process, on a temporary home with real files (lock, run log, alerts): only the clock
 * is fake, so backoff waits, timeouts and the grace period after an abort are exact to the
 * millisecond (`Date.now()` and `process.hrtime`, which the record's duration comes from, are
 * fake too) and no test waits for them for real.
 */

// Taken before any test fakes the clock: waiting for real work (the lock module's first import).
const realSetTimeout = globalThis.setTimeout;

// Far beyond any test's fake time: the lock's refresh (every staleMs / 2) never fires in a test.
const LOCK_STALE_MS = 3_600_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'hrtime', 'performance'], now: new Date('2026-03-01T09:00:00Z') });
});

afterEach(() => {
  vi.useRealTimers();
  // Every run a test started has written its record and stopped tracking itself.
  expect(recordUnfinishedRuns(new RunnerError('runner.unfinished', 'left over by a test'))).toEqual([]);
});

/** A task whose every attempt does what `behave` says, keeping each attempt's context and start time. */
class Scripted extends Task {
  readonly name: string;
  readonly description = 'scripted for a test';
  override readonly defaults: TaskDefaults | undefined;
  /** `Date.now()` (fake) as each attempt started. */
  readonly starts: number[] = [];
  readonly contexts: TaskContext[] = [];

  private readonly behave: (ctx: TaskContext, attempt: number) => Promise<TaskResult>;
  constructor(
    behave: (ctx: TaskContext, attempt: number) => Promise<TaskResult>,
    options: { name?: string; defaults?: TaskDefaults } = {},
  ) {
    super();
    this.behave = behave;
    this.name = options.name ?? 'scripted';
    this.defaults = options.defaults;
  }

  async run(ctx: TaskContext): Promise<TaskResult> {
    this.starts.push(Date.now());
    this.contexts.push(ctx);
    return this.behave(ctx, this.starts.length);
  }
}

/** A promise with its resolve, for a task that ends when the test says. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Waits until the run's signal fires, then rejects with its reason: a task that honours its abort. */
function untilAborted(ctx: TaskContext): Promise<never> {
  return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true }));
}

interface Home {
  settings: Settings;
  /** The task log's entries (pino JSON, parsed). */
  logs: Record<string, unknown>[];
  log: Logger;
  records(): Record<string, unknown>[];
  run(task: Task, options?: Partial<RunTaskOptions>): Promise<RunOutcome> & { settled(): boolean };
}

/** A fresh runner home whose runner.config.json holds `config` (and a lock that never goes stale). */
function home(config: RunnerConfig = {}): Home {
  const { home: dir, workspace } = makeHome('taskrunner-run-task-');
  writeFile(dir, 'runner.config.json', JSON.stringify({ workspace, ...config, lock: { staleMs: LOCK_STALE_MS } }));
  const settings = loadSettings({ home: dir }, {});
  const { log, entries: logs } = memoryLogger('debug');
  const logFile = path.join(dir, 'logs', 'tasks.jsonl');
  return {
    settings,
    logs,
    log,
    records: () => (existsSync(logFile) ? readRecords(readFileSync(logFile, 'utf8')) : []),
    run(task, options = {}) {
      let settled = false;
      const running = runTask(task, { settings, log, ...options }).finally(() => (settled = true));
      return Object.assign(running, { settled: () => settled });
    },
  };
}

/** Let real work finish (taking the lock loads its module once) until `check` holds, without moving the fake clock. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 30_000) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
}

/** Move the fake clock from timer to timer until `running` settles. */
async function finish<T>(running: Promise<T> & { settled(): boolean }): Promise<T> {
  await vi.advanceTimersByTimeAsync(0);
  while (!running.settled()) {
    if (vi.getTimerCount() === 0) await new Promise((resolve) => realSetTimeout(resolve, 5));
    else await vi.advanceTimersToNextTimerAsync();
  }
  return running;
}

/** The gaps between consecutive times. */
const gaps = (times: readonly number[]) => times.slice(1).map((time, i) => time - times[i]!);

describe('runTask: retries', () => {
  it('retries a failing task with backoff of 1 s, then ×2, and records the last error once', async () => {
    const h = home();
    const task = new Scripted(async (_ctx, attempt) => {
      throw new Error(`boom ${attempt}`);
    });
    const outcome = await finish(h.run(task));
    expect(task.starts).toHaveLength(3);
    expect(gaps(task.starts)).toEqual([1000, 2000]);
    expect(task.contexts.map((ctx) => ctx.attempt)).toEqual([1, 2, 3]);
    expect(outcome).toMatchObject({ status: 'failed', exitCode: EXIT.failure });
    expect(h.records()).toEqual([
      {
        task: 'scripted',
        dry_run: false,
        timestamp: expect.any(String),
        success: false,
        duration_seconds: 3,
        run_id: task.contexts[0]!.runId,
        attempts: 3,
        error: 'boom 3',
        error_type: 'Error',
        retry_attempts: 2,
        all_attempts_failed: true,
      },
    ]);
    expect(outcome.record).toEqual(h.records()[0]);
    // Every attempt of the run is the same run.
    expect(new Set(task.contexts.map((ctx) => ctx.runId)).size).toBe(1);
  });

  it("waits exactly the policy's delay before each next attempt, not a millisecond less", async () => {
    const h = home({ retry: { attempts: 4, minTimeoutMs: 300, factor: 3 } });
    const task = new Scripted(async () => {
      throw new Error('again');
    });
    const running = h.run(task);
    await until(() => task.starts.length === 1, 'the first attempt');
    for (const [index, wait] of [300, 900, 2700].entries()) {
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(task.starts, `attempt ${index + 2} after ${wait - 1} ms`).toHaveLength(index + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(task.starts, `attempt ${index + 2} after ${wait} ms`).toHaveLength(index + 2);
    }
    const outcome = await finish(running);
    expect(outcome.record).toMatchObject({ attempts: 4, retry_attempts: 3, all_attempts_failed: true, duration_seconds: 3.9 });
  });

  it('logs each failed attempt with the wait it is followed by, as long as the wait really is', async () => {
    const h = home({ retry: { attempts: 3, minTimeoutMs: 500, maxTimeoutMs: 700 } });
    const task = new Scripted(async (_ctx, attempt) => {
      throw new Error(`fail ${attempt}`);
    });
    await finish(h.run(task));
    // The cap holds: 500, then 1000 capped to 700.
    expect(gaps(task.starts)).toEqual([500, 700]);
    const failed = h.logs.filter((entry) => typeof entry.attempt === 'number');
    expect(failed.map(({ attempt, attempts, retries_left, retry_in_ms, msg }) => ({ attempt, attempts, retries_left, retry_in_ms, msg }))).toEqual([
      { attempt: 1, attempts: 3, retries_left: 2, retry_in_ms: 500, msg: 'attempt 1 failed: fail 1' },
      { attempt: 2, attempts: 3, retries_left: 1, retry_in_ms: 700, msg: 'attempt 2 failed: fail 2' },
      { attempt: 3, attempts: 3, retries_left: 0, retry_in_ms: undefined, msg: 'attempt 3 failed: fail 3' },
    ]);
  });

  it("succeeds on a later attempt: one success record with its attempts and the result's own keys", async () => {
    const h = home();
    const task = new Scripted(async (_ctx, attempt) => {
      if (attempt < 3) return { success: false, message: `not yet ${attempt}` };
      return { success: true, message: 'third time', items: 7, success_extra: true };
    });
    const outcome = await finish(h.run(task));
    expect(outcome).toMatchObject({ status: 'success', exitCode: EXIT.ok, result: { message: 'third time', items: 7 } });
    expect(h.records()).toEqual([
      expect.objectContaining({ success: true, message: 'third time', items: 7, success_extra: true, attempts: 3, duration_seconds: 3 }),
    ]);
    expect(h.records()[0]).not.toHaveProperty('error');
  });

  it('a task reporting success: false uses every attempt and keeps its last result in the record', async () => {
    const h = home({ retry: { attempts: 2 } });
    const task = new Scripted(async (_ctx, attempt) => ({ success: false, message: `vault sealed ${attempt}`, checked: attempt }));
    const outcome = await finish(h.run(task));
    expect(outcome.status).toBe('failed');
    expect(h.records()).toEqual([
      expect.objectContaining({ success: false, message: 'vault sealed 2', checked: 2, error: 'vault sealed 2', error_type: 'TaskFailed', attempts: 2, all_attempts_failed: true }),
    ]);
  });

  it('stops at a NonRetryableError, an error marked retryable: false, and a thrown string is retried', async () => {
    for (const error of [new NonRetryableError('configuration is wrong'), Object.assign(new Error('corrupt file'), { retryable: false })]) {
      const h = home();
      const task = new Scripted(async () => {
        throw error;
      });
      const outcome = await finish(h.run(task));
      expect(task.starts).toHaveLength(1);
      expect(outcome.record).toMatchObject({ error: error.message, error_type: error.name, attempts: 1, retry_attempts: 0, all_attempts_failed: false });
    }
    const h = home({ retry: { attempts: 2 } });
    const task = new Scripted(async () => {
      throw 'a string';
    });
    const outcome = await finish(h.run(task));
    expect(task.starts).toHaveLength(2);
    expect(outcome.record).toMatchObject({ error: 'a string', error_type: 'string', attempts: 2, all_attempts_failed: true });
  });

  it('a non-retryable error on the last attempt is no "all attempts failed"', async () => {
    const h = home({ retry: { attempts: 2 } });
    const task = new Scripted(async (_ctx, attempt) => {
      throw attempt === 1 ? new Error('network down') : new NonRetryableError('bad credentials');
    });
    const outcome = await finish(h.run(task));
    expect(outcome.record).toMatchObject({ attempts: 2, error: 'bad credentials', error_type: 'NonRetryableError', all_attempts_failed: false });
  });

  it('retry.maxRetryTimeMs cuts the last wait short and ends the run before its attempts are used up', async () => {
    const h = home({ retry: { attempts: 5, maxRetryTimeMs: 2500 } });
    const task = new Scripted(async (_ctx, attempt) => {
      throw new Error(`down ${attempt}`);
    });
    const outcome = await finish(h.run(task));
    // 1000 ms, then 2000 ms cut to the 1500 ms left; after that no time is left for another.
    expect(gaps(task.starts)).toEqual([1000, 1500]);
    expect(h.logs.filter((entry) => typeof entry.attempt === 'number').map((entry) => entry.retry_in_ms)).toEqual([1000, 1500, undefined]);
    expect(outcome.record).toMatchObject({ attempts: 3, error: 'down 3', all_attempts_failed: false, duration_seconds: 2.5 });
  });

  it("takes attempts from retries (wins), then the task's defaults; one attempt needs no waiting", async () => {
    const h = home({ retry: { attempts: 5 } });
    const failing = (defaults?: TaskDefaults) =>
      new Scripted(
        async () => {
          throw new Error('no');
        },
        { defaults },
      );
    const own = failing({ attempts: 2 });
    await finish(h.run(own));
    expect(own.starts).toHaveLength(2);
    const once = failing({ attempts: 2 });
    await finish(h.run(once, { retries: 0 }));
    expect(once.starts).toHaveLength(1);
    expect(h.records().map((record) => record.attempts)).toEqual([2, 1]);
  });

  it('a task whose run() resolves to something else than a result fails, naming the task', async () => {
    const h = home({ retry: { attempts: 1 } });
    const task = new Scripted(async () => 'done' as unknown as TaskResult);
    const outcome = await finish(h.run(task));
    expect(outcome.record).toMatchObject({ error: 'task scripted: run() must resolve to an object with a boolean "success"', error_type: 'TypeError' });
  });
});

describe('runTask: timeouts and the grace period', () => {
  it('aborts a task at its timeout through ctx.signal; the record is written as it stops', async () => {
    const h = home();
    const task = new Scripted(untilAborted);
    const running = h.run(task, { timeoutMs: 10_000 });
    await until(() => task.starts.length === 1, 'the attempt');
    const { signal } = task.contexts[0]!;
    await vi.advanceTimersByTimeAsync(9_999);
    expect(signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ code: 'runner.timedOut', message: 'timed out after 10s' });
    const outcome = await finish(running);
    expect(outcome).toMatchObject({ status: 'timed_out', exitCode: EXIT.failure });
    // No retry after a timeout: it ends the whole run.
    expect(task.starts).toHaveLength(1);
    expect(h.records()).toEqual([
      expect.objectContaining({ success: false, error: 'timed out after 10s', error_type: 'timed_out', timed_out: true, attempts: 1, all_attempts_failed: false, duration_seconds: 10 }),
    ]);
    await expect(outcome.lockReleased).resolves.toBeUndefined();
  });

  it('the timeout covers every attempt and the waits between them', async () => {
    const h = home({ retry: { attempts: 5 }, tasks: { scripted: { timeout: '2500ms' } } });
    const task = new Scripted(async () => {
      throw new Error('flaky');
    });
    const outcome = await finish(h.run(task));
    // Attempts at 0 and 1000 ms; the next was due at 3000 ms, the run ended at 2500 ms.
    expect(gaps(task.starts)).toEqual([1000]);
    expect(outcome.status).toBe('timed_out');
    expect(outcome.record).toMatchObject({ attempts: 2, retry_attempts: 1, timed_out: true, duration_seconds: 2.5 });
  });

  it('a task that ignores its signal is recorded as timed out 5 s after the abort; its lock is kept until it settles', async () => {
    const h = home();
    const hang = deferred<TaskResult>();
    const task = new Scripted(() => hang.promise);
    const running = h.run(task, { timeoutMs: 1_000 });
    await until(() => task.starts.length === 1, 'the attempt');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(task.contexts[0]!.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(running.settled()).toBe(false);
    expect(h.records()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(running.settled()).toBe(true);
    const outcome = await running;
    expect(outcome.status).toBe('timed_out');
    expect(h.records()).toEqual([expect.objectContaining({ error: 'timed out after 1s', timed_out: true, duration_seconds: 6 })]);

    // Its code may still be writing: the task stays locked until its run() settles.
    let released = false;
    void outcome.lockReleased.then(() => (released = true));
    const meanwhile = await finish(h.run(new Scripted(async () => ({ success: true }))));
    expect(meanwhile.status).toBe('locked');
    expect(released).toBe(false);
    hang.resolve({ success: true, message: 'finally' });
    await outcome.lockReleased;
    const after = await finish(h.run(new Scripted(async () => ({ success: true }))));
    expect(after.status).toBe('success');
    // One record per run, the late success of the first adding none.
    expect(h.records().map((record) => [record.success, record.locked, record.timed_out])).toEqual([
      [false, undefined, true],
      [false, true, undefined],
      [true, undefined, undefined],
    ]);
  });

  it('abortGraceMs sets the grace period', async () => {
    const h = home();
    const task = new Scripted(() => new Promise<never>(() => undefined));
    const running = h.run(task, { timeoutMs: 1_000, abortGraceMs: 200 });
    await until(() => task.starts.length === 1, 'the attempt');
    await vi.advanceTimersByTimeAsync(1_199);
    expect(running.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await running).record).toMatchObject({ timed_out: true, duration_seconds: 1.2 });
  });
});

describe('runTask: cancellation from outside', () => {
  it('a RunnerError reason chooses the status and exit code; the task sees it on ctx.signal', async () => {
    const h = home();
    const controller = new AbortController();
    const task = new Scripted(untilAborted);
    const running = h.run(task, { signal: controller.signal });
    await until(() => task.starts.length === 1, 'the attempt');
    await vi.advanceTimersByTimeAsync(2_500);
    const reason = new RunnerError('runner.cancelled', 'cancelled by SIGTERM', { exitCode: EXIT.sigterm });
    controller.abort(reason);
    const outcome = await finish(running);
    expect(task.contexts[0]!.signal.reason).toBe(reason);
    expect(outcome).toMatchObject({ status: 'cancelled', exitCode: EXIT.sigterm });
    expect(h.records()).toEqual([
      expect.objectContaining({ error: 'cancelled by SIGTERM', error_type: 'cancelled', cancelled: true, attempts: 1, duration_seconds: 2.5 }),
    ]);
  });

  it('any other reason is a cancellation with exit 1; a signal aborted before the run makes no attempt', async () => {
    const h = home();
    const task = new Scripted(async () => ({ success: true }));
    const outcome = await finish(h.run(task, { signal: AbortSignal.abort(new Error('operator said stop')) }));
    expect(task.starts).toEqual([]);
    expect(outcome).toMatchObject({ status: 'cancelled', exitCode: EXIT.failure, record: { error: 'cancelled: operator said stop', attempts: 0, cancelled: true } });
    expect(h.records()).toHaveLength(1);
  });
});

describe('runTask: unfinished runs', () => {
  it('a run whose task never settles is recorded once as unfinished by recordUnfinishedRuns, and only while in flight', async () => {
    const h = home();
    const task = new Scripted(() => new Promise<never>(() => undefined));
    const running = h.run(task);
    await until(() => task.starts.length === 1, 'the attempt');
    await vi.advanceTimersByTimeAsync(42_000);
    const reason = new RunnerError('runner.unfinished', 'its run() never settled: the event loop ran empty');
    const recorded = recordUnfinishedRuns<RunRecord>(reason);
    expect(recorded).toEqual([{ ok: true, value: h.records()[0] }]);
    expect(h.records()).toEqual([
      expect.objectContaining({ task: 'scripted', success: false, error: reason.message, error_type: 'unfinished', attempts: 1, all_attempts_failed: false, duration_seconds: 42 }),
    ]);
    // Recorded once: the exit handler that runs next finds nothing left.
    expect(recordUnfinishedRuns(reason)).toEqual([]);
    expect(running.settled()).toBe(false);
  });

  it('a finished run, whatever its end, leaves nothing for recordUnfinishedRuns', async () => {
    const h = home({ retry: { attempts: 1 } });
    await finish(h.run(new Scripted(async () => ({ success: true }))));
    await finish(h.run(new Scripted(async () => Promise.reject(new Error('no')))));
    await finish(h.run(new Scripted(untilAborted), { timeoutMs: 50 }));
    expect(recordUnfinishedRuns(new RunnerError('runner.unfinished', 'exit'))).toEqual([]);
    expect(h.records()).toHaveLength(3);
  });
});

describe('runTask: dry run', () => {
  it('tells the task, writes nothing but its record, which says dry_run', async () => {
    const h = home();
    const task = new Scripted(async (ctx) => {
      await ctx.updateJson('store.json', () => ({ changed: true }));
      await ctx.appendText('diary.md', 'entry\n');
      await ctx.alert('would alert', 'error');
      return { success: true, message: `dry run: ${ctx.dryRun}` };
    });
    const outcome = await finish(h.run(task, { dryRun: true, scheduled: true }));
    expect(outcome.status).toBe('success');
    expect(task.contexts[0]!.dryRun).toBe(true);
    expect(h.records()).toEqual([expect.objectContaining({ dry_run: true, success: true, message: 'dry run: true', scheduled: true })]);
    expect(existsSync(path.join(h.settings.workspace, 'store.json'))).toBe(false);
    expect(existsSync(path.join(h.settings.workspace, 'diary.md'))).toBe(false);
    expect(existsSync(path.join(h.settings.home, 'alerts', 'pending.json'))).toBe(false);
    expect(h.logs.some((entry) => entry.msg === 'dry run: alert not written')).toBe(true);
  });

  it('a failing dry run retries and records like any run, and raises no run-failed alert', async () => {
    const h = home({ retry: { attempts: 2 } });
    const task = new Scripted(async () => {
      throw new Error('nope');
    });
    const outcome = await finish(h.run(task, { dryRun: true, scheduled: true }));
    expect(gaps(task.starts)).toEqual([1000]);
    expect(outcome.record).toMatchObject({ dry_run: true, attempts: 2, error: 'nope', all_attempts_failed: true });
    expect(existsSync(path.join(h.settings.home, 'alerts', 'pending.json'))).toBe(false);
  });

  it('appends its record without rotating the run log, which a real run then rotates', async () => {
    const h = home({ logs: { maxBytes: 100, keep: 2 } });
    const log = path.join(h.settings.home, 'logs', 'tasks.jsonl');
    const ok = () => new Scripted(async () => ({ success: true }));
    await finish(h.run(ok()));
    await finish(h.run(ok(), { dryRun: true }));
    expect(existsSync(`${log}.1`)).toBe(false);
    expect(h.records().map((record) => record.dry_run)).toEqual([false, true]);
    await finish(h.run(ok()));
    expect(readRecords(readFileSync(`${log}.1`, 'utf8')).map((record) => record.dry_run)).toEqual([false, true]);
    expect(h.records().map((record) => record.dry_run)).toEqual([false]);
  });
});

describe('runTask: one record per run', () => {
  it('every run appends exactly one line, in order, each with its own run id', async () => {
    const h = home({ retry: { attempts: 2 } });
    const outcomes: RunOutcome[] = [];
    outcomes.push(await finish(h.run(new Scripted(async () => ({ success: true, message: 'one' })))));
    outcomes.push(
      await finish(
        h.run(
          new Scripted(async () => {
            throw new Error('two');
          }),
        ),
      ),
    );
    outcomes.push(await finish(h.run(new Scripted(untilAborted), { timeoutMs: 100 })));
    outcomes.push(await finish(h.run(new Scripted(async () => ({ success: true, message: 'four' })), { dryRun: true })));
    const records = h.records();
    expect(records).toEqual(outcomes.map((outcome) => outcome.record));
    expect(records.map((record) => record.success)).toEqual([true, false, false, true]);
    expect(new Set(records.map((record) => record.run_id)).size).toBe(4);
  });

  it('a run that finds its task locked writes a locked record and makes no attempt', async () => {
    const h = home();
    const hold = deferred<TaskResult>();
    const first = new Scripted(() => hold.promise);
    const running = h.run(first);
    await until(() => first.starts.length === 1, 'the first run');
    const second = new Scripted(async () => ({ success: true }));
    const locked = await finish(h.run(second, { scheduled: true }));
    expect(second.starts).toEqual([]);
    expect(locked).toMatchObject({ status: 'locked', exitCode: EXIT.locked, result: undefined });
    hold.resolve({ success: true });
    await finish(running);
    expect(h.records()).toEqual([
      { task: 'scripted', timestamp: expect.any(String), success: false, error: 'Task is already running (locked)', locked: true, scheduled: true },
      expect.objectContaining({ success: true, attempts: 1 }),
    ]);
  });

  it("stamps the record with the run's start in local time with its offset", async () => {
    const h = home({ retry: { attempts: 1 } });
    const running = h.run(new Scripted(untilAborted), { timeoutMs: 90_000 });
    const outcome = await finish(running);
    const stamp = String(outcome.record.timestamp);
    expect(new Date(stamp).getTime()).toBe(new Date('2026-03-01T09:00:00Z').getTime());
    expect(stamp).toMatch(/^2026-03-01T\d\d:\d\d:00(\.000)?([+-]\d\d:\d\d|Z)$/);
    expect(outcome.record.duration_seconds).toBe(90);
  });
});
