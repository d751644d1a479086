import { chmodSync, chownSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, startCli } from '../helpers/cli.js';
import { batchHome, isRunning, until, type BatchHome } from './batch-helpers.js';

const OTHER_USER = 65534;
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;
const alertsOf = (h: BatchHome) => {
  const file = path.join(h.home, 'alerts', 'pending.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[]) : [];
};
// A command that runs until the test creates `release` in the workspace.
const WAIT_FOR_RELEASE = 'while [ ! -f release ]; do sleep 0.05; done; echo released';

describe('the queue file is judged at every read that can run a command', () => {
  it('a queue swapped for another user\'s file while the first entry runs: the second entry does not run', async () => {
    const h = batchHome([
      { id: 'first', task: 'First', status: 'pending', command: WAIT_FOR_RELEASE },
      { id: 'second', task: 'Second', status: 'pending', command: 'touch ran-second' },
    ]);
    const executor = startCli(['batch', '5', '--json', '--home', h.home, '--workspace', h.workspace]);
    const done = collect(executor);
    await until(() => h.queue()[0]?.status === 'running', executor);
    // Another user renames their own copy of the queue into place (same entries, as they see it).
    const theirs = path.join(h.workspace, 'theirs.json');
    writeFileSync(theirs, readFileSync(h.queueFile), { mode: 0o644 });
    chownSync(theirs, OTHER_USER, OTHER_USER);
    renameSync(theirs, h.queueFile);
    writeFileSync(path.join(h.workspace, 'release'), '');
    const result = await done;
    expect(existsSync(path.join(h.workspace, 'ran-second'))).toBe(false);
    expect(result.code).toBe(1);
    expect(json(result.stdout)).toMatchObject({ completed: 1, refused: 1, error: expect.stringContaining(`owned by uid ${OTHER_USER}`) });
    // Written back with its owner kept: rewriting it as ours would make it trusted next time.
    expect(h.queue()).toEqual([expect.objectContaining({ id: 'second', status: 'pending' })]);
    const again = await h.cli(['batch']);
    expect(again.code).toBe(1);
    expect(existsSync(path.join(h.workspace, 'ran-second'))).toBe(false);
  });

  it('refuses commands from a workspace folder others can write to, but not from a sticky one', async () => {
    const h = batchHome([{ id: 'cmd', task: 'Touch', status: 'pending', command: 'touch ran' }]);
    chmodSync(h.workspace, 0o777);
    const refused = await h.cli(['batch']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refusing to run command\/run entries from .*batch-tasks\.json: its folder is writable by group and others/);
    expect(existsSync(path.join(h.workspace, 'ran'))).toBe(false);
    chmodSync(h.workspace, 0o1777);
    const sticky = await h.cli(['batch']);
    expect(sticky.stderr).toBe('');
    expect(sticky.code).toBe(0);
    expect(existsSync(path.join(h.workspace, 'ran'))).toBe(true);
  });

  it('a refused batch says why, and does not add the same alert again while it is pending', async () => {
    const h = batchHome([{ id: 'cmd', task: 'Touch', status: 'pending', command: 'touch ran' }]);
    chmodSync(h.queueFile, 0o666);
    const first = await h.cli(['batch']);
    const second = await h.cli(['batch']);
    for (const result of [first, second]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/1 refused \(refusing to run command\/run entries from .*: it is writable by group and others/);
    }
    expect(alertsOf(h)).toEqual([expect.objectContaining({ task: 'batch', level: 'warning', message: expect.stringContaining('writable by group and others') })]);
  });
});

describe('one executor per queue, whatever its home', () => {
  it('two executors with different homes on one workspace log each entry exactly once', async () => {
    const h = batchHome();
    const entries = [{ id: 'gate', task: 'Gate', status: 'pending', command: WAIT_FOR_RELEASE }];
    for (let n = 0; n < 6; n++) entries.push({ id: `p${n}`, task: `Planned ${n}`, status: 'pending', command: `echo ${n}` });
    writeFileSync(h.queueFile, JSON.stringify(entries), { mode: 0o644 });
    const other = batchHome();
    const first = startCli(['batch', '10', '--home', h.home, '--workspace', h.workspace]);
    const firstDone = collect(first);
    await until(() => h.queue()[0]?.status === 'running', first);
    const firstClaim = h.queue()[0]!.claimed_by;
    // The first executor is certainly inside the queue (its gate entry is running) while the second
    // starts. The second must give up; were it to take the gate entry over, release it anyway.
    const secondChild = startCli(['batch', '10', '--home', other.home, '--workspace', h.workspace]);
    const secondDone = collect(secondChild);
    await until(() => h.queue()[0]?.claimed_by !== firstClaim, secondChild);
    writeFileSync(path.join(h.workspace, 'release'), '');
    const [result, second] = await Promise.all([firstDone, secondDone]);
    expect(result.code).toBe(0);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/another executor is running the batch queue/);
    const tasks = [...h.diary().matchAll(/^\*\*Task:\*\* (.*)$/gm)].map((m) => m[1]);
    expect(tasks.sort()).toEqual(['Gate', ...[0, 1, 2, 3, 4, 5].map((n) => `Planned ${n}`)].sort());
    expect(h.queue()).toEqual([]);
  });
});

