import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, makeHome, runCli, startCli, waitForOutput, writeFile } from '../helpers/cli.js';

const TASKS = ['alpha', 'beta', 'gamma'];

/** A task that has never run. */
const QUIET = `import { Task } from 'taskrunner';
export default class Quiet extends Task { name = 'quiet'; description = 'never ran'; async run() { return { success: true }; } }
`;
const HOUR = 3_600_000;

/** A record as the writer lays it out; run `n` of 3000 started `3000 - n` minutes before `now`. */
function line(n: number, now: number, total: number): string {
  const task = TASKS[n % 3]!;
  const timestamp = new Date(now - (total - n) * 60_000).toISOString().replace('Z', '+00:00');
  const ok = n % 4 !== 0;
  const record = ok
    ? { task, dry_run: false, timestamp, success: true, message: `run ${n}`, duration_seconds: 1.5, run_id: `r${n}`, attempts: 1 }
    : { task, dry_run: false, timestamp, success: false, duration_seconds: 2, run_id: `r${n}`, attempts: 3, error: `boom ${n}`, error_type: 'Error', retry_attempts: 2, all_attempts_failed: true };
  return JSON.stringify(record);
}

function homeWithLog(total: number): { home: string; workspace: string; file: string; lines: string[] } {
  const { home, workspace } = makeHome('taskrunner-logs-');
  const file = path.join(home, 'logs', 'tasks.jsonl');
  mkdirSync(path.dirname(file), { recursive: true });
  const now = Date.now();
  const lines = Array.from({ length: total }, (_, n) => line(n, now, total));
  // Older half in a rotated file, with a corrupt line in each file.
  const half = total / 2;
  writeFileSync(`${file}.1`, `${lines.slice(0, half).join('\n')}\n{"task":"alpha","timest\n`);
  writeFileSync(file, `not json\n${lines.slice(half).join('\n')}\n`);
  return { home, workspace, file, lines };
}

const args = (home: string, workspace: string, ...rest: string[]) => ['logs', '--home', home, '--workspace', workspace, ...rest];

