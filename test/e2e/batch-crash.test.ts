import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, startCli } from '../helpers/cli.js';
import { OLD_DIARY, oldEntry } from '../batch/old-format.js';
import { ageLocks, batchHome, blockNumbers, markerCounts, type BatchHome } from './batch-helpers.js';

beforeAll(() => {
  if (!existsSync(path.resolve('dist/cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
});

// A queue mixing the old format, planned entries with priorities and dependencies, and commands
// (each command is claimed, run, logged and settled on its own, so there are many windows to hit).
function crashQueue(): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [1, 2, 3, 4, 5, 6].map((n) => oldEntry(n));
  entries.push({ id: 'cmd-a', task: 'Command A', status: 'pending', command: 'echo a' });
  entries.push({ id: 'dep-b', task: 'After A', status: 'pending', priority: 'high', depends_on: ['cmd-a'] });
  entries.push({ id: 'cmd-c', task: 'Command C', status: 'pending', priority: 'low', command: 'echo c >> side-effects' });
  for (let n = 0; n < 8; n++) entries.push({ id: `p${n}`, task: `Planned ${n}`, status: 'pending', priority: n % 3 === 0 ? 'high' : 'medium' });
  for (let n = 0; n < 6; n++) entries.push({ id: `cmd-${n}`, task: `Command ${n}`, status: 'pending', command: `echo ${n}` });
  for (let n = 8; n < 12; n++) entries.push({ id: `p${n}`, task: `Planned ${n}`, status: 'pending', priority: 'low' });
  return entries;
}
const TOTAL = crashQueue().length;

function runBatch(h: BatchHome, env: Record<string, string> = {}) {
  return startCli(['batch', '100', '--quiet', '--home', h.home, '--workspace', h.workspace], { env });
}

/** Rerun until the queue is empty (a rerun right after a crash finishes the job). */
async function finish(h: BatchHome): Promise<void> {
  ageLocks(h.home, h.workspace);
  const result = await collect(runBatch(h));
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(0);
  expect(h.queue()).toEqual([]);
}

function expectEachTaskOnce(h: BatchHome): void {
  const counts = markerCounts(h.diary());
  expect(counts.size).toBe(TOTAL);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  const numbers = blockNumbers(h.diary().slice(OLD_DIARY.length));
  expect(numbers).toEqual(Array.from({ length: TOTAL }, (_, i) => 42 + i));
  expect(h.diary().startsWith(OLD_DIARY)).toBe(true);
}

describe('kill -9 of the executor at named points', () => {
  const points = ['after-claim', 'after-run', 'after-diary', 'after-settle'];
  it.each(points.flatMap((point) => [`${point}:1`, `${point}:2`, `${point}:3`]))('%s: after a rerun every task is in the diary exactly once', async (crashAt) => {
    const h = batchHome(crashQueue(), OLD_DIARY);
    const crashed = await collect(runBatch(h, { TASKRUNNER_TEST_CRASH_AT: crashAt }));
    expect(crashed.signal).toBe('SIGKILL');
    await finish(h);
    expectEachTaskOnce(h);
  });
});

/** Resolve once the executor has started changing the queue (its first claim), or has ended. */
async function workStarted(h: BatchHome, child: ReturnType<typeof runBatch>): Promise<void> {
  const original = readFileSync(h.queueFile, 'utf8');
  while (child.exitCode === null && child.signalCode === null && readFileSync(h.queueFile, 'utf8') === original) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('kill -9 of the executor at random moments', () => {
  // How long the executor works once it has started on the queue (start-up excluded).
  let workMs = 0;
  beforeAll(async () => {
    const h = batchHome(crashQueue(), OLD_DIARY);
    const child = runBatch(h);
    const done = collect(child);
    await workStarted(h, child);
    const started = performance.now();
    const result = await done;
    workMs = performance.now() - started;
    expect(result.code).toBe(0);
    expectEachTaskOnce(h);
  });

  it('30 trials: after a rerun every task is in the diary exactly once, none lost', async () => {
    let killedMidway = 0;
    for (let trial = 0; trial < 30; trial++) {
      const h = batchHome(crashQueue(), OLD_DIARY);
      const child = runBatch(h);
      const done = collect(child);
      await workStarted(h, child);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * workMs));
      child.kill('SIGKILL');
      const crashed = await done;
      const left = h.queue().length;
      if (crashed.signal === 'SIGKILL' && left > 0 && left <= TOTAL) killedMidway++;
      await finish(h);
      expectEachTaskOnce(h);
    }
    // Not a condition of correctness, but shows the kills landed inside the executor's work.
    console.log(`random kills during the batch's work: ${killedMidway}/30 (work took ~${workMs.toFixed(0)} ms)`);
  });
});
