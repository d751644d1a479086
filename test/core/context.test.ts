import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/config.js';
import { createTaskContext, nestedRunOptions, taskPaths, type ContextInit } from '../../src/core/context.js';
import { runTask } from '../../src/core/run-task.js';
import { Task, type TaskContext, type TaskResult } from '../../src/core/task.js';
import { AlertStore, type Alert } from '../../src/store/alerts.js';
import { makeHome, writeFile } from '../helpers/cli.js';
import { memoryLogger } from '../helpers/memory-log.js';

/** The context a task gets, in-process: what it carries and what its helpers do, on real files. */

/** A context on a fresh home; `init` overrides any field. */
function context(init: Partial<ContextInit> = {}) {
  const { home, workspace } = makeHome('taskrunner-context-');
  const { log, entries } = memoryLogger();
  const controller = new AbortController();
  const ctx = createTaskContext({
    taskName: 'sample',
    runId: 'run-1',
    dryRun: false,
    signal: controller.signal,
    args: ['first', 'second'],
    options: { limit: '3', force: true },
    config: { retry: { attempts: 2 } },
    paths: taskPaths(home, workspace),
    log,
    attempt: 2,
    ...init,
  });
  const pending = () => readPending(path.join(home, 'alerts', 'pending.json'));
  return { ctx, home, workspace, log, entries, controller, pending };
}

function readPending(file: string): Alert[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Alert[]) : [];
}

