import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, makeHome, readRecords, runCli, startCli, waitForOutput, writeFile } from '../helpers/cli.js';
import { FATAL, FLAKY, READER, SAYS_NO, SLEEPER } from '../fixtures/tasks.js';

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
