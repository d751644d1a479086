import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, collect, makeHome, readRecords, runCli, startCli, waitForOutput, writeFile } from '../helpers/cli.js';
import { QUICK, SLEEPER } from '../fixtures/tasks.js';
import { fakeCrontab, fakeOpenClaw } from './cron-fakes.js';

// A task with an argument and an option, to check that a schedule passes them on.
const GREET = `
import { Task } from 'taskrunner';
export default class Greet extends Task {
  name = 'greet';
  description = 'Greets someone';
  arguments = [{ name: 'who' }];
  options = [{ flags: '--shout', description: 'in capitals' }];
  async run(ctx) {
    const text = 'hello, ' + ctx.args[0];
    return { success: true, message: ctx.options.shout ? text.toUpperCase() : text };
  }
}
`;

function homeWith(tasks: Record<string, string>) {
  const { home, workspace } = makeHome();
  for (const [name, source] of Object.entries(tasks)) writeFile(home, `tasks/${name}.mjs`, source);
  const records = () => readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
  return { home, workspace, records, args: ['--home', home, '--workspace', workspace] };
}

interface PlanJson {
  name: string;
  next_runs: string[];
  command: string;
  crontab: { line: string; block: string[] };
  openclaw: { argv: string[]; line: string };
  install?: { target: string; action: string; id?: string; ids?: string[] };
}

