import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, collect, makeHome, readRecords, runCli, startCli, waitForOutput, writeFile } from '../helpers/cli.js';
import { QUICK, quickNamed, SLEEPER } from '../fixtures/tasks.js';
import { fakeCrontab, fakeOpenClaw } from './cron-fakes.js';
import { fakeOpenClaw as answeringOpenClaw } from '../helpers/fake-openclaw.js';

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
  cron: string;
  tz: string | null;
  source: string;
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
    // A scheduler started the first (the flag is what its line passes): its record says so.
    expect(skippedRecord).toEqual({ task: 'sleeper', timestamp: expect.any(String), success: false, error: 'Task is already running (locked)', locked: true, scheduled: true });
    expect(plainRecord).toEqual({ task: 'sleeper', timestamp: expect.any(String), success: false, error: 'Task is already running (locked)', locked: true });
  });

  it('changes nothing else for a run that was not locked, whose record says a scheduler started it', async () => {
    const h = homeWith({ quick: QUICK });
    const result = await runCli(['quick', '--skip-if-running', ...h.args]);
    expect(result.code).toBe(0);
    const byHand = await runCli(['quick', ...h.args]);
    expect(byHand.code).toBe(0);
    const [scheduled, plain] = h.records();
    expect(scheduled).toMatchObject({ task: 'quick', success: true, scheduled: true });
    // Last of the tail, after `attempts` (docs/stores.md, "The run record").
    expect(Object.keys(scheduled!).slice(-3)).toEqual(['run_id', 'attempts', 'scheduled']);
    expect(plain).not.toHaveProperty('scheduled');
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

  it('prints the next runs, a crontab line and an openclaw line, both with a PATH on which openclaw is found', async () => {
    const h = homeWith({ quick: QUICK });
    const openclaw = fakeOpenClaw();
    const result = await runCli(['cron', 'quick', '--cron', '*/30 * * * *', '--tz', 'Asia/Tokyo', ...h.args], { env: openclaw.env });
    expect(result.code).toBe(0);
    expect(result.stdout.match(/^ {2}\w{3} \d{4}-\d\d-\d\d \d\d:(00|30) Asia\/Tokyo$/gm)).toHaveLength(3);
    const jobPath = [...new Set([openclaw.dir, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'])].join(':');
    expect(result.stdout).toContain(`  CRON_TZ=Asia/Tokyo\n  */30 * * * * cd ${h.home} && mkdir -p logs && PATH=${jobPath} ${process.execPath} ${CLI} run quick --home ${h.home}`);
    expect(result.stdout).toMatch(/note: CRON_TZ is honoured by cronie/);
    const argv = [process.execPath, CLI, 'run', 'quick', '--home', h.home, '--workspace', h.workspace, '--skip-if-running', '--log-file', path.join(h.home, 'logs', 'cron.log')];
    expect(result.stdout).toContain(
      `openclaw cron add --name runner-quick --cron '*/30 * * * *' --tz Asia/Tokyo --command-argv '${JSON.stringify(argv)}' --command-cwd ${h.home} --command-env PATH=${jobPath} --no-deliver --timeout-seconds 3600`,
    );
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

  it("gives the crontab line and the OpenClaw job a PATH on which openclaw is found, though the scheduler's has none", async () => {
    const h = homeWith({});
    const openclaw = answeringOpenClaw({ args: ['cron', 'list'], stdout: JSON.stringify({ jobs: [], total: 0, hasMore: false }) });
    const plan = await cronJson(['system_health', '--cron', '@hourly', ...h.args], openclaw.env as Record<string, string>);
    const cronCheck = () => (h.records().at(-1) as { checks: { cron: { status: string; summary: string } } }).checks.cron;

    // As cron runs the line: sh, another folder, a PATH without openclaw.
    execFileSync('/bin/sh', ['-c', plan.command], { cwd: '/', env: { PATH: '/usr/bin:/bin', HOME: h.home } });
    expect(cronCheck()).toMatchObject({ status: 'healthy', summary: '0 enabled job(s), none failing' });

    // As OpenClaw runs the job: its argv with no shell, its env over a gateway's without openclaw.
    const job = plan as unknown as { openclaw: { argv: string[] } };
    const args = job.openclaw.argv;
    const argv = JSON.parse(args[args.indexOf('--command-argv') + 1]!) as string[];
    const jobEnv = Object.fromEntries(args.flatMap((arg, i) => (arg === '--command-env' ? [args[i + 1]!.split(/=(.*)/s).slice(0, 2)] : [])));
    const output = execFileSync(argv[0]!, argv.slice(1), { cwd: h.home, env: { PATH: '/usr/bin:/bin', HOME: h.home, ...jobEnv }, encoding: 'utf8' });
    expect(cronCheck()).toMatchObject({ status: 'healthy' });
    // Its output, what OpenClaw keeps as the run's summary, is the one line; the log went to the file.
    expect(output.split('\n').filter(Boolean)).toHaveLength(1);
    expect(output).toMatch(/^✓ system_health: /);
  });

  it.each([
    [['--cron', '60 * * * *'], /^error: --cron: "60 \* \* \* \*" is not a valid cron expression/],
    [['--cron', '0 0 * * * *'], /^error: --cron: "0 0 \* \* \* \*" has 6 fields; expected 5/],
    [['--cron', '@daily', '--tz', 'Europe/Nowhere'], /^error: --tz: "Europe\/Nowhere" is not a known IANA time zone/],
    [['--cron', '@daily', '--name', 'two words'], /^error: --name: "two words" must be/],
    [[], /^error: --cron: quick has no schedule; give one with --cron \(e\.g\. --cron "\*\/30 \* \* \* \*"\), or set tasks\.quick\.schedule in \S+runner\.config\.json\n/],
    [['--tz', 'Asia/Tokyo'], /^error: --tz: goes with --cron; the zone of quick's own schedule is tasks\.quick\.tz in the config/],
  ])('refuses %j, naming the argument', async (args, message) => {
    const h = homeWith({ quick: QUICK });
    const result = await runCli(['cron', 'quick', ...args, ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it("takes the task's schedule when --cron is not given, from the config or the task, and says where it came from", async () => {
    const h = homeWith({ quick: QUICK, nightly: quickNamed('nightly', { schedule: '15 4 * * *', tz: 'Asia/Tokyo' }) });
    const configFile = writeFile(h.home, 'runner.config.json', JSON.stringify({ timezone: 'Europe/Berlin', tasks: { quick: { schedule: '*/20 * * * *' } } }));
    const fromConfig = await runCli(['cron', 'quick', ...h.args]);
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect(fromConfig.stdout).toMatch(new RegExp(`^schedule \\*/20 \\* \\* \\* \\* \\(Europe/Berlin\\), from tasks\\.quick\\.schedule in ${configFile}; next runs:\n`));
    // The zone it was printed in is the one both lines get.
    expect(fromConfig.stdout).toContain('  CRON_TZ=Europe/Berlin\n  */20 * * * * cd ');
    expect(fromConfig.stdout).toContain("openclaw cron add --name runner-quick --cron '*/20 * * * *' --tz Europe/Berlin --command");
    expect(fromConfig.stdout).not.toContain('note: runner status');

    const fromTask = await cronJson(['nightly', ...h.args]);
    expect(fromTask).toMatchObject({ cron: '15 4 * * *', tz: 'Asia/Tokyo', source: 'task' });
    // ISO 8601 with the offset of the zone the runs were printed in, as every time the runner writes.
    expect(fromTask.next_runs[0]).toMatch(/T04:15:00\.000\+09:00$/);
    const human = await runCli(['cron', 'nightly', ...h.args]);
    expect(human.stdout).toContain(`(Asia/Tokyo), from the task's defaults.schedule (${path.join(h.home, 'tasks', 'nightly.mjs')}); next runs:`);
    expect(await cronJson(['quick', '--cron', '@daily', ...h.args])).toMatchObject({ cron: '@daily', tz: null, source: 'flag' });
  });

  it('with --cron, says when the task is judged overdue by another schedule, or by none', async () => {
    const h = homeWith({ quick: QUICK });
    const none = await runCli(['cron', 'quick', '--cron', '@hourly', ...h.args]);
    expect(none.stdout).toContain('note: quick has no schedule of its own, so runner status and the heartbeat cannot tell when it is overdue: set tasks.quick.schedule to "@hourly" in the config');
    writeFile(h.home, 'runner.config.json', JSON.stringify({ tasks: { quick: { schedule: '@daily' } } }));
    const other = await runCli(['cron', 'quick', '--cron', '@hourly', ...h.args]);
    expect(other.stdout).toMatch(/note: runner status and the heartbeat judge whether quick is overdue by its schedule @daily \(\S+\), from tasks\.quick\.schedule in \S+, not by this one/);
    const same = await runCli(['cron', 'quick', '--cron', '@daily', ...h.args]);
    expect(same.stdout).not.toContain('note: runner status');
    expect(same.stdout).not.toContain('no schedule of its own');
  });

  it("names the task's file for a bad defaults.schedule, and still takes a --cron, with a note", async () => {
    const h = homeWith({ odd: quickNamed('odd', { schedule: 'every day' }) });
    const file = path.join(h.home, 'tasks', 'odd.mjs');
    const own = await runCli(['cron', 'odd', ...h.args]);
    expect(own.code).toBe(1);
    expect(own.stderr).toBe(`error: task "odd" of ${file}: defaults.schedule: "every day" has 2 fields; expected 5: minute hour day-of-month month day-of-week\n`);
    const flag = await runCli(['cron', 'odd', '--cron', '@hourly', ...h.args]);
    expect(flag.code).toBe(0);
    expect(flag.stdout).toContain(`note: odd's own schedule cannot be read (task "odd" of ${file}: defaults.schedule: "every day" has 2 fields;`);
  });

  it('refuses a task whose schedule the config turned off, saying so', async () => {
    const h = homeWith({});
    const configFile = writeFile(h.home, 'runner.config.json', JSON.stringify({ tasks: { system_health: { schedule: false } } }));
    const result = await runCli(['cron', 'system_health', ...h.args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: --cron: tasks.system_health.schedule is false in ${configFile}; give one with --cron (e.g. --cron "*/30 * * * *"), or set tasks.system_health.schedule in ${configFile}\n`);
    const builtin = await cronJson(['system_health', ...homeWith({}).args]);
    expect(builtin).toMatchObject({ cron: '*/15 * * * *', source: 'task' });
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
  it('adds the job once, finds it (even disabled) on a second install, replaces it when the schedule changed, and removes it by name', async () => {
    const h = homeWith({ quick: QUICK });
    const openclaw = fakeOpenClaw();
    const calls = () => readFileSync(openclaw.calls, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]);

    const first = await cronJson(['quick', '--cron', '@daily', '--tz', 'UTC', '--install', 'openclaw', ...h.args], openclaw.env);
    expect(first.install).toEqual({ target: 'openclaw', action: 'added', id: 'job-1' });
    expect(calls()).toEqual([
      ['cron', 'list', '--all', '--json'],
      ['cron', ...first.openclaw.argv.slice(2), '--json'],
    ]);

    // Disabled by hand: still the job of that name, and as wanted, so nothing changes.
    const jobs = JSON.parse(readFileSync(openclaw.jobs, 'utf8')) as { enabled: boolean }[];
    jobs[0]!.enabled = false;
    writeFileSync(openclaw.jobs, JSON.stringify(jobs));
    const second = await runCli(['cron', 'quick', '--cron', '@daily', '--tz', 'UTC', '--install', 'openclaw', ...h.args], { env: openclaw.env });
    expect(second.stdout).toContain("✓ runner-quick is already in OpenClaw's cron as shown (id job-1); nothing changed");
    expect(calls().filter(([, command]) => command === 'add')).toHaveLength(1);

    // Another schedule: a new job replaces the old one, which is removed only once the new one is there.
    const third = await runCli(['cron', 'quick', '--cron', '@hourly', '--tz', 'UTC', '--install', 'openclaw', ...h.args], { env: openclaw.env });
    expect(third.stdout).toContain(`✓ replaced runner-quick in OpenClaw's cron (it runs "@daily" but the schedule is "@hourly"): id job-1 is now job-2`);
    expect(calls().slice(-2).map((args) => args.slice(0, 3))).toEqual([['cron', 'add', '--name'], ['cron', 'rm', 'job-1']]);

    const removed = await runCli(['cron', 'quick', '--remove', '--install', 'openclaw', ...h.args], { env: openclaw.env });
    expect(removed.stdout).toBe("✓ removed runner-quick from OpenClaw's cron (id job-2)\n");
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
