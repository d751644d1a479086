import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, readRecords, startCli, writeFile } from '../helpers/cli.js';
import { OLD_DIARY, oldEntry } from '../batch/old-format.js';
import { batchHome, blockNumbers } from './batch-helpers.js';

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('runner batch on the old tools\' files', () => {
  it('logs Work Blocks 42–44, leaves the rest pending and keeps the old fields', async () => {
    const old = [1, 2, 3, 4, 5].map((n) => oldEntry(n));
    const h = batchHome(old, OLD_DIARY);
    const result = await h.cli(['batch', '3']);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(blockNumbers(h.diary().slice(OLD_DIARY.length))).toEqual([42, 43, 44]);
    expect(h.diary().startsWith(OLD_DIARY)).toBe(true);
    expect(h.diary()).toMatch(/### \d{4}-\d\d-\d\dT\d\d:\d\dZ — Work Block 42 — Old task 1\n\n\*\*Task:\*\* Old task 1\n/);
    const left = h.queue();
    expect(left.map((entry) => entry.task)).toEqual(['Old task 4', 'Old task 5']);
    left.forEach((entry, i) => expect(entry).toEqual({ ...old[i + 3], id: expect.any(String) }));
    const [record] = readRecords(readFileSync(path.join(h.home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(record).toMatchObject({ task: 'batch', success: true, executed: 3, work_blocks: [42, 43, 44], pending: 2, attempts: 1 });
  });

  it('defaults to 5, and --dry-run changes nothing', async () => {
    const h = batchHome([1, 2, 3, 4, 5, 6, 7].map((n) => oldEntry(n)), OLD_DIARY);
    const before = readFileSync(h.queueFile, 'utf8');
    const dry = await h.cli(['batch', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(json(dry.stdout)).toMatchObject({ dry_run: true, would_run: 5 });
    expect(readFileSync(h.queueFile, 'utf8')).toBe(before);
    expect(h.diary()).toBe(OLD_DIARY);
    expect((await h.cli(['batch'])).code).toBe(0);
    expect(blockNumbers(h.diary().slice(OLD_DIARY.length))).toEqual([42, 43, 44, 45, 46]);
  });
});

describe('runner batch add', () => {
  it('adds with all fields and flags, prints the id and the pending count', async () => {
    const h = batchHome([oldEntry(1)]);
    const first = await h.cli(['batch', 'add', 'Document the API', 'README written', 'Docs compound', 'Publish']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Task added to batch queue \(2 pending\)\nid: [0-9a-f]{8}\n$/);
    const id = /id: (\S+)/.exec(first.stdout)![1]!;
    const second = await h.cli(['batch', 'add', 'Check disk', '--priority', 'high', '--depends-on', id, '--command', 'df -h .', '--max-attempts', '2', '--json']);
    expect(second.code).toBe(0);
    expect(json(second.stdout)).toMatchObject({ pending: 3 });
    expect(h.queue()[1]).toMatchObject({ task: 'Document the API', result: 'README written', insight: 'Docs compound', next_step: 'Publish', status: 'pending', id });
    // Stamped as run records and alerts are: ISO 8601 with the offset.
    expect(h.queue()[1]!.added).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(h.queue()[2]).toMatchObject({ task: 'Check disk', priority: 'high', depends_on: [id], command: 'df -h .', max_attempts: 2 });
  });

  it('never prompts without a terminal: a missing task is an error', async () => {
    const h = batchHome();
    const result = await h.cli(['batch', 'add']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: batch add: the task text is required/);
    expect(existsSync(h.queueFile)).toBe(false);
  });

  it('rejects bad flags, naming them', async () => {
    const h = batchHome([]);
    const bad = await h.cli(['batch', 'add', 'x', '--priority', 'urgent']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--priority must be one of high, medium, low/);
    const unknown = await h.cli(['batch', 'add', 'x', '--depends-on', 'nope']);
    expect(unknown.stderr).toMatch(/--depends-on: no task with id nope/);
  });

  it('50 processes adding at once: 50 tasks, distinct ids', async () => {
    const h = batchHome();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => h.cli(['batch', 'add', `Concurrent task ${i}`])));
    expect(results.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    const queue = h.queue();
    expect(queue).toHaveLength(50);
    expect(new Set(queue.map((entry) => entry.id)).size).toBe(50);
    expect(new Set(queue.map((entry) => entry.task)).size).toBe(50);
  });

  it('is not blocked by a running executor, and its adds are not lost', async () => {
    const h = batchHome();
    // The command waits for a file the test creates once the adds are done, so the executor is
    // certainly running (and holding the batch lock) during every add.
    await h.cli(['batch', 'add', 'Wait for release', '--command', 'while [ ! -f release ]; do sleep 0.05; done; echo released']);
    await h.cli(['batch', 'add', 'Planned after', '--priority', 'low']);
    const executor = startCli(['batch', '10', '--home', h.home, '--workspace', h.workspace]);
    const done = collect(executor);
    while (h.queue()[0]?.status !== 'running' && executor.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    const adds = await Promise.all(Array.from({ length: 5 }, (_, i) => h.cli(['batch', 'add', `Added meanwhile ${i}`])));
    expect(adds.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    expect(executor.exitCode).toBeNull();
    writeFileSync(path.join(h.workspace, 'release'), '');
    const result = await done;
    expect(result.code).toBe(0);
    // The executor also picks up what was added while it ran (here: 5 medium before the low one).
    const tasks = [...h.diary().matchAll(/^\*\*Task:\*\* (.*)$/gm)].map((m) => m[1]);
    expect(tasks[0]).toBe('Wait for release');
    expect(tasks.slice(1, 6).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `Added meanwhile ${i}`));
    expect(tasks[6]).toBe('Planned after');
    expect(h.diary()).toContain('**Result:** exit 0: released\n');
    expect(h.queue()).toEqual([]);
  });
});

describe('runner batch with commands', () => {
  it('a failing command is retried on later batches, then kept as failed with an alert; its dependents are blocked', async () => {
    const h = batchHome();
    await h.cli(['batch', 'add', 'Flaky deploy', '--command', 'echo deploy broke >&2; exit 1', '--max-attempts', '2']);
    const id = h.queue()[0]!.id as string;
    await h.cli(['batch', 'add', 'After deploy', '--depends-on', id]);
    const first = await h.cli(['batch', '--json']);
    expect(first.code).toBe(1);
    expect(json(first.stdout)).toMatchObject({ success: false, retrying: 1, executed: 1 });
    expect(h.queue()[0]).toMatchObject({ status: 'pending', attempts: 1, error: 'exit 1: deploy broke' });
    const second = await h.cli(['batch', '--json']);
    expect(second.code).toBe(1);
    expect(json(second.stdout)).toMatchObject({ failed: 1 });
    expect(h.queue()[0]).toMatchObject({ status: 'failed', attempts: 2, error: 'exit 1: deploy broke' });
    const alerts = JSON.parse(readFileSync(path.join(h.home, 'alerts', 'pending.json'), 'utf8')) as Record<string, unknown>[];
    expect(alerts).toEqual([expect.objectContaining({ task: 'batch', level: 'error', message: expect.stringContaining('"Flaky deploy" failed after 2 attempts: exit 1: deploy broke') })]);
    expect(h.diary()).toBe('');

    const list = await h.cli(['batch', 'list']);
    expect(list.stdout).toMatch(new RegExp(`blocked: ${id} failed .*After deploy`));
    expect(list.stdout).toMatch(/failed: exit 1: deploy broke .*Flaky deploy/);
    const listed = JSON.parse((await h.cli(['batch', 'list', '--json'])).stdout) as Record<string, unknown>[];
    expect(listed.map((item) => [item.task, item.state])).toEqual([['After deploy', 'blocked'], ['Flaky deploy', 'failed']]);
    expect(listed[0]).toMatchObject({ blocked_by: [id] });
  });

  it('a succeeding command: its output is the result', async () => {
    const h = batchHome();
    await h.cli(['batch', 'add', 'Count files', '--command', 'printf "line one\\nline two\\n"; ls -a | wc -l']);
    const result = await h.cli(['batch', '--json']);
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ items: [{ task: 'Count files', outcome: 'complete', result: expect.stringMatching(/^exit 0: line one line two \d+$/) }] });
    expect(h.diary()).toMatch(/\*\*Result:\*\* exit 0: line one line two \d+\n/);
  });

  it('refuses command entries from a group-writable queue file', async () => {
    const h = batchHome([{ task: 'Sneaky', status: 'pending', command: 'touch pwned' }]);
    const { chmodSync } = await import('node:fs');
    chmodSync(h.queueFile, 0o666);
    const result = await h.cli(['batch']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refusing to run command\/run entries from .*batch-tasks\.json: it is writable by/);
    expect(existsSync(path.join(h.workspace, 'pwned'))).toBe(false);
  });
});

describe('runner batch order', () => {
  it('priorities then FIFO, dependencies first; batch list shows that order', async () => {
    const h = batchHome();
    const add = async (...args: string[]) => /id: (\S+)/.exec((await h.cli(['batch', 'add', ...args])).stdout)![1]!;
    const base = await add('Base', '--priority', 'low');
    await add('Needs base', '--priority', 'high', '--depends-on', base);
    await add('Medium one');
    await add('Urgent', '--priority', 'high');
    await add('Medium two', '--priority', 'medium');
    const listed = JSON.parse((await h.cli(['batch', 'list', '--json'])).stdout) as Record<string, unknown>[];
    const expected = ['Urgent', 'Medium one', 'Medium two', 'Base', 'Needs base'];
    expect(listed.map((item) => item.task)).toEqual(expected);
    expect(listed.map((item) => item.position)).toEqual([1, 2, 3, 4, 5]);
    expect(listed[4]).toMatchObject({ state: 'waiting', waiting_for: [base] });
    expect((await h.cli(['batch', '10'])).code).toBe(0);
    expect([...h.diary().matchAll(/^\*\*Task:\*\* (.*)$/gm)].map((m) => m[1])).toEqual(expected);
  });
});

describe('a corrupt batch-tasks.json', () => {
  it('is reported with its name and position, and left unchanged', async () => {
    const h = batchHome();
    const corrupt = '[\n  {"task": "one", "status": "pending"},\n  {"task": "two", "status": \n';
    writeFileSync(h.queueFile, corrupt);
    for (const args of [['batch'], ['batch', 'add', 'more'], ['batch', 'list']]) {
      const result = await h.cli(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(h.queueFile);
      expect(result.stderr).toMatch(/cannot parse .* at (line \d+, column \d+|end of file)/);
    }
    expect(readFileSync(h.queueFile, 'utf8')).toBe(corrupt);
    expect(existsSync(`${h.queueFile}.bak`)).toBe(false);
    expect(h.diary()).toBe('');
  });

  it('an entry of the wrong shape is named too', async () => {
    const h = batchHome([{ task: 'ok', status: 'pending' }, { task: 'bad', status: 'pending', priority: 'asap' }]);
    const before = readFileSync(h.queueFile, 'utf8');
    const result = await h.cli(['batch']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${h.queueFile}: entry 2: "priority" must be one of high, medium, low`);
    expect(readFileSync(h.queueFile, 'utf8')).toBe(before);
  });
});

describe('runner batch with run entries', () => {
  it('runs the named runner task in-process and takes its result; a failing one counts as an attempt', async () => {
    const h = batchHome();
    writeFile(h.home, 'tasks/greet.mjs', [
      'export default class Greet {',
      "  static [Symbol.for('taskrunner.task')] = true;",
      "  name = 'greet';",
      "  description = 'Greets';",
      "  async run(ctx) { return { success: true, message: `hello from ${ctx.taskName}` }; }",
      '}',
      '',
    ].join('\n'));
    writeFile(h.home, 'tasks/grumble.mjs', [
      'export default class Grumble {',
      "  static [Symbol.for('taskrunner.task')] = true;",
      "  name = 'grumble';",
      "  description = 'Fails';",
      '  defaults = { attempts: 1 };',
      "  async run() { return { success: false, message: 'not today' }; }",
      '}',
      '',
    ].join('\n'));
    await h.cli(['batch', 'add', 'Greet everyone', '--run', 'greet']);
    await h.cli(['batch', 'add', 'Grumble', '--run', 'grumble']);
    const result = await h.cli(['batch', '--json']);
    expect(result.code).toBe(1);
    expect(h.diary()).toContain('**Task:** Greet everyone\n**Result:** hello from greet\n');
    expect(h.queue()).toEqual([expect.objectContaining({ task: 'Grumble', status: 'pending', attempts: 1, error: expect.stringContaining('not today') })]);
    const records = readRecords(readFileSync(path.join(h.home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records.map((record) => record.task).sort()).toEqual(['batch', 'greet', 'grumble']);
  });

  it('refuses an entry that runs a task this home does not have, and adds nothing', async () => {
    const h = batchHome();
    const result = await h.cli(['batch', 'add', 'Greet everyone', '--run', 'greeet']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown task "greeet"/);
    expect(h.queue()).toEqual([]);
  });
});

describe('runner batch progress', () => {
  const hasScript = existsSync('/usr/bin/script');
  it.skipIf(!hasScript)('shows [i/n] task... on a terminal, and nothing when piped', async () => {
    const h = batchHome();
    for (const n of [1, 2, 3]) await h.cli(['batch', 'add', `Task ${n}`]);
    const { execFileSync } = await import('node:child_process');
    const command = `${process.execPath} dist/cli.js batch 2 --home ${h.home} --workspace ${h.workspace}`;
    const onTty = execFileSync('/usr/bin/script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(onTty).toMatch(/\[1\/2\] Task 1\.\.\.\r?\n\[2\/2\] Task 2\.\.\./);
    const piped = await h.cli(['batch']);
    expect(piped.stderr).not.toMatch(/\[1\/1\]/);
  });
});
