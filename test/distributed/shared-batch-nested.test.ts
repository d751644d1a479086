import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { makeHome, runCli, writeFile, type CliResult } from '../helpers/cli.js';
import { describeOnServers } from './helpers.js';

/** Raises a warning naming its run, then succeeds. */
const NAGGER = `
import { Task } from 'taskrunner';
export default class Nagger extends Task {
  name = 'nagger';
  description = 'Raises an alert, then succeeds';
  async run(ctx) {
    await ctx.alert('nagged by ' + ctx.runId, 'warning');
    return { success: true, message: 'nagged' };
  }
}
`;

/** A runner home ("a host") whose config points at the shared queue. */
function host(url: string, prefix: string) {
  const { home, workspace } = makeHome('taskrunner-nested-');
  writeFile(home, 'tasks/nagger.mjs', NAGGER);
  writeFile(home, 'runner.config.json', JSON.stringify({ workspace, retry: { attempts: 1 }, queue: { url, prefix } }));
  return { home, run: (args: string[]) => runCli([...args, '--home', home]) };
}

function parsed<T>(result: CliResult): T {
  expect(result.stderr, `exit ${result.code}`).not.toMatch(/error:/);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

// A batch entry that runs a task (`--run`) runs it in the batch's process: with a queue configured,
// that nested run must use the stores the batch's own run uses, not the home's files.
await describeOnServers("a batch entry's run", (suite) => {
  it('raises into the shared inbox and records into the shared history', async () => {
    const a = host(suite.url, suite.prefix);
    const b = host(suite.url, suite.prefix);
    expect((await a.run(['batch', 'add', 'Nag the operator', '--run', 'nagger'])).code).toBe(0);
    const batch = parsed<{ task: string; success: boolean }>(await a.run(['batch', '1', '--json']));
    expect(batch).toMatchObject({ task: 'batch', success: true });

    // Another host sees the nested run's alert in the shared inbox, and none went to A's file.
    const alerts = parsed<{ task: string; level: string; message: string }[]>(await b.run(['alerts', '--json']));
    expect(alerts).toEqual([expect.objectContaining({ task: 'nagger', level: 'warning', message: expect.stringMatching(/^nagged by /) })]);
    expect(existsSync(path.join(a.home, 'alerts', 'pending.json'))).toBe(false);

    // ... and both runs, the batch's and the entry's, in the shared history.
    const status = parsed<{ tasks: { task: string; last_result: string; runs: number }[] }>(await b.run(['status', '--json']));
    const byTask = Object.fromEntries(status.tasks.map((task) => [task.task, task]));
    expect(byTask.batch).toMatchObject({ last_result: 'ok', runs: 1 });
    expect(byTask.nagger).toMatchObject({ last_result: 'ok', runs: 1 });
  });
});
