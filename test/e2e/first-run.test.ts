import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHome, readRecords, REPO_ROOT, runCli } from '../helpers/cli.js';

/**
 * The first hour on a fresh machine: the README's first command, run where the operator is, with
 * an empty HOME, no OpenClaw and no OPENCLAW_* variables (the helper clears them), and the errors
 * met on the way saying where the runner looked.
 */

const emptyDir = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

describe("the README's first command on a fresh machine", () => {
  it('`runner hello` in the repository runs with an empty HOME: no workspace, no OpenClaw needed', async () => {
    const home = emptyDir('taskrunner-fresh-home-');
    // The repository is the runner home (its tasks/hello.ts), as in the README: a copy of it, with
    // the repository's node_modules, so the run's record does not land in the checkout.
    const clone = emptyDir('taskrunner-fresh-clone-');
    mkdirSync(path.join(clone, 'tasks'));
    copyFileSync(path.join(REPO_ROOT, 'tasks', 'hello.ts'), path.join(clone, 'tasks', 'hello.ts'));
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'));
    const result = await runCli(['hello'], { cwd: clone, env: { HOME: home, XDG_CACHE_HOME: undefined } });
    expect(result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ hello: hello, world \([\d.]+s\)\n$/);
    // Nothing of OpenClaw's was made in the empty HOME.
    expect(readdirSync(home).filter((entry) => entry !== '.cache')).toEqual([]);
  });

  it('`runner hello` from another folder says which home it looked in, and that the home is the current folder', async () => {
    const elsewhere = emptyDir('taskrunner-elsewhere-');
    const result = await runCli(['hello'], { cwd: elsewhere });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: unknown command or task "hello". Looked in ${elsewhere}/tasks/, which does not exist, and the built-in tasks; ` +
        `the home is ${elsewhere}, the current folder, as neither --home nor $RUNNER_HOME is set.\n`,
    );
    const byEnv = await runCli(['hello'], { cwd: elsewhere, env: { RUNNER_HOME: elsewhere } });
    expect(byEnv.stderr).toContain(`the home is ${elsewhere}, from $RUNNER_HOME.`);
    const typo = path.join(elsewhere, 'typo');
    const byFlag = await runCli(['hello', '--home', typo]);
    expect(byFlag.stderr).toContain(`the home ${typo} (from --home) does not exist.`);
  });
});

describe('a folder that is no runner home', () => {
  it('is not made one by a task run: system_health there creates no logs/ or alerts/ and says why', async () => {
    const elsewhere = emptyDir('taskrunner-not-a-home-');
    const { workspace } = makeHome();
    const result = await runCli(['system_health', '--workspace', workspace], { cwd: elsewhere });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: ${elsewhere} is not a runner home: it is the home only because it is the current folder (neither --home nor $RUNNER_HOME is set), ` +
        `and it has none of tasks/, runner.config.json, logs/, alerts/, .runner/. Run the command in your runner home, choose it with --home DIR or $RUNNER_HOME, ` +
        `or make this folder one: mkdir ${elsewhere}/tasks\n`,
    );
    const testAll = await runCli(['test-all', '--workspace', workspace], { cwd: elsewhere });
    expect(testAll.code).toBe(1);
    expect(testAll.stderr).toContain('is not a runner home');
    // The heartbeat writes nothing there either when it has nothing to keep.
    const heartbeat = await runCli(['heartbeat', '--workspace', workspace], { cwd: elsewhere });
    expect([heartbeat.code, heartbeat.stdout]).toEqual([0, 'HEARTBEAT_OK\n']);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('becomes one with a tasks/ folder, or when named by --home', async () => {
    const { workspace } = makeHome();
    const folder = emptyDir('taskrunner-new-home-');
    mkdirSync(path.join(folder, 'tasks'));
    const inFolder = await runCli(['memory_consolidate', '--workspace', workspace], { cwd: folder });
    expect([inFolder.code, inFolder.stdout]).toEqual([0, expect.stringMatching(/^✓ memory_consolidate/)]);
    expect(readRecords(readFileSync(path.join(folder, 'logs', 'tasks.jsonl'), 'utf8'))).toMatchObject([{ task: 'memory_consolidate', success: true }]);
    const named = emptyDir('taskrunner-named-home-');
    const byFlag = await runCli(['memory_consolidate', '--home', named, '--workspace', workspace], { cwd: emptyDir('taskrunner-cwd-') });
    expect([byFlag.code, byFlag.stdout]).toEqual([0, expect.stringMatching(/^✓ memory_consolidate/)]);
    expect(readdirSync(named)).toContain('logs');
  });
});

describe('a mistyped command', () => {
  it('is answered with the command it resembles, as a mistyped task is', async () => {
    const { home, workspace } = makeHome();
    const args = ['--home', home, '--workspace', workspace];
    const lsit = await runCli(['lsit', ...args]);
    expect(lsit.code).toBe(1);
    expect(lsit.stderr).toMatch(/^error: unknown command or task "lsit"\. Did you mean "list"\? Looked in /);
    const stauts = await runCli(['stauts', '--json', ...args]);
    expect(stauts.stderr).toContain('Did you mean "status"?');
    // One list of names for both: a task and a command close to the word are both offered.
    const both = await runCli(['memory_captur', ...args]);
    expect(both.stderr).toContain('Did you mean "memory_capture"?');
    // `runner help` takes a command's name as well as a task's, and suggests both.
    const help = await runCli(['help', 'lsit', ...args]);
    expect(help.stderr).toContain('Did you mean "list"?');
    const listHelp = await runCli(['help', 'list', ...args]);
    expect([listHelp.code, listHelp.stdout]).toEqual([0, expect.stringMatching(/^Usage: runner list \[options\]/)]);
  });
});
