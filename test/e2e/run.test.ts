import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStderrLogger, loadSettings, runTask, Task, type TaskResult } from '../../src/index.js';
import { taskLockPath } from '../../src/core/task-lock.js';
import { collect, makeHome, readRecords, runCli, startCli, waitForOutput, writeFile } from '../helpers/cli.js';
import { mountTmpfs, remountReadOnly, unmount } from '../helpers/mount.js';
import { BUGGY, FATAL, FLAKY, HANGER, QUICK, QUITTER, READER, SAYS_NO, SLEEPER, THROWS_STRING, WRITER } from '../fixtures/tasks.js';

function homeWith(tasks: Record<string, string>, config?: object) {
  const { home, workspace } = makeHome();
  for (const [name, source] of Object.entries(tasks)) writeFile(home, `tasks/${name}.mjs`, source);
  if (config) writeFile(home, 'runner.config.json', JSON.stringify(config));
  const records = () => readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
  return { home, workspace, records, args: ['--home', home, '--workspace', workspace] };
}

describe('runner <task>: locking', () => {
  it('lets exactly one of two concurrent runs through; the other exits 2 with a locked record', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    const first = startCli(['sleeper', '60000', ...h.args]);
    await waitForOutput(first, /SLEEPER STARTED/);
    const second = await runCli(['sleeper', '10', ...h.args]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/locked/);
    first.kill('SIGTERM');
    expect((await collect(first)).code).toBe(143);
    const records = h.records();
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({
      task: 'sleeper',
      timestamp: expect.any(String),
      success: false,
      error: 'Task is already running (locked)',
      locked: true,
    });
    expect(records[1]).toMatchObject({ task: 'sleeper', success: false, cancelled: true });
  });

  it('lets exactly one of 20 simultaneous runs through', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    const children = Array.from({ length: 20 }, () => startCli(['sleeper', '60000', ...h.args]));
    const results = children.map((child) => collect(child));
    // The runs that lost the race end by themselves; the winner sleeps until told to stop.
    const ended = await Promise.all(
      results.map((result, i) => Promise.race([result.then((r) => ({ i, code: r.code })), waitForOutput(children[i]!, /SLEEPER STARTED/, 60_000).then(() => ({ i, code: 'running' as const }))])),
    );
    expect(ended.filter((e) => e.code === 'running')).toHaveLength(1);
    expect(ended.filter((e) => e.code === 2)).toHaveLength(19);
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(results);
    const records = h.records();
    expect(records).toHaveLength(20);
    expect(records.filter((record) => record.locked === true)).toHaveLength(19);
  });

  it('takes over the lock of a holder killed with SIGKILL once the lock is stale', async () => {
    const h = homeWith({ sleeper: SLEEPER }, { lock: { staleMs: 2000 } });
    const holder = startCli(['sleeper', '60000', ...h.args]);
    await waitForOutput(holder, /SLEEPER STARTED/);
    holder.kill('SIGKILL');
    await collect(holder);
    // The dead holder's lock stays until it goes stale: right away the task is still locked …
    const early = await runCli(['sleeper', '10', ...h.args]);
    expect(early.code).toBe(2);
    // … and once it is stale the next run takes it over. proper-lockfile may date a lock up to a
    // second ahead (mtime precision probing), so stale means 2 to 3 s after the last refresh.
    let later = await runCli(['sleeper', '10', ...h.args]);
    for (let tries = 0; later.code === 2 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      later = await runCli(['sleeper', '10', ...h.args]);
    }
    expect(later.stderr).not.toMatch(/locked/);
    expect(later.code).toBe(0);
  });
});

describe('runner <task>: signals and timeouts', () => {
  it('on SIGTERM mid-run exits 143, releases the lock and records the run as cancelled', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    const child = startCli(['sleeper', '60000', ...h.args]);
    await waitForOutput(child, /SLEEPER STARTED/);
    child.kill('SIGTERM');
    const result = await collect(child);
    expect(result.code).toBe(143);
    expect(existsSync(path.join(h.home, 'logs', '.locks', 'sleeper.lock'))).toBe(false);
    const [record] = h.records();
    expect(record).toMatchObject({ task: 'sleeper', success: false, error_type: 'cancelled', cancelled: true });
    expect(String(record?.error)).toMatch(/SIGTERM/);
    // The lock really is free: the next run goes through.
    expect((await runCli(['sleeper', '10', ...h.args])).code).toBe(0);
  });

  it('on SIGINT exits 130', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    const child = startCli(['sleeper', '60000', ...h.args]);
    await waitForOutput(child, /SLEEPER STARTED/);
    child.kill('SIGINT');
    expect((await collect(child)).code).toBe(130);
    expect(h.records()[0]).toMatchObject({ success: false, cancelled: true });
  });

  it('--timeout aborts the run through ctx.signal, exits 1 and records it as timed out', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    const result = await runCli(['sleeper', '60000', '--timeout', '300ms', ...h.args]);
    expect(result.code).toBe(1);
    expect(h.records()[0]).toMatchObject({ success: false, error_type: 'timed_out', timed_out: true, error: 'timed out after 300ms' });
  });
});