describe('runner logs', () => {
  const { home, workspace, lines } = homeWithLog(3000);
  const byTask = (task: string) => lines.filter((l) => l.startsWith(`{"task":"${task}"`));

  it('prints the newest 20 records oldest first, as the file has them with --json, and counts bad lines', async () => {
    const result = await runCli(args(home, workspace, '--json'));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${lines.slice(-20).join('\n')}\n`);
    expect(result.stderr).toBe('');
  });

  it('filters by task and --failed, across the rotated file, with --limit', async () => {
    const beta = await runCli(args(home, workspace, '--json', '--task', 'beta', '--limit', '1500'));
    expect(beta.stdout).toBe(`${byTask('beta').join('\n')}\n`);
    // Reading all of it, it met both corrupt lines.
    expect(beta.stderr).toContain('2 unparseable line(s) skipped');

    const failed = await runCli(args(home, workspace, '--json', '--failed', '--task', 'gamma', '--limit', '7'));
    const expected = byTask('gamma').filter((l) => l.includes('"success":false')).slice(-7);
    expect(failed.stdout).toBe(`${expected.join('\n')}\n`);
  });

  it('--since keeps the runs that started within the duration', async () => {
    const result = await runCli(args(home, workspace, '--json', '--since', '2h', '--limit', '1000'));
    const cutoff = Date.now() - 2 * HOUR;
    const got = result.stdout.trim().split('\n');
    const expected = lines.filter((l) => Date.parse((JSON.parse(l) as { timestamp: string }).timestamp) >= cutoff);
    // The test's clock moves on between the two cutoffs: at most the oldest minute differs.
    expect(Math.abs(got.length - expected.length)).toBeLessThanOrEqual(1);
    expect(got.at(-1)).toBe(lines.at(-1));
    expect(got.length).toBeGreaterThanOrEqual(119);
    for (const text of got) expect(Date.parse((JSON.parse(text) as { timestamp: string }).timestamp)).toBeGreaterThanOrEqual(cutoff - 60_000);
  });

  it('prints human lines without --json', async () => {
    const result = await runCli(args(home, workspace, '--task', 'alpha', '--limit', '2'));
    const shown = result.stdout.trim().split('\n');
    expect(shown).toHaveLength(2);
    expect(shown[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}alpha +[✓✗] +[\d.]+s {2}(run|boom) \d+$/);
    expect(shown[1]).toContain('run 2997');
  });

  it('refuses a bad --since or --limit, naming the flag', async () => {
    expect((await runCli(args(home, workspace, '--since', 'yesterday'))).stderr).toContain('--since');
    const limit = await runCli(args(home, workspace, '--limit', '0'));
    expect(limit.code).toBe(1);
    expect(limit.stderr).toContain('--limit');
  });

  it('--task of a name that is no task and has no runs is an error, with a suggestion', async () => {
    writeFile(home, 'tasks/quiet.mjs', QUIET);
    const result = await runCli(args(home, workspace, '--task', 'quite'));
    expect(result).toMatchObject({ code: 1, stdout: '' });
    // Reading the whole log for it, it met the corrupt lines (counted first).
    expect(result.stderr).toMatch(/^error: --task: unknown task "quite"\. Did you mean "quiet"\? Looked in .*; the home is .*, from --home\. \S+tasks\.jsonl has no runs of it either\.\n$/m);
    const followed = await runCli(args(home, workspace, '--task', 'quite', '--follow'));
    expect(followed.code).toBe(1);
  });

  it('--task of a task that has not run says so and exits 0; --json keeps stdout for records', async () => {
    writeFile(home, 'tasks/quiet.mjs', QUIET);
    const logFile = path.join(home, 'logs', 'tasks.jsonl');
    const human = await runCli(args(home, workspace, '--task', 'quiet'));
    expect(human).toMatchObject({ code: 0, stdout: `no runs of quiet in ${logFile}\n` });
    const json = await runCli(args(home, workspace, '--task', 'quiet', '--json'));
    expect(json).toMatchObject({ code: 0, stdout: '' });
    expect(json.stderr).toContain(`no runs of quiet in ${logFile}\n`);
    // A task known only by its runs (no file now), whose runs the other filters leave out.
    const none = await runCli(args(home, workspace, '--task', 'alpha', '--since', `${new Date(Date.now() + 3_600_000).toISOString()}`));
    expect(none).toMatchObject({ code: 0, stdout: `no runs of alpha match --since in ${logFile}\n` });
  });

  it('prints nothing for a home without a log', async () => {
    const empty = makeHome('taskrunner-logs-empty-');
    const result = await runCli(args(empty.home, empty.workspace, '--json'));
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});

describe('runner logs --follow', () => {
  it('prints records appended after it started, across a rotation, until SIGTERM (exit 143)', async () => {
    const { home, workspace, file, lines } = homeWithLog(100);
    const child = startCli(args(home, workspace, '--json', '--follow', '--limit', '2'));
    await waitForOutput(child, new RegExp(`"run_id":"r99"`));

    const now = Date.now();
    const fresh = Array.from({ length: 6 }, (_, i) => line(1000 + i, now, 1006));
    appendFileSync(file, `${fresh[0]}\n`);
    await waitForOutput(child, /"run_id":"r1000"/);
    // A record split across two writes is printed once whole.
    const half = fresh[1]!.length >> 1;
    appendFileSync(file, fresh[1]!.slice(0, half));
    appendFileSync(file, `${fresh[1]!.slice(half)}\n${fresh[2]}\n`);
    // Rotation: the writer renames the full file and starts a new one.
    renameSync(`${file}.1`, `${file}.2`);
    renameSync(file, `${file}.1`);
    writeFileSync(file, `${fresh[3]}\n`);
    appendFileSync(file, `${fresh[4]}\ngarbage\n${fresh[5]}\n`);
    await waitForOutput(child, /"run_id":"r1005"/);

    child.kill('SIGTERM');
    const result = await collect(child);
    expect(result.code).toBe(143);
    expect(result.stdout).toBe(`${[...lines.slice(-2), ...fresh].join('\n')}\n`);
    // The 'garbage' line; the corrupt lines further back were never reached by a read of 2 records.
    expect(result.stderr).toContain('1 unparseable line(s) skipped');
    expect(readFileSync(`${file}.1`, 'utf8')).toContain('r1002');
  });

  it('waits for a log that does not exist yet, and exits 130 on SIGINT', async () => {
    const { home, workspace } = makeHome('taskrunner-logs-follow-');
    const child = startCli(args(home, workspace, '--follow'));
    // Whenever the follower gets there, it reads a log that appears from its first byte.
    const file = path.join(home, 'logs', 'tasks.jsonl');
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, `${line(1, Date.now(), 1)}\n`);
    await waitForOutput(child, /beta +✓ +1\.5s {2}run 1/);
    child.kill('SIGINT');
    const result = await collect(child);
    expect(result.code).toBe(130);
  });
});
