import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addBatchTask } from '../../src/batch/add.js';
import { executeBatch, type ExecuteBatchOptions } from '../../src/batch/execute.js';
import { readQueue } from '../../src/batch/queue-file.js';
import type { AlertLevel } from '../../src/store/alerts.js';
import { makeWorkspace, OLD_DIARY, oldEntry } from './old-format.js';

let runs = 0;
function batch(workspace: string, extra: Partial<ExecuteBatchOptions> = {}) {
  const alerts: { message: string; level: AlertLevel }[] = [];
  const promise = executeBatch({
    workspace,
    runId: `run-${++runs}`,
    alert: async (message, level) => {
      alerts.push({ message, level });
    },
    ...extra,
  });
  return promise.then((summary) => ({ summary, alerts }));
}
const diaryOf = (workspace: string) => readFileSync(path.join(workspace, 'diary.md'), 'utf8');
const queueOf = (workspace: string) => JSON.parse(readFileSync(path.join(workspace, 'batch-tasks.json'), 'utf8')) as Record<string, unknown>[];
const headings = (workspace: string) => diaryOf(workspace).match(/^### .*$/gm) ?? [];

describe('executeBatch on the old tools\' files', () => {
  it('logs Work Blocks 42–44, leaves the rest pending, keeps the old fields', async () => {
    const old = [1, 2, 3, 4, 5].map((n) => oldEntry(n));
    const workspace = makeWorkspace(old, OLD_DIARY);
    const { summary } = await batch(workspace, { limit: 3 });
    expect(summary).toMatchObject({ success: true, executed: 3, completed: 3, work_blocks: [42, 43, 44], pending: 2 });
    const diary = diaryOf(workspace);
    expect(diary.startsWith(OLD_DIARY)).toBe(true);
    expect(headings(workspace).slice(-3)).toEqual([
      expect.stringMatching(/^### \d{4}-\d\d-\d\dT\d\d:\d\dZ — Work Block 42 — Old task 1$/),
      expect.stringMatching(/ — Work Block 43 — Old task 2$/),
      expect.stringMatching(/ — Work Block 44 — Old task 3$/),
    ]);
    // As the old executor: an empty result is "Task completed", an empty next step "Continue work blocks".
    expect(diary).toContain('**Task:** Old task 1\n**Result:** Task completed\n**Insight:** Insight 1\n**Next:** Continue work blocks\n\n**Status:** ✅ Complete\n');
    expect(diary).toContain('**Result:** Result 2\n');
    const left = queueOf(workspace);
    expect(left).toHaveLength(2);
    left.forEach((entry, i) => expect(entry).toEqual({ ...old[i + 3], id: expect.stringMatching(/^[0-9a-f]{8}$/) }));
  });

  it('removes entries the old executor left as complete without logging them again', async () => {
    const workspace = makeWorkspace([oldEntry(1, { status: 'complete', completed: '2026-02-03T17:40:00.5' }), oldEntry(2)], OLD_DIARY);
    const { summary } = await batch(workspace);
    expect(summary.completed).toBe(1);
    expect(headings(workspace).filter((h) => h.includes('Old task'))).toEqual([expect.stringContaining('Work Block 42 — Old task 2')]);
    expect(queueOf(workspace)).toEqual([]);
  });
});

describe('executeBatch commands', () => {
  it('puts a successful command\'s exit status and output tail in the result', async () => {
    const workspace = makeWorkspace();
    await addBatchTask({ workspace, task: 'Say hello', command: 'echo first; pwd; echo hello from $0' });
    const { summary } = await batch(workspace);
    expect(summary.items[0]).toMatchObject({ outcome: 'complete', result: `exit 0: first ${workspace} hello from /bin/sh` });
    expect(diaryOf(workspace)).toContain(`**Result:** exit 0: first ${workspace} hello from /bin/sh\n`);
    expect(queueOf(workspace)).toEqual([]);
  });

  it('retries a failing command on later batches, then keeps it as failed with an alert', async () => {
    const workspace = makeWorkspace();
    const { entry } = await addBatchTask({ workspace, task: 'Break', command: 'echo oops >&2; exit 1', max_attempts: 2 });
    const first = await batch(workspace);
    expect(first.summary).toMatchObject({ success: false, retrying: 1, failed: 0 });
    // Not retried within the same batch.
    expect(first.summary.executed).toBe(1);
    expect(queueOf(workspace)[0]).toMatchObject({ status: 'pending', attempts: 1, error: 'exit 1: oops' });
    expect(first.alerts).toEqual([]);
    const second = await batch(workspace);
    expect(second.summary).toMatchObject({ success: false, failed: 1 });
    expect(queueOf(workspace)[0]).toMatchObject({ id: entry.id, status: 'failed', attempts: 2, error: 'exit 1: oops' });
    expect(second.alerts).toEqual([{ level: 'error', message: expect.stringContaining(`batch task ${entry.id} "Break" failed after 2 attempts: exit 1: oops`) }]);
    const third = await batch(workspace);
    expect(third.summary.executed).toBe(0);
    expect(() => diaryOf(workspace)).toThrow();
  });

  it('stops a running command when the run is aborted and puts its entry back', async () => {
    const workspace = makeWorkspace();
    await addBatchTask({ workspace, task: 'Slow', command: 'sleep 30' });
    const controller = new AbortController();
    const pending = batch(workspace, { signal: controller.signal, onProgress: () => setTimeout(() => controller.abort(new Error('timed out')), 200) });
    await expect(pending).rejects.toThrow('timed out');
    expect(queueOf(workspace)[0]).toMatchObject({ status: 'pending' });
    expect(queueOf(workspace)[0]).not.toHaveProperty('claimed_by');
    expect(queueOf(workspace)[0]).not.toHaveProperty('attempts');
  });

  it('refuses command and run entries from a group-writable queue file, and says why', async () => {
    const workspace = makeWorkspace();
    await addBatchTask({ workspace, task: 'Risky', command: 'touch ran' });
    await addBatchTask({ workspace, task: 'Planned' });
    chmodSync(path.join(workspace, 'batch-tasks.json'), 0o664);
    const { summary, alerts } = await batch(workspace);
    expect(summary).toMatchObject({ success: false, refused: 1, completed: 1 });
    expect(summary.error).toMatch(/refusing to run command\/run entries from .*batch-tasks\.json: it is writable by group/);
    expect(alerts[0]?.level).toBe('warning');
    expect(queueOf(workspace)).toEqual([expect.objectContaining({ task: 'Risky', status: 'pending' })]);
  });

  it('runs a `run` entry through the given task runner and takes its result', async () => {
    const workspace = makeWorkspace();
    await addBatchTask({ workspace, task: 'Health', run: 'system_health' });
    const calls: string[] = [];
    const { summary } = await batch(workspace, {
      runTask: async (name) => {
        calls.push(name);
        return { success: true, message: 'all healthy' };
      },
    });
    expect(calls).toEqual(['system_health']);
    expect(summary.items[0]).toMatchObject({ outcome: 'complete', result: 'all healthy' });
  });
});

describe('executeBatch order', () => {
  it('follows priority, FIFO and dependencies, and blocks dependents of a failed task', async () => {
    const workspace = makeWorkspace();
    const low = await addBatchTask({ workspace, task: 'low', priority: 'low' });
    await addBatchTask({ workspace, task: 'after low', priority: 'high', depends_on: [low.entry.id] });
    await addBatchTask({ workspace, task: 'medium' });
    await addBatchTask({ workspace, task: 'high', priority: 'high' });
    const bad = await addBatchTask({ workspace, task: 'bad', command: 'exit 3', max_attempts: 1, priority: 'low' });
    await addBatchTask({ workspace, task: 'needs bad', priority: 'high', depends_on: [bad.entry.id] });
    const { summary } = await batch(workspace, { limit: 10 });
    expect(summary.items.map((item) => `${item.task}:${item.outcome}`)).toEqual([
      'high:complete',
      'medium:complete',
      'low:complete',
      'after low:complete',
      'bad:failed',
    ]);
    const left = await readQueue(path.join(workspace, 'batch-tasks.json'));
    expect(left.map((e) => `${e.task}:${e.status}`)).toEqual(['bad:failed', 'needs bad:pending']);
  });
});

describe('executeBatch dry run', () => {
  it('says what would run and changes nothing', async () => {
    const workspace = makeWorkspace([oldEntry(1), oldEntry(2, { status: 'running', claimed_by: 'dead' })], OLD_DIARY);
    const before = readFileSync(path.join(workspace, 'batch-tasks.json'), 'utf8');
    const { summary } = await batch(workspace, { dryRun: true });
    expect(summary).toMatchObject({ dry_run: true, would_run: 2, executed: 0 });
    expect(summary.items.map((i) => i.work_block)).toEqual([42, 43]);
    expect(readFileSync(path.join(workspace, 'batch-tasks.json'), 'utf8')).toBe(before);
    expect(diaryOf(workspace)).toBe(OLD_DIARY);
  });
});

describe('addBatchTask', () => {
  it('adds concurrently without losing any, each with its own id', async () => {
    const workspace = makeWorkspace([oldEntry(1)]);
    const added = await Promise.all(Array.from({ length: 30 }, (_, i) => addBatchTask({ workspace, task: `t${i}` })));
    const queue = queueOf(workspace);
    expect(queue).toHaveLength(31);
    expect(new Set(queue.map((e) => e.id)).size).toBe(31);
    expect(Math.max(...added.map((a) => a.pending))).toBe(31);
  });

  it('refuses unknown dependencies and bad flags, naming them', async () => {
    const workspace = makeWorkspace([]);
    await expect(addBatchTask({ workspace, task: 'x', depends_on: ['nope'] })).rejects.toThrow(/--depends-on: no task with id nope/);
    await expect(addBatchTask({ workspace, task: 'x', max_attempts: 0 })).rejects.toThrow(/--max-attempts/);
    await expect(addBatchTask({ workspace, task: 'x', run: 'batch' })).rejects.toThrow(/--run/);
    await expect(addBatchTask({ workspace, task: ' ' })).rejects.toThrow(/must not be empty/);
    expect(queueOf(workspace)).toEqual([]);
  });
});

describe('executeBatch holds the queue\'s executor lock itself', () => {
  it('a second executeBatch on the same queue while one runs is refused, and logs nothing', async () => {
    const workspace = makeWorkspace();
    await addBatchTask({ workspace, task: 'Gate', command: 'while [ ! -f release ]; do sleep 0.02; done' });
    await addBatchTask({ workspace, task: 'Planned' });
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = batch(workspace, { limit: 5, onProgress: () => started() });
    await running;
    await expect(batch(workspace, { limit: 5 })).rejects.toMatchObject({ code: 'runner.locked' });
    writeFileSync(path.join(workspace, 'release'), '');
    expect((await first).summary).toMatchObject({ completed: 2 });
    expect(diaryOf(workspace).match(/^\*\*Task:\*\* .*$/gm)).toEqual(['**Task:** Gate', '**Task:** Planned']);
  });
});

describe('layering', () => {
  it('src/batch imports nothing from the runner core\'s run-task', () => {
    const dir = path.resolve('src/batch');
    for (const name of readdirSync(dir)) {
      expect(readFileSync(path.join(dir, name), 'utf8'), name).not.toMatch(/core\/run-task/);
    }
  });
});