describe('runner <task>: attempts', () => {
  it('retries a task that fails twice, with exponential waits, and records 3 attempts', async () => {
    const h = homeWith({ flaky: FLAKY }, { retry: { minTimeoutMs: 200, factor: 2 } });
    const result = await runCli(['flaky', ...h.args]);
    expect(result.code).toBe(0);
    expect(result.stderr.match(/attempt \d failed/g)).toEqual(['attempt 1 failed', 'attempt 2 failed']);
    const [record] = h.records();
    expect(record).toMatchObject({ task: 'flaky', success: true, attempts: 3, tries_seen: 3 });
    const times = readFileSync(path.join(h.workspace, 'attempts.log'), 'utf8').trim().split('\n').map(Number);
    // Backoff waits at least minTimeout, then minTimeout × factor.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(200);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(400);
  });

  it('--retries 0 makes a single attempt and records the failure', async () => {
    const h = homeWith({ flaky: FLAKY }, { retry: { minTimeoutMs: 10 } });
    const result = await runCli(['flaky', '--retries', '0', ...h.args]);
    expect(result.code).toBe(1);
    expect(h.records()[0]).toMatchObject({
      success: false, attempts: 1, error: 'flaky failure 1', error_type: 'Error', retry_attempts: 0, all_attempts_failed: true,
    });
  });

  it('stops at once on a NonRetryableError', async () => {
    const h = homeWith({ fatal: FATAL }, { retry: { minTimeoutMs: 10 } });
    const result = await runCli(['fatal', ...h.args]);
    expect(result.code).toBe(1);
    expect(h.records()[0]).toMatchObject({ attempts: 1, error: 'configuration is wrong', error_type: 'NonRetryableError', all_attempts_failed: false });
    expect(result.stderr).toMatch(/attempt 1 failed: configuration is wrong \(not retried\)/);
  });

  it('retries an ordinary bug (a TypeError) like any failure, and says all attempts failed', async () => {
    const h = homeWith({ buggy: BUGGY }, { retry: { minTimeoutMs: 10 } });
    const result = await runCli(['buggy', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr.match(/attempt \d failed/g)).toEqual(['attempt 1 failed', 'attempt 2 failed', 'attempt 3 failed']);
    expect(h.records()[0]).toMatchObject({ attempts: 3, error_type: 'TypeError', retry_attempts: 2, all_attempts_failed: true });
  });

  it('retries a thrown string and records it as it was thrown', async () => {
    const h = homeWith({ throws_string: THROWS_STRING }, { retry: { minTimeoutMs: 10 } });
    const result = await runCli(['throws_string', ...h.args]);
    expect(result.code).toBe(1);
    expect(h.records()[0]).toMatchObject({
      attempts: 3, error: 'plain string failure', error_type: 'string', retry_attempts: 2, all_attempts_failed: true,
    });
  });

  it('does not retry a file that cannot be parsed, and names it', async () => {
    const h = homeWith({ reader: READER }, { retry: { minTimeoutMs: 10 } });
    writeFile(h.workspace, 'data.json', '[1, 2,');
    const result = await runCli(['reader', ...h.args]);
    expect(result.code).toBe(1);
    const [record] = h.records();
    expect(record).toMatchObject({ attempts: 1, error_type: 'RunnerError', all_attempts_failed: false });
    expect(String(record!.error)).toMatch(/cannot parse .*data\.json/);
  });

  it('treats success: false as a failure, keeps the result keys in the record, in SPEC order', async () => {
    const h = homeWith({ says_no: SAYS_NO }, { retry: { minTimeoutMs: 10 } });
    const result = await runCli(['says_no', ...h.args]);
    expect(result.code).toBe(1);
    const [record] = h.records();
    expect(Object.keys(record!)).toEqual([
      'task', 'dry_run', 'timestamp', 'success', 'message', 'checked', 'duration_seconds', 'run_id', 'attempts',
      'error', 'error_type', 'retry_attempts', 'all_attempts_failed',
    ]);
    expect(record).toMatchObject({ success: false, message: 'nothing to do today', attempts: 3, all_attempts_failed: true });
    expect(String(record!.timestamp)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
  });

  it('prints the record as JSON with --json', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    const result = await runCli(['sleeper', '1', '--json', ...h.args]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ task: 'sleeper', success: true, message: 'slept' });
  });
});

