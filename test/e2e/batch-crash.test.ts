import { existsSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, startCli } from '../helpers/cli.js';
import { OLD_DIARY, oldEntry } from '../batch/old-format.js';
import { ageLocks, batchHome, blockNumbers, markerCounts, until, type BatchHome } from './batch-helpers.js';

/**
 * `kill -9` of a real executor, from the outside, at moments chosen by watching what it does to
 * the workspace: while it claims (the queue's short lock appears), while a command runs, while it
 * appends to the diary (the append's journal appears), during its final queue write, and after
 * seeded random delays. After a rerun, every task must be in the diary exactly once.
 */

// A queue mixing the old format, planned entries with priorities and dependencies, and commands
// (each command is claimed, run, logged and settled on its own, so there are many windows to hit).
// `cmd-wait` runs until the file `go` exists, so a kill can be aimed at a running command.
function crashQueue(): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [1, 2, 3, 4].map((n) => oldEntry(n));
  entries.push({ id: 'cmd-a', task: 'Command A', status: 'pending', command: 'echo a' });
  entries.push({ id: 'dep-b', task: 'After A', status: 'pending', priority: 'high', depends_on: ['cmd-a'] });
  entries.push({ id: 'cmd-wait', task: 'Command waiting', status: 'pending', command: 'echo $$ > cmd.pid; while [ ! -f go ]; do sleep 0.02; done' });
  for (let n = 0; n < 6; n++) entries.push({ id: `p${n}`, task: `Planned ${n}`, status: 'pending', priority: n % 3 === 0 ? 'high' : 'medium' });
  for (let n = 0; n < 3; n++) entries.push({ id: `cmd-${n}`, task: `Command ${n}`, status: 'pending', command: `echo ${n}` });
  for (let n = 6; n < 9; n++) entries.push({ id: `p${n}`, task: `Planned ${n}`, status: 'pending', priority: 'low' });
  return entries;
}
const TOTAL = crashQueue().length;
const QUEUE_LOCK = 'batch-tasks.json.lock';
const DIARY_JOURNAL = '.diary.md.append';

function runBatch(h: BatchHome) {
  return startCli(['batch', '100', '--quiet', '--home', h.home, '--workspace', h.workspace]);
}

/** Resolve when `name` has been created in `dir` for the `nth` time (inotify: create and delete alternate). */
function nthCreation(dir: string, name: string, nth: number): { created: Promise<void>; close(): void } {
  let events = 0;
  let resolve!: () => void;
  const created = new Promise<void>((done) => (resolve = done));
  const watcher = watch(dir, (_type, file) => {
    if (file === name && ++events === 2 * nth - 1) resolve();
  });
  return { created, close: () => watcher.close() };
}

/**
 * Start an executor, kill -9 it once `moment` resolves (or let it finish), rerun it to the end and
 * check the diary. Resolves to true when the kill landed (the executor had not finished).
 */
async function killAndRerun(h: BatchHome, moment: (child: ReturnType<typeof runBatch>) => Promise<void>): Promise<boolean> {
  const child = runBatch(h);
  const done = collect(child);
  await Promise.race([moment(child), done]);
  child.kill('SIGKILL');
  const killed = (await done).signal === 'SIGKILL';
  writeFileSync(path.join(h.workspace, 'go'), '');
  ageLocks(h.home, h.workspace);
  const rerun = await collect(runBatch(h));
  expect(rerun.stderr).toBe('');
  expect(rerun.code).toBe(0);
  expect(h.queue()).toEqual([]);
  const counts = markerCounts(h.diary());
  expect(counts.size).toBe(TOTAL);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(h.diary().startsWith(OLD_DIARY)).toBe(true);
  expect(blockNumbers(h.diary().slice(OLD_DIARY.length))).toEqual(Array.from({ length: TOTAL }, (_, i) => 42 + i));
  expect(existsSync(path.join(h.workspace, DIARY_JOURNAL))).toBe(false);
  return killed;
}

/** Kill when the executor does something to `name` in the workspace for the `nth` time. */
function whenCreated(h: BatchHome, name: string, nth: number) {
  return async () => {
    const watcher = nthCreation(h.workspace, name, nth);
    try {
      await watcher.created;
    } finally {
      watcher.close();
    }
  };
}

// Deterministic pseudo-random numbers (mulberry32): a failing trial is reproduced by its seed.
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('kill -9 of the executor, from outside', () => {
  it('while it claims its first entries', async () => {
    const h = batchHome(crashQueue(), OLD_DIARY);
    writeFileSync(path.join(h.workspace, 'go'), '');
    expect(await killAndRerun(h, whenCreated(h, QUEUE_LOCK, 1))).toBe(true);
  });

  it('while a command runs', async () => {
    const h = batchHome(crashQueue(), OLD_DIARY);
    expect(await killAndRerun(h, (child) => until(() => existsSync(path.join(h.workspace, 'cmd.pid')), child))).toBe(true);
  });

  it('while it appends to the diary', async () => {
    const h = batchHome(crashQueue(), OLD_DIARY);
    writeFileSync(path.join(h.workspace, 'go'), '');
    expect(await killAndRerun(h, whenCreated(h, DIARY_JOURNAL, 2))).toBe(true);
  });

  it('during its final queue write', async () => {
    // The queue's lock is taken once per claim and once per settle; count them in a clean run.
    const clean = batchHome(crashQueue(), OLD_DIARY);
    writeFileSync(path.join(clean.workspace, 'go'), '');
    let writes = 0;
    const watcher = watch(clean.workspace, (_type, file) => {
      if (file === QUEUE_LOCK) writes++;
    });
    expect((await collect(runBatch(clean))).code).toBe(0);
    watcher.close();
    const h = batchHome(crashQueue(), OLD_DIARY);
    writeFileSync(path.join(h.workspace, 'go'), '');
    expect(await killAndRerun(h, whenCreated(h, QUEUE_LOCK, Math.ceil(writes / 2)))).toBe(true);
  });

  const SEED = 20260204;
  it(`at seeded random queue writes and delays (seed ${SEED})`, async () => {
    const random = seeded(SEED);
    for (let trial = 0; trial < 4; trial++) {
      const h = batchHome(crashQueue(), OLD_DIARY);
      writeFileSync(path.join(h.workspace, 'go'), '');
      const nth = 1 + Math.floor(random() * 12);
      const delay = random() * 30;
      // Whether the kill landed varies; what must hold either way is checked inside.
      await killAndRerun(h, async () => {
        await whenCreated(h, QUEUE_LOCK, nth)();
        await new Promise((resolve) => setTimeout(resolve, delay));
      });
    }
  });
});