async function cronJson(args: readonly string[], env: Record<string, string> = {}): Promise<PlanJson> {
  const result = await runCli(['cron', ...args, '--json'], { env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as PlanJson;
}

describe('runner <task> --skip-if-running', () => {
  it('makes a run that overlaps the previous one exit 0 (2 without it), still writing a locked record', async () => {
    const h = homeWith({ sleeper: SLEEPER });
    const first = startCli(['sleeper', '60000', ...h.args]);
    await waitForOutput(first, /SLEEPER STARTED/);
    const skipped = await runCli(['sleeper', '10', '--skip-if-running', ...h.args]);
    const plain = await runCli(['sleeper', '10', ...h.args]);
    first.kill('SIGTERM');
    await collect(first);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toBe('- sleeper skipped: already running\n');
    expect(plain.code).toBe(2);
    const [skippedRecord, plainRecord] = h.records();
    expect(skippedRecord).toMatchObject({ task: 'sleeper', success: false, locked: true });
    expect(plainRecord).toMatchObject({ task: 'sleeper', success: false, locked: true });
  });

  it('changes nothing for a run that was not locked', async () => {
    const h = homeWith({ quick: QUICK });
    const result = await runCli(['quick', '--skip-if-running', ...h.args]);
    expect(result.code).toBe(0);
    expect(h.records()[0]).toMatchObject({ task: 'quick', success: true });
  });
});

describe('runner cron: the lines', () => {
  it("passes the task's own arguments and options on, checked by the task's parser now", async () => {
    const h = homeWith({});
    writeFile(h.home, 'tasks/greet.mjs', GREET);
    const result = await runCli(['cron', 'greet', '--cron', '@daily', '--json', ...h.args, '--', 'Ada', '--shout']);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as PlanJson;
    expect(plan.command).toContain(' run greet Ada --shout --home ');
    execFileSync('/bin/sh', ['-c', plan.command], { cwd: '/', env: { PATH: '/usr/bin:/bin', HOME: h.home } });
    expect(h.records()[0]).toMatchObject({ task: 'greet', success: true, message: 'HELLO, ADA' });

    const wrong = await runCli(['cron', 'greet', '--cron', '@daily', ...h.args, '--', '--loud']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("unknown option '--loud'");
  });

  it('prints the next runs, a crontab line and an openclaw line', async () => {
    const h = homeWith({ quick: QUICK });
    const result = await runCli(['cron', 'quick', '--cron', '*/30 * * * *', '--tz', 'Asia/Tokyo', ...h.args]);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^ {2}\w{3} \d{4}-\d\d-\d\d \d\d:(00|30) Asia\/Tokyo$/gm)).toHaveLength(3);
    expect(result.stdout).toContain(`  CRON_TZ=Asia/Tokyo\n  */30 * * * * cd ${h.home} && mkdir -p logs && ${process.execPath} ${CLI} run quick --home ${h.home}`);
    expect(result.stdout).toMatch(/note: CRON_TZ is honoured by cronie/);
    expect(result.stdout).toContain(`openclaw cron add --name runner-quick --cron '*/30 * * * *' --tz Asia/Tokyo --command 'cd ${h.home} &&`);
    expect(result.stdout).toContain(`--command-cwd ${h.home} --timeout-seconds 3600`);
  });

  it('gives a line that runs the task from anywhere, with no environment, logging to logs/cron.log', async () => {
    const h = homeWith({ quick: QUICK });
    const plan = await cronJson(['quick', '--cron', '@hourly', ...h.args]);
    // As cron runs it: sh, another folder, next to no environment.
    execFileSync('/bin/sh', ['-c', plan.command], { cwd: '/', env: { PATH: '/usr/bin:/bin', HOME: h.home } });
    execFileSync('/bin/sh', ['-c', plan.command], { cwd: '/', env: { PATH: '/usr/bin:/bin', HOME: h.home } });
    expect(h.records()).toMatchObject([{ task: 'quick', success: true }, { task: 'quick', success: true }]);
    expect(readFileSync(path.join(h.home, 'logs', 'cron.log'), 'utf8')).toMatch(/✓ quick: done.*\n.*✓ quick: done/s);
  });

  it.each([
    [['--cron', '60 * * * *'], /^error: --cron: "60 \* \* \* \*" is not a valid cron expression/],
    [['--cron', '0 0 * * * *'], /^error: --cron: "0 0 \* \* \* \*" has 6 fields; expected 5/],
    [['--cron', '@daily', '--tz', 'Europe/Nowhere'], /^error: --tz: "Europe\/Nowhere" is not a known IANA time zone/],
    [['--cron', '@daily', '--name', 'two words'], /^error: --name: "two words" must be/],
    [[], /^error: --cron: a cron expression is required/],
  ])('refuses %j, naming the argument', async (args, message) => {
    const h = homeWith({ quick: QUICK });
    const result = await runCli(['cron', 'quick', ...args, ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('refuses a task that does not exist before any schedule is written', async () => {
    const h = homeWith({ quick: QUICK });
    const crontab = fakeCrontab();
    const result = await runCli(['cron', 'quikc', '--cron', '@daily', '--install', 'crontab', ...h.args], { env: crontab.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/quikc/);
    expect(existsSync(crontab.table)).toBe(false);
  });
});

describe('runner cron --install crontab', () => {
  it('adds a marked block, leaves it on a second install, replaces it on a change and removes it', async () => {
    const h = homeWith({ quick: QUICK });
    const crontab = fakeCrontab();
    const install = (expression: string) => cronJson(['quick', '--cron', expression, '--install', 'crontab', ...h.args], crontab.env);

    const first = await install('0 * * * *');
    expect(first.install).toEqual({ target: 'crontab', action: 'added' });
    expect(readFileSync(crontab.table, 'utf8')).toBe(`${first.crontab.block.join('\n')}\n`);
    expect(first.crontab.block[0]).toBe('# BEGIN taskrunner runner-quick');
    expect(first.crontab.block.at(-1)).toBe('# END taskrunner runner-quick');

    expect((await install('0 * * * *')).install?.action).toBe('unchanged');

    // The operator's own lines stay where they are.
    writeFileSync(crontab.table, `MAILTO=ops@example.com\n5 4 * * * /usr/local/bin/backup\n${readFileSync(crontab.table, 'utf8')}`);
    const changed = await install('15 * * * *');
    expect(changed.install?.action).toBe('replaced');
    expect(readFileSync(crontab.table, 'utf8')).toBe(`MAILTO=ops@example.com\n5 4 * * * /usr/local/bin/backup\n${changed.crontab.block.join('\n')}\n`);

    const removed = await runCli(['cron', 'quick', '--remove', '--install', 'crontab', ...h.args], { env: crontab.env });
    expect(removed.stdout).toBe("✓ removed runner-quick from the crontab\n");
    expect(readFileSync(crontab.table, 'utf8')).toBe('MAILTO=ops@example.com\n5 4 * * * /usr/local/bin/backup\n');
    const again = await runCli(['cron', 'quick', '--remove', '--install', 'crontab', ...h.args], { env: crontab.env });
    expect(again).toMatchObject({ code: 0, stdout: 'runner-quick is not in the crontab; nothing removed\n' });
  });

  it('says clearly when there is no crontab command', async () => {
    const h = homeWith({ quick: QUICK });
    const result = await runCli(['cron', 'quick', '--cron', '@daily', '--install', 'crontab', ...h.args], {
      env: { RUNNER_CRONTAB_BIN: '/nonexistent/crontab' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: no \/nonexistent\/crontab command on this machine: install cron/);
  });
});

describe('runner cron --install openclaw', () => {
  it('adds the job once, finds it (even disabled) on a second install, and removes it by name', async () => {
    const h = homeWith({ quick: QUICK });
    const openclaw = fakeOpenClaw();
    const calls = () => readFileSync(openclaw.calls, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]);

    const first = await cronJson(['quick', '--cron', '@daily', '--tz', 'UTC', '--install', 'openclaw', ...h.args], openclaw.env);
    expect(first.install).toEqual({ target: 'openclaw', action: 'added', id: 'job-1' });
    expect(calls()).toEqual([
      ['cron', 'list', '--all', '--json'],
      ['cron', ...first.openclaw.argv.slice(2), '--json'],
    ]);

    // Disabled by hand: still the job of that name, so nothing is added.
    const jobs = JSON.parse(readFileSync(openclaw.jobs, 'utf8')) as { enabled: boolean }[];
    jobs[0]!.enabled = false;
    writeFileSync(openclaw.jobs, JSON.stringify(jobs));
    const second = await runCli(['cron', 'quick', '--cron', '@daily', '--install', 'openclaw', ...h.args], { env: openclaw.env });
    expect(second.stdout).toContain('runner-quick already exists in OpenClaw\'s cron (id job-1); nothing added');
    expect(calls().filter(([, command]) => command === 'add')).toHaveLength(1);

    const removed = await runCli(['cron', 'quick', '--remove', '--install', 'openclaw', ...h.args], { env: openclaw.env });
    expect(removed.stdout).toBe("✓ removed runner-quick from OpenClaw's cron (id job-1)\n");
    expect(JSON.parse(readFileSync(openclaw.jobs, 'utf8'))).toEqual([]);
  });

  it('fails with OpenClaw\'s own reason when the gateway is down, and when there is no openclaw', async () => {
    const h = homeWith({ quick: QUICK });
    const openclaw = fakeOpenClaw();
    const down = await runCli(['cron', 'quick', '--cron', '@daily', '--install', 'openclaw', ...h.args], { env: { ...openclaw.env, FAKE_OPENCLAW_DOWN: '1' } });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe('error: openclaw cron list: exit 1: Gateway not reachable: connect ECONNREFUSED 127.0.0.1:18789\n');
    const missing = await runCli(['cron', 'quick', '--cron', '@daily', '--install', 'openclaw', ...h.args], { env: { PATH: '/nonexistent', OPENCLAW_BIN: '' } });
    expect(missing.stderr).toBe('error: openclaw cron list: no openclaw on PATH\n');
  });
});
