import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, makeHome, readRecords, startCli, waitForOutput, writeFile } from '../helpers/cli.js';
import { QUICK, SLEEPER } from '../fixtures/tasks.js';
import { installOpenClaw, openclawJson, runRunner, startGateway, waitFor, type Gateway } from './helpers.js';

/** A job as the real `openclaw cron list --json` shows it; the fields these tests read. */
interface Job {
  id: string;
  name: string;
  schedule: { kind: string; expr?: string; tz?: string };
  payload: { kind: string; argv?: string[]; cwd?: string; env?: Record<string, string>; timeoutSeconds?: number };
  state: { lastStatus?: string; lastError?: string };
}

const found = installOpenClaw();
if ('skipReason' in found) console.warn(found.skipReason);
const install = 'install' in found ? found.install : undefined;

describe.skipIf(!install)('runner cron against the real OpenClaw 2026.9.6', () => {
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    gateway = await startGateway(install!);
  });
  // Runs when a test failed too; stop() sends SIGTERM to the gateway's PID, then SIGKILL.
  afterAll(async () => {
    await gateway?.stop();
  });

  const jobs = async () => (await openclawJson<{ jobs: Job[] }>(gateway!, ['cron', 'list', '--all', '--json'])).jobs;
  const jobsNamed = async (name: string) => (await jobs()).filter((job) => job.name === name);

  it('--install openclaw adds the job once, as printed; --remove removes it', async () => {
    const { home, workspace } = makeHome();
    writeFile(home, 'tasks/quick.mjs', QUICK);
    const args = ['cron', 'quick', '--cron', '0 3 * * *', '--tz', 'Europe/Berlin', '--home', home, '--workspace', workspace, '--install', 'openclaw', '--json'];

    const first = await runRunner(args, gateway!.env);
    expect(first.code, first.stderr).toBe(0);
    const plan = JSON.parse(first.stdout) as { openclaw: { argv: string[] }; install: { action: string; id: string } };
    expect(plan.install.action).toBe('added');
    const printed = plan.openclaw.argv;
    const [job, ...others] = await jobsNamed('runner-quick');
    expect(others).toEqual([]);
    expect(job).toMatchObject({
      id: plan.install.id,
      schedule: { kind: 'cron', expr: '0 3 * * *', tz: 'Europe/Berlin' },
      payload: {
        kind: 'command',
        argv: JSON.parse(printed[printed.indexOf('--command-argv') + 1]!) as string[],
        cwd: home,
        env: { PATH: printed[printed.indexOf('--command-env') + 1]!.slice('PATH='.length) },
        timeoutSeconds: 3600,
      },
      delivery: { mode: 'none' },
    });

    const second = await runRunner(args, gateway!.env);
    expect(JSON.parse(second.stdout)).toMatchObject({ install: { action: 'unchanged', id: plan.install.id } });
    expect(await jobsNamed('runner-quick')).toHaveLength(1);

    const removed = await runRunner(['cron', 'quick', '--remove', '--install', 'openclaw', '--home', home, '--json'], gateway!.env);
    expect(JSON.parse(removed.stdout)).toEqual({ name: 'runner-quick', install: { target: 'openclaw', action: 'removed', ids: [plan.install.id] } });
    expect(await jobsNamed('runner-quick')).toEqual([]);
  });

  it('records a failing command job as lastStatus "error"', async () => {
    const added = await openclawJson<{ id: string }>(gateway!, ['cron', 'add', '--name', 'fails', '--every', '10s', '--command', 'exit 3', '--no-deliver', '--json']);
    const failed = await waitFor(async () => (await jobs()).find((job) => job.id === added.id && job.state.lastStatus === 'error'), {
      what: 'the "exit 3" job to have run',
    });
    expect(failed.state.lastError).toBe('command exited with code 3');
    await openclawJson(gateway!, ['cron', 'rm', added.id, '--json']);
  });

  it('a scheduled run that finds its task still running is "ok" to OpenClaw, and recorded as locked', async () => {
    const { home, workspace } = makeHome();
    writeFile(home, 'tasks/sleeper.mjs', SLEEPER);
    // Hold the task's lock with a long run, so the job's run overlaps it.
    const holder = startCli(['sleeper', '600000', '--home', home, '--workspace', workspace]);
    try {
      await waitForOutput(holder, /SLEEPER STARTED/);
      const installed = await runRunner(['cron', 'sleeper', '--cron', '* * * * *', '--home', home, '--workspace', workspace, '--install', 'openclaw', '--json'], gateway!.env);
      expect(installed.code, installed.stderr).toBe(0);
      const id = (JSON.parse(installed.stdout) as { install: { id: string } }).install.id;
      const ran = await waitFor(async () => (await jobs()).find((job) => job.id === id && job.state.lastStatus !== undefined), {
        what: 'the every-minute job to have run once',
      });
      expect(ran.state).toMatchObject({ lastStatus: 'ok' });
      expect(readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'))).toMatchObject([{ task: 'sleeper', locked: true }]);
      // The run's one-line summary is its output, which OpenClaw keeps as the run's summary.
      const runs = await openclawJson<{ entries: { summary?: string }[] }>(gateway!, ['cron', 'runs', '--id', id, '--json']);
      expect(runs.entries.map((entry) => entry.summary)).toContain('- sleeper skipped: already running');
      await openclawJson(gateway!, ['cron', 'rm', id, '--json']);
    } finally {
      holder.kill('SIGTERM');
      await collect(holder);
    }
  });
});

