import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, makeHome, readRecords, REPO_ROOT, runCli, startCli, waitForOutput, writeFile } from '../helpers/cli.js';
import { SAYS_NO, SLEEPER, WRITER } from '../fixtures/tasks.js';

describe('a compromised lock', () => {
  it('aborts the run through ctx.signal and records it, instead of crashing', async () => {
    const { home, workspace } = makeHome();
    writeFile(home, 'tasks/sleeper.mjs', SLEEPER);
    writeFile(home, 'runner.config.json', JSON.stringify({ lock: { staleMs: 2000 } }));
    const child = startCli(['sleeper', '60000', '--home', home, '--workspace', workspace]);
    await waitForOutput(child, /SLEEPER STARTED/);
    // Someone removes the lock while it is held: the holder notices on its next refresh.
    rmSync(path.join(home, 'logs', '.locks', 'sleeper.lock'), { recursive: true, force: true });
    const result = await collect(child);
    expect(result.code).toBe(1);
    const [record] = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(record).toMatchObject({ task: 'sleeper', success: false, error_type: 'lock_compromised' });
    expect(String(record!.error)).toMatch(/compromised/);
  });
});

describe('runner test-all', () => {
  it('runs every task once in dry-run and fails when one fails', async () => {
    const { home, workspace } = makeHome();
    writeFile(home, 'tasks/writer.mjs', WRITER);
    writeFile(home, 'tasks/says_no.mjs', SAYS_NO);
    const args = ['--home', home, '--workspace', workspace];
    const result = await runCli(['test-all', '--json', ...args]);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { failed: number; results: { task: string; success: boolean }[] };
    const byTask = Object.fromEntries(summary.results.map((r) => [r.task, r.success]));
    expect(byTask.writer).toBe(true);
    expect(byTask.says_no).toBe(false);
    const records = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records.every((record) => record.dry_run === true)).toBe(true);
    // Dry runs: the writer task wrote nothing.
    expect(() => readFileSync(path.join(workspace, 'store.json'))).toThrow();
  });
});

describe('runner with no task', () => {
  it('prints help and exits 0', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: runner/);
  });
});

describe('runner --version', () => {
  it("prints the package's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    }
  });
});

describe('the library', () => {
  it("is importable as 'taskrunner', with Task, runTask and discoverTasks, and runs a task in-process", async () => {
    const { home, workspace } = makeHome();
    const script = `
      import { Task, runTask, discoverTasks, loadSettings, createStderrLogger } from 'taskrunner';
      class Inline extends Task {
        name = 'inline';
        description = 'runs in-process';
        async run(ctx) { return { success: true, message: 'ran in ' + ctx.paths.workspace }; }
      }
      const settings = loadSettings({ home: ${JSON.stringify(home)}, workspace: ${JSON.stringify(workspace)} });
      const outcome = await runTask(new Inline(), { settings, log: createStderrLogger('silent') });
      const registry = await discoverTasks({ home: settings.home });
      console.log(JSON.stringify({ status: outcome.status, message: outcome.record.message, builtins: [...registry.tasks.keys()].sort() }));
    `;
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const printed = JSON.parse(result.stdout) as { status: string; message: string; builtins: string[] };
    expect(printed.status).toBe('success');
    expect(printed.message).toBe(`ran in ${workspace}`);
    expect(printed.builtins).toContain('batch');
    expect(existsSync(path.join(REPO_ROOT, 'dist', 'types', 'index.d.ts'))).toBe(true);
  });
});