describe('runner: bad input', () => {
  it('runner run --help prints the run command\'s help, not "unknown task"; runner run <task> --help the task\'s', async () => {
    const h = homeWith({ quick: QUICK });
    for (const flag of ['--help', '-h']) {
      const result = await runCli(['run', flag, ...h.args]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: runner run \[options\] <task> \[args\.\.\.\]/);
      expect(result.stderr).not.toMatch(/unknown task/);
    }
    const task = await runCli(['run', 'quick', '--help', ...h.args]);
    expect(task.code).toBe(0);
    expect(task.stdout).toMatch(/^Usage: quick /);
  });

  it('a broken OpenClaw config fails only what needs the workspace, naming the file; list, status, alerts and logs work', async () => {
    const { home } = makeHome();
    const user = path.join(home, 'user');
    writeFile(user, '.openclaw/openclaw.json', '{ agents: ');
    const env = { HOME: user, OPENCLAW_WORKSPACE: '', OPENCLAW_STATE_DIR: '', OPENCLAW_CONFIG_PATH: '' };
    writeFile(home, 'tasks/quick.mjs', QUICK);
    for (const command of [['list'], ['status'], ['alerts'], ['logs']]) {
      const result = await runCli([...command, '--home', home], { env });
      expect(result.stderr, command.join(' ')).toBe('');
      expect(result.code, command.join(' ')).toBe(0);
    }
    const run = await runCli(['memory_capture', '--home', home], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`OpenClaw config ${path.join(user, '.openclaw', 'openclaw.json')} cannot be parsed`));
  });

  it('refuses a task name longer than 64 characters with a clear error, not ENAMETOOLONG', async () => {
    const h = homeWith({});
    const result = await runCli(['a'.repeat(300), ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/invalid task name "a+…": a task name is at most 64 characters, got 300/);
    expect(result.stderr).not.toMatch(/ENAMETOOLONG/);
  });

  it('refuses a task name outside [a-z0-9_-]+', async () => {
    const h = homeWith({});
    const result = await runCli(['../etc/passwd', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/task name/i);
  });

  it('names the key of an invalid config file', async () => {
    const h = homeWith({ sleeper: SLEEPER }, { retry: { attempts: 0 }, colour: true });
    const result = await runCli(['sleeper', '1', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('runner.config.json');
    expect(result.stderr).toContain('retry.attempts');
    expect(result.stderr).toContain('colour');
  });

  it('names the position of a config file that is not JSON', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    writeFile(h.home, 'runner.config.json', '{\n  "retry": { "attempts": 2, }\n}\n');
    const result = await runCli(['sleeper', '1', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/runner\.config\.json at line 2, column \d+/);
  });

  it('rejects a bad --timeout naming the flag', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    const result = await runCli(['sleeper', '1', '--timeout', 'soon', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--timeout');
  });
});

describe('runner <task>: a task that ends the run itself', () => {
  it('records a task that calls process.exit(0) as failed, once, and exits 1', async () => {
    const h = homeWith({ quitter: QUITTER });
    const result = await runCli(['quitter', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the task ended the process before finishing/);
    const records = h.records();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ task: 'quitter', success: false, attempts: 1, error_type: 'unfinished' });
    expect(String(records[0]!.error)).toMatch(/process\.exit\(0\)/);
  });

  it('records a task whose run() never settles as failed, once, and exits 1', async () => {
    const h = homeWith({ hanger: HANGER });
    const result = await runCli(['hanger', ...h.args]);
    expect(result.code).toBe(1);
    const records = h.records();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ task: 'hanger', success: false, error_type: 'unfinished' });
    expect(String(records[0]!.error)).toMatch(/never settled/);
    // The lock went with the process: the next run is not locked out.
    expect((await runCli(['hanger', ...h.args])).code).toBe(1);
    expect(h.records()).toHaveLength(2);
  });
});

describe('runTask: a task that ignores its signal', () => {
  it('keeps the lock until the task settles, though the run is recorded after the grace period', async () => {
    const { home, workspace } = makeHome();
    let finish: (result: TaskResult) => void = () => undefined;
    class Stubborn extends Task {
      name = 'stubborn';
      description = 'ignores its signal';
      run(): Promise<TaskResult> {
        return new Promise((resolve) => (finish = resolve));
      }
    }
    const settings = loadSettings({ home, workspace });
    const log = createStderrLogger('silent');
    const outcome = await runTask(new Stubborn(), { settings, timeoutMs: 50, abortGraceMs: 50, log });
    expect(outcome.status).toBe('timed_out');
    expect(readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'))).toHaveLength(1);
    // The task still runs and may still write: nobody else may take its lock yet.
    expect(existsSync(taskLockPath(home, 'stubborn'))).toBe(true);
    expect((await runTask(new Stubborn(), { settings, log })).status).toBe('locked');
    finish({ success: true });
    await outcome.lockReleased;
    expect(existsSync(taskLockPath(home, 'stubborn'))).toBe(false);
  });
});

describe('runner <task>: timeouts', () => {
  it('reads a bare number in the config as seconds, like --timeout', async () => {
    // 60 would be 60 ms if read as milliseconds, far less than the 300 ms the task sleeps.
    const h = homeWith({ sleeper: SLEEPER }, { tasks: { sleeper: { timeout: 60 } } });
    const result = await runCli(['sleeper', '300', ...h.args]);
    expect(result.code).toBe(0);
    expect(h.records()[0]).toMatchObject({ success: true });
  });

  it.each([['0'], ['-5'], ['0s']])('refuses --timeout %s, writing no record', async (value) => {
    const h = homeWith({ sleeper: SLEEPER });
    const result = await runCli(['sleeper', '1', '--timeout', value, ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--timeout: (a duration must be above zero|invalid duration)/);
    expect(existsSync(path.join(h.home, 'logs', 'tasks.jsonl'))).toBe(false);
  });

  it('refuses --timeout 25d (beyond what a timer can wait) instead of timing out at once', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    const result = await runCli(['sleeper', '1', '--timeout', '25d', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--timeout: "25d" is longer than the longest supported duration, 2147483647 ms/);
    expect(existsSync(path.join(h.home, 'logs', 'tasks.jsonl'))).toBe(false);
  });

  it('refuses --timeout 0.0001 as below the smallest duration, 1 ms, not as zero', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    const result = await runCli(['sleeper', '1', '--timeout', '0.0001', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: --timeout: "0.0001" is 0.1 ms, below the smallest supported duration, 1 ms\n');
    expect(existsSync(path.join(h.home, 'logs', 'tasks.jsonl'))).toBe(false);
  });

  it('refuses a config timeout beyond the timer limit, naming the key', async () => {
    const h = homeWith({ sleeper: SLEEPER }, { tasks: { sleeper: { timeout: '30d' } } });
    const result = await runCli(['sleeper', '1', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/tasks\.sleeper\.timeout: a duration of at least 1 ms and at most 24\.8 days/);
  });
});

describe('runner <task>: the workspace', () => {
  it('is needed only by a task that uses it: one that does not runs without it', async () => {
    const h = homeWith({ quick: QUICK });
    const typo = path.join(h.home, 'typo');
    const result = await runCli(['quick', '--home', h.home, '--workspace', typo]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(h.records()).toMatchObject([{ task: 'quick', success: true }]);
    expect(existsSync(typo)).toBe(false);
  });

  it('fails a task that uses a workspace that does not exist, once, naming it and the flag it came from, and does not create it', async () => {
    const h = homeWith({ writer: WRITER });
    const typo = path.join(h.home, 'typo');
    const result = await runCli(['writer', '--home', h.home, '--workspace', typo]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`✗ writer failed: workspace ${typo} does not exist (from --workspace). The runner never creates it: create the folder, or pass another --workspace`);
    // Bad input is not retried: one attempt, one record.
    expect(h.records()).toMatchObject([{ task: 'writer', success: false, attempts: 1, error_type: 'RunnerError', all_attempts_failed: false }]);
    for (const command of [['batch'], ['batch', 'add', 'Planned'], ['batch', 'list']]) {
      const batch = await runCli([...command, '--home', h.home, '--workspace', typo]);
      expect(batch.code).toBe(1);
      expect(batch.stderr).toContain(`workspace ${typo} does not exist (from --workspace)`);
    }
    expect(existsSync(typo)).toBe(false);
  });

  it('says which rule chose a missing workspace: environment, runner config, OpenClaw config, OpenClaw default', async () => {
    const h = homeWith({ writer: WRITER });
    const user = path.join(h.home, 'user');
    mkdirSync(user);
    const missing = path.join(h.home, 'gone');
    const run = async (env: Record<string, string>, config?: object) => {
      if (config) writeFile(h.home, 'runner.config.json', JSON.stringify(config));
      const result = await runCli(['writer', '--home', h.home], { env: { HOME: user, ...env } });
      expect(result.code).toBe(1);
      return result.stderr;
    };
    expect(await run({ OPENCLAW_WORKSPACE: missing })).toContain(`workspace ${missing} does not exist (from $OPENCLAW_WORKSPACE)`);
    const runnerConfig = path.join(h.home, 'runner.config.json');
    expect(await run({}, { workspace: missing })).toContain(`workspace ${missing} does not exist (from "workspace" in ${runnerConfig})`);
    writeFile(h.home, 'runner.config.json', '{}');
    expect(await run({ OPENCLAW_WORKSPACE_DIR: missing })).toContain(`workspace ${missing} does not exist (from $OPENCLAW_WORKSPACE_DIR)`);
    const stateDir = path.join(user, '.openclaw');
    expect(await run({})).toContain(
      `workspace ${stateDir}/workspace does not exist (OpenClaw's default <state-dir>/workspace, the state dir being ${stateDir}; ` +
        `no --workspace, $OPENCLAW_WORKSPACE, "workspace" in ${runnerConfig}, agents.defaults.workspace in ${stateDir}/openclaw.json or $OPENCLAW_WORKSPACE_DIR chose another)`,
    );
    const openclawConfig = writeFile(user, '.openclaw/openclaw.json', JSON.stringify({ agents: { defaults: { workspace: missing } } }));
    expect(await run({})).toContain(`workspace ${missing} does not exist (from agents.defaults.workspace in OpenClaw's config ${openclawConfig})`);
  });

  it('is not needed by list, help, alerts and --version', async () => {
    const h = homeWith({ quick: QUICK });
    const args = ['--home', h.home, '--workspace', path.join(h.home, 'typo')];
    for (const command of [['list'], ['help', 'quick'], ['alerts'], ['--version']]) {
      const result = await runCli([...command, ...args]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
  });
});

describe('runner <task>: a full or read-only file system', () => {
  it('ends with exit 1 and names the log file when the record cannot be written (full disk)', async (ctx) => {
    const h = homeWith({ quick: QUICK });
    const logs = path.join(h.home, 'logs');
    mkdirSync(logs);
    const skip = mountTmpfs(logs, 'size=16k');
    if (skip) ctx.skip(skip);
    const children: ChildProcess[] = [];
    try {
      mkdirSync(path.join(logs, '.locks'));
      fillUp(path.join(logs, 'filler'));
      children.push(startCli(['quick', ...h.args]));
      const result = await collect(children[0]!);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot write the run record to ${path.join(logs, 'tasks.jsonl')}`);
      expect(result.stderr).toMatch(/ENOSPC/);
      // The lock was released: the next run fails the same way, it is not locked out.
      children.push(startCli(['quick', ...h.args]));
      expect((await collect(children[1]!)).code).toBe(1);
    } finally {
      // A run that hangs (the bug) would keep the mount busy.
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await Promise.all(children.map((child) => collect(child)));
      unmount(logs);
    }
  }, 30_000);

  it('fails at once, naming the lock file, when the home is read-only', async (ctx) => {
    const { home, workspace } = makeHome();
    const readOnly = path.join(home, 'ro-home');
    mkdirSync(readOnly);
    const skip = mountTmpfs(readOnly, 'size=1m,mode=755');
    if (skip) ctx.skip(skip);
    try {
      writeFile(readOnly, 'tasks/quick.mjs', QUICK);
      remountReadOnly(readOnly);
      const result = await runCli(['quick', '--home', readOnly, '--workspace', workspace]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot take the task lock ${path.join(readOnly, 'logs', '.locks', 'quick.lock')}`);
      expect(result.stderr).toMatch(/read-only/);
    } finally {
      unmount(readOnly);
    }
  }, 30_000);
});

// Write to `file` until the file system is full.
function fillUp(file: string): void {
  try {
    for (let i = 0; i < 1000; i++) writeFileSync(file, Buffer.alloc(4096), { flag: 'a' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    return;
  }
  throw new Error(`${file}: the file system never filled up`);
}