describe('a command that times out uses an attempt', () => {
  it('--max-attempts 1 and the batch\'s --timeout: kept as failed with an alert, and the next entry runs', async () => {
    const h = batchHome();
    await h.cli(['batch', 'add', 'Hang', '--command', 'echo $$ > hang.pid; sleep 30', '--max-attempts', '1']);
    await h.cli(['batch', 'add', 'Next', '--priority', 'low']);
    const timedOut = await h.cli(['batch', '--timeout', '2s']);
    expect(timedOut.code).not.toBe(0);
    expect(h.queue()[0]).toMatchObject({ task: 'Hang', status: 'failed', attempts: 1, error: expect.stringMatching(/timed out/) });
    expect(isRunning(Number(readFileSync(path.join(h.workspace, 'hang.pid'), 'utf8')))).toBe(false);
    expect(alertsOf(h)).toEqual([expect.objectContaining({ level: 'error', message: expect.stringContaining('"Hang" failed after 1 attempts') })]);
    const next = await h.cli(['batch', '--json']);
    expect(json(next.stdout)).toMatchObject({ executed: 1, completed: 1, items: [{ task: 'Next', outcome: 'complete' }] });
  });

  it('--command-timeout: a command out of its own time is a failed attempt and the batch goes on', async () => {
    const h = batchHome();
    await h.cli(['batch', 'add', 'Hang', '--command', 'sleep 30', '--max-attempts', '2']);
    await h.cli(['batch', 'add', 'Next', '--priority', 'low']);
    const result = await h.cli(['batch', '--command-timeout', '1s', '--json']);
    expect(json(result.stdout)).toMatchObject({ executed: 2, retrying: 1, completed: 1 });
    expect(h.queue()).toEqual([expect.objectContaining({ task: 'Hang', status: 'pending', attempts: 1, error: expect.stringMatching(/^timed out/) })]);
  });

  it('batch.commandTimeout in the config does the same, and the flag wins over it', async () => {
    const h = batchHome();
    writeFileSync(path.join(h.home, 'runner.config.json'), JSON.stringify({ batch: { commandTimeout: '1s' } }), { mode: 0o644 });
    await h.cli(['batch', 'add', 'Hang', '--command', 'sleep 30', '--max-attempts', '2']);
    const configured = await h.cli(['batch', '--json']);
    expect(json(configured.stdout)).toMatchObject({ executed: 1, retrying: 1 });
    expect(h.queue()[0]).toMatchObject({ attempts: 1, error: expect.stringMatching(/^timed out after 1s/) });
    writeFileSync(path.join(h.home, 'runner.config.json'), JSON.stringify({ batch: { commandTimeout: '1h' } }), { mode: 0o644 });
    const flagged = await h.cli(['batch', '--command-timeout', '1s', '--json']);
    expect(json(flagged.stdout)).toMatchObject({ executed: 1, failed: 1 });
  });
});

describe('a command\'s children do not outlive its entry', () => {
  it('a background job left behind is killed when the command ends', async () => {
    const h = batchHome();
    await h.cli(['batch', 'add', 'Orphan', '--command', 'sleep 47 >/dev/null 2>&1 & echo $! > orphan.pid']);
    const result = await h.cli(['batch']);
    expect(result.code).toBe(0);
    const pid = Number(readFileSync(path.join(h.workspace, 'orphan.pid'), 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
  });

  it('a background job holding the output pipe does not hold up the batch: it is dead when the batch is done', async () => {
    const h = batchHome();
    // Were the batch to wait for the pipe to close, it would wait the whole 300 s.
    await h.cli(['batch', 'add', 'Holds pipe', '--command', 'sleep 300 & echo $! > holder.pid; echo x']);
    const result = await h.cli(['batch', '--json']);
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ items: [{ outcome: 'complete', result: 'exit 0: x' }] });
    // The batch finished while the sleep would still be running: it was killed.
    expect(isRunning(Number(readFileSync(path.join(h.workspace, 'holder.pid'), 'utf8')))).toBe(false);
  });
});

describe('batch list and batch add output', () => {
  it('batch list shows control characters escaped; --json keeps them exact', async () => {
    const evil = 'Clear \u001b[2J\u001b]0;pwned\u0007 screen';
    const h = batchHome([{ id: 'e1', task: evil, status: 'pending' }]);
    const list = await h.cli(['batch', 'list']);
    expect(list.stdout).not.toContain('\u001b');
    expect(list.stdout).not.toContain('\u0007');
    expect(list.stdout).toContain('Clear \\x1b[2J\\x1b]0;pwned\\x07 screen');
    expect((JSON.parse((await h.cli(['batch', 'list', '--json'])).stdout) as { task: string }[])[0]!.task).toBe(evil);
  });

  it('batch add --dry-run says it would add and writes nothing', async () => {
    const h = batchHome([{ id: 'a', task: 'A', status: 'pending' }]);
    const before = readFileSync(h.queueFile, 'utf8');
    const result = await h.cli(['batch', 'add', 'New', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Dry run: would add the task to the batch queue \(2 pending after adding\); nothing written\n/);
    expect(result.stdout).not.toMatch(/Task added/);
    expect(readFileSync(h.queueFile, 'utf8')).toBe(before);
  });
});
