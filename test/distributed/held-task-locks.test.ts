import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireTaskLock, taskLockPath } from '../../src/core/task-lock.js';
import { HeldTaskLocks } from '../../src/distributed/held-task-locks.js';

const home = () => mkdtempSync(path.join(tmpdir(), 'taskrunner-held-'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// What a local run (`runner run`, cron) of the task would get.
const localRun = (h: string) => acquireTaskLock(h, 'sample', { onCompromised: () => undefined });

describe('HeldTaskLocks', () => {
  it('keeps the lock through runs that follow each other closely, and a local run finds the task locked', async () => {
    const h = home();
    const locks = new HeldTaskLocks({ home: h, idleMs: 300 });
    for (let run = 0; run < 3; run++) {
      const held = await locks.take('sample');
      expect(held?.path).toBe(taskLockPath(h, 'sample'));
      locks.runEnded('sample', Promise.resolve());
      await sleep(20);
      expect(await localRun(h)).toBeUndefined();
    }
    await locks.releaseAll();
  });

  it('releases the lock once no run followed for idleMs', async () => {
    const h = home();
    const locks = new HeldTaskLocks({ home: h, idleMs: 50 });
    await locks.take('sample');
    locks.runEnded('sample', Promise.resolve());
    await sleep(200);
    expect(existsSync(taskLockPath(h, 'sample'))).toBe(false);
    const local = await localRun(h);
    expect(local).toBeDefined();
    // The worker's next job now finds the task locked by the local run.
    expect(await locks.take('sample')).toBeUndefined();
    await local!.release();
    expect(await locks.take('sample')).toBeDefined();
    await locks.releaseAll();
  });

  it('gives no lock while its previous run has not settled (a task that ignored its abort)', async () => {
    const h = home();
    const locks = new HeldTaskLocks({ home: h, idleMs: 50 });
    await locks.take('sample');
    let settle!: () => void;
    locks.runEnded('sample', new Promise<void>((resolve) => (settle = resolve)));
    expect(await locks.take('sample')).toBeUndefined();
    await sleep(100);
    expect(existsSync(taskLockPath(h, 'sample'))).toBe(true);
    settle();
    await sleep(10);
    expect(await locks.take('sample')).toBeDefined();
    locks.runEnded('sample', Promise.resolve());
    await sleep(10);
    await locks.releaseAll();
    expect(existsSync(taskLockPath(h, 'sample'))).toBe(false);
  });

  it('signals a lost lock to the run holding it, and takes a fresh one for the next run', async () => {
    const h = home();
    const locks = new HeldTaskLocks({ home: h, staleMs: 2000 });
    const held = await locks.take('sample');
    rmSync(taskLockPath(h, 'sample'), { recursive: true });
    // The lock's refresh (every staleMs / 2) finds it gone.
    await new Promise((resolve) => held!.lost.addEventListener('abort', resolve, { once: true }));
    expect((held!.lost.reason as { code?: string }).code).toBe('lock.compromised');
    locks.runEnded('sample', Promise.resolve());
    const next = await locks.take('sample');
    expect(next?.lost.aborted).toBe(false);
    expect(existsSync(taskLockPath(h, 'sample'))).toBe(true);
    await locks.releaseAll();
  });
});