describe('the task context', () => {
  it("carries the run's name, id, attempt, arguments, options, config, logger and paths", () => {
    const { ctx, home, workspace, log } = context();
    expect(ctx).toMatchObject({ taskName: 'sample', runId: 'run-1', dryRun: false, attempt: 2, args: ['first', 'second'], options: { limit: '3', force: true } });
    expect(ctx.config).toEqual({ retry: { attempts: 2 } });
    expect(ctx.log).toBe(log);
    expect([ctx.paths.home, ctx.paths.workspace]).toEqual([home, workspace]);
    // Logged or printed, the workspace's getter shows like a plain field.
    expect(JSON.parse(JSON.stringify(ctx.paths))).toEqual({ home, workspace });
    expect(Object.keys(ctx)).toEqual(expect.arrayContaining(['signal', 'paths', 'options', 'dryRun']));
  });

  it("ctx.signal is the run's signal", () => {
    const { ctx, controller } = context();
    expect(ctx.signal).toBe(controller.signal);
    expect(ctx.signal.aborted).toBe(false);
    controller.abort(new Error('timed out'));
    expect(ctx.signal.aborted).toBe(true);
    expect((ctx.signal.reason as Error).message).toBe('timed out');
  });

  it('checks the workspace only when the task uses it, naming where it came from', async () => {
    const { home } = makeHome('taskrunner-context-');
    const missing = path.join(home, 'no-such-workspace');
    const configFile = path.join(home, 'runner.config.json');
    const { ctx } = context({ paths: taskPaths(home, missing, { from: 'config', file: configFile }) });
    expect(ctx.paths.home).toBe(home);
    expect(() => ctx.paths.workspace).toThrow(expect.objectContaining({ code: 'runner.noWorkspace', file: missing }));
    expect(() => ctx.paths.workspace).toThrow(`workspace ${missing} does not exist (from "workspace" in ${configFile})`);
    // The helpers reject (a task's .catch() sees it), they do not throw at the call.
    await expect(ctx.readJson('state.json')).rejects.toMatchObject({ code: 'runner.noWorkspace' });
    await expect(ctx.updateJson('state.json', () => 1)).rejects.toMatchObject({ code: 'runner.noWorkspace' });
    await expect(ctx.appendText('diary.md', 'x')).rejects.toMatchObject({ code: 'runner.noWorkspace' });
    // An absolute path needs no workspace.
    const absolute = path.join(home, 'notes.txt');
    await ctx.appendText(absolute, 'kept\n');
    expect(readFileSync(absolute, 'utf8')).toBe('kept\n');
  });

  it('file helpers resolve relative paths against the workspace and write through', async () => {
    const { ctx, workspace } = context();
    expect(await ctx.readJson('state.json')).toBeUndefined();
    const written = await ctx.updateJson<{ n: number }>('state.json', (current) => ({ n: (current?.n ?? 0) + 1 }));
    expect(written).toEqual({ n: 1 });
    await ctx.updateJson<{ n: number }>('state.json', (current) => ({ n: current!.n + 1 }), { backup: true, indent: 0 });
    expect(await ctx.readJson('state.json')).toEqual({ n: 2 });
    expect(readFileSync(path.join(workspace, 'state.json'), 'utf8')).toBe('{"n":2}\n');
    expect(JSON.parse(readFileSync(path.join(workspace, 'state.json.bak'), 'utf8'))).toEqual({ n: 1 });
    await ctx.appendText('notes/diary.md', 'one\n');
    await ctx.appendText('notes/diary.md', 'two\n');
    expect(readFileSync(path.join(workspace, 'notes', 'diary.md'), 'utf8')).toBe('one\ntwo\n');
  });

  it('in a dry run the file helpers write nothing, yet updateJson runs its update and returns it', async () => {
    const { ctx, workspace } = context({ dryRun: true });
    expect(ctx.dryRun).toBe(true);
    let seen: unknown = 'not called';
    const result = await ctx.updateJson('state.json', (current) => ((seen = current), { would: 'write' }));
    expect(seen).toBeUndefined();
    expect(result).toEqual({ would: 'write' });
    await ctx.appendText('diary.md', 'entry\n');
    expect(existsSync(path.join(workspace, 'state.json'))).toBe(false);
    expect(existsSync(path.join(workspace, 'diary.md'))).toBe(false);
  });

  it("ctx.alert raises in the home's inbox (warning unless said), refreshes by key, and resolveAlert removes it", async () => {
    const { ctx, pending, entries } = context();
    await ctx.alert('disk at 91%');
    await ctx.alert('disk at 95%', 'critical', { key: 'disk' });
    await ctx.alert('disk at 93%', 'warning', { key: 'disk' });
    await ctx.alert('gateway down', 'error', { unlessPending: true });
    await ctx.alert('gateway down', 'error', { unlessPending: true });
    expect(pending().map(({ task, level, message, key }) => ({ task, level, message, key }))).toEqual([
      { task: 'sample', level: 'warning', message: 'disk at 91%', key: undefined },
      // The newest message, the higher of the two levels.
      { task: 'sample', level: 'critical', message: 'disk at 93%', key: 'disk' },
      { task: 'sample', level: 'error', message: 'gateway down', key: undefined },
    ]);
    await ctx.resolveAlert('disk');
    await ctx.resolveAlert('never-raised');
    expect(pending().map((alert) => alert.message)).toEqual(['disk at 91%', 'gateway down']);
    expect(entries.filter((entry) => entry.msg === 'alert disk resolved')).toHaveLength(1);
  });

  it("ctx.alert goes to the inbox given instead of the home's (the shared one of a queue)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'taskrunner-context-inbox-'));
    try {
      const inbox = new AlertStore(path.join(dir, 'shared.json'));
      const { ctx, pending } = context({ alerts: inbox, scheduled: true });
      await ctx.alert('from a worker', 'info', { key: 'w' });
      expect((await inbox.list()).map((alert) => [alert.task, alert.level, alert.message])).toEqual([['sample', 'info', 'from a worker']]);
      expect(pending()).toEqual([]);
      await ctx.resolveAlert('w');
      expect(await inbox.list()).toEqual([]);
      // A run the task starts itself (a batch entry naming a task) keeps the inbox and `scheduled`.
      expect(nestedRunOptions(ctx)).toEqual({ alerts: inbox, scheduled: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in a dry run ctx.alert and resolveAlert write nothing and log what they would have done', async () => {
    const { ctx, home, entries } = context({ dryRun: true });
    await ctx.alert('would warn', 'error', { key: 'k' });
    await ctx.resolveAlert('k');
    expect(existsSync(path.join(home, 'alerts', 'pending.json'))).toBe(false);
    expect(entries.map(({ msg, alert }) => ({ msg, alert }))).toEqual([
      { msg: 'dry run: alert not written', alert: { level: 'error', message: 'would warn', key: 'k' } },
      { msg: 'dry run: alert not resolved', alert: { key: 'k' } },
    ]);
  });

  it('a context made outside a run has no nested-run options to pass on', () => {
    const { ctx } = context();
    expect(nestedRunOptions(ctx)).toEqual({ alerts: undefined, scheduled: undefined });
    expect(nestedRunOptions({ ...ctx } as TaskContext)).toEqual({});
  });
});

describe('the context runTask gives a task', () => {
  it("holds the run's options, settings, attempt and a logger bound to the task and run id", async () => {
    const { home, workspace } = makeHome('taskrunner-context-run-');
    writeFile(home, 'runner.config.json', JSON.stringify({ workspace, retry: { attempts: 2, minTimeoutMs: 1 } }));
    const settings = loadSettings({ home }, {});
    const { log, entries } = memoryLogger();
    const seen: TaskContext[] = [];
    class Recorder extends Task {
      name = 'recorder';
      description = 'keeps its contexts';
      async run(ctx: TaskContext): Promise<TaskResult> {
        seen.push(ctx);
        ctx.log.info('attempt %d', ctx.attempt);
        return { success: ctx.attempt === 2 };
      }
    }
    const outcome = await runTask(new Recorder(), { settings, log, args: ['a'], options: { limit: '5' }, dryRun: true });
    expect(outcome.status).toBe('success');
    expect(seen.map((ctx) => ctx.attempt)).toEqual([1, 2]);
    const [ctx] = seen;
    expect(ctx).toMatchObject({ taskName: 'recorder', dryRun: true, args: ['a'], options: { limit: '5' } });
    expect(ctx!.config).toBe(settings.config);
    expect(JSON.parse(JSON.stringify(ctx!.paths))).toEqual({ home, workspace });
    expect(ctx!.runId).toBe(outcome.record.run_id);
    expect(entries.filter((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('attempt ') && !('err' in entry))).toEqual([
      expect.objectContaining({ task: 'recorder', run_id: ctx!.runId, msg: 'attempt 1' }),
      expect.objectContaining({ task: 'recorder', run_id: ctx!.runId, msg: 'attempt 2' }),
    ]);
    // A signal that nothing aborted.
    expect(ctx!.signal.aborted).toBe(false);
  });
});
