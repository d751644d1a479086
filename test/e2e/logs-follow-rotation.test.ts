import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUICK } from '../fixtures/tasks.js';
import { collect, makeHome, runCli, startCli, waitForOutput, writeFile } from '../helpers/cli.js';

/** A home whose run log rotates before every record but the first (`logs.maxBytes` of 1 byte). */
function rotatingHome(keep: number) {
  const { home, workspace } = makeHome('taskrunner-follow-rotation-');
  writeFile(home, 'tasks/quick.mjs', QUICK);
  writeFile(home, 'runner.config.json', JSON.stringify({ logs: { maxBytes: 1, keep } }));
  const log = path.join(home, 'logs', 'tasks.jsonl');
  const args = ['--home', home, '--workspace', workspace];
  return {
    log,
    args,
    /** A real run of the task: its record is appended as every run's is, rotating the log first. */
    run: async () => expect((await runCli(['quick', ...args])).code).toBe(0),
    lines: (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n'),
  };
}

/**
 * Start `runner logs --follow --json --limit 1` and wait for its first record. The follower is
 * stopped (SIGSTOP) while `between` runs, so everything `between` does happens between two of its
 * looks at the log, however fast it polls; then it goes on.
 */
async function followAcross(h: ReturnType<typeof rotatingHome>, between: () => Promise<string[]>): Promise<{ expected: string[]; stdout: string; code: number | null }> {
  const follower = startCli(['logs', '--follow', '--json', '--limit', '1', ...h.args]);
  let stopped = false;
  try {
    await waitForOutput(follower, /"task":"quick"/);
    follower.kill('SIGSTOP');
    stopped = true;
    const expected = await between();
    follower.kill('SIGCONT');
    stopped = false;
    const last = JSON.parse(expected.at(-1)!) as { run_id: string };
    await waitForOutput(follower, new RegExp(`"run_id":"${last.run_id}"`));
    follower.kill('SIGTERM');
    const { stdout, code } = await collect(follower);
    return { expected, stdout, code };
  } finally {
    stopEvenIfStopped(follower, stopped);
  }
}

function stopEvenIfStopped(child: ChildProcess, stopped: boolean): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (stopped) child.kill('SIGCONT');
  child.kill('SIGKILL');
}

describe('runner logs --follow with a small logs.maxBytes', () => {
  it('prints every record exactly once, in order, when two rotations happen between two looks', async () => {
    const h = rotatingHome(5);
    await h.run();
    const { expected, stdout, code } = await followAcross(h, async () => {
      const first = h.lines(h.log);
      // Each run rotates first: the followed file ends at .2, and .1 was live in between.
      await h.run();
      await h.run();
      expect(h.lines(`${h.log}.2`)).toEqual(first);
      return [...first, ...h.lines(`${h.log}.1`), ...h.lines(h.log)];
    });
    expect(expected).toHaveLength(3);
    expect(code).toBe(143);
    expect(stdout).toBe(`${expected.join('\n')}\n`);
  }, 60_000);

  it('still prints the file rotated after the followed one when that one was rotated past logs.keep', async () => {
    const h = rotatingHome(1);
    await h.run();
    const { expected, stdout, code } = await followAcross(h, async () => {
      const first = h.lines(h.log);
      // The followed file goes to .1, then is dropped (the follower still has it open).
      await h.run();
      await h.run();
      return [...first, ...h.lines(`${h.log}.1`), ...h.lines(h.log)];
    });
    expect(expected).toHaveLength(3);
    expect(code).toBe(143);
    expect(stdout).toBe(`${expected.join('\n')}\n`);
  }, 60_000);

  it('does not print the older rotated files again when the live log is removed', async () => {
    const h = rotatingHome(5);
    await h.run();
    await h.run();
    const { expected, stdout, code } = await followAcross(h, async () => {
      const first = h.lines(h.log);
      rmSync(h.log);
      await h.run();
      return [...first, ...h.lines(h.log)];
    });
    expect(expected).toHaveLength(2);
    expect(code).toBe(143);
    expect(stdout).toBe(`${expected.join('\n')}\n`);
  }, 60_000);
});
