import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHome, runCli, writeFile } from '../helpers/cli.js';
import { fakeOpenClaw as scriptedOpenClaw } from '../helpers/fake-openclaw.js';
import { QUICK } from '../fixtures/tasks.js';
import { closedPort } from '../health/http-servers.js';
import { fakeCrontab, fakeOpenClaw } from './cron-fakes.js';

// A task taking one argument, so a schedule can carry a word of the operator's choosing.
const ECHO = `
import { Task } from 'taskrunner';
export default class Echo extends Task {
  name = 'echo';
  description = 'Echoes its argument';
  arguments = [{ name: 'word' }];
  async run(ctx) { return { success: true, message: ctx.args[0] }; }
}
`;

function homeWith(home = makeHome().home) {
  mkdirSync(path.join(home, 'tasks'), { recursive: true });
  writeFile(home, 'tasks/quick.mjs', QUICK);
  writeFile(home, 'tasks/echo.mjs', ECHO);
  return { home, args: ['--home', home, '--workspace', path.join(home, 'workspace')] };
}

const read = (file: string) => readFileSync(file, 'utf8');

/**
 * The time zone each job line of a crontab runs in, as cronie reads the table (src/cron.c,
 * `maketime`): the value of the last `CRON_TZ=` line above it; '' (none, or empty) means the
 * daemon's own local time. Job lines are keyed by their command.
 */
function zonesOfJobs(table: string): Record<string, string> {
  const zones: Record<string, string> = {};
  let zone = '';
  for (const line of table.split('\n')) {
    const assignment = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (assignment) {
      if (assignment[1] === 'CRON_TZ') zone = assignment[2]!.replace(/^(['"])(.*)\1$/, '$2');
    } else if (line.trim() !== '' && !line.trim().startsWith('#')) {
      zones[line.trim().split(/\s+/).slice(5).join(' ')] = zone;
    }
  }
  return zones;
}

describe('runner cron refuses a line break in any word of the lines', () => {
  const injected = 'a\n* * * * * touch /tmp/injected #';

  const install = ['--cron', '*/5 * * * *', '--install', 'crontab'];
  it.each([
    ['a task argument', (h: { args: string[] }) => ['echo', ...h.args, ...install, '--', injected], /^error: argument 1 of the task: "a\\n\* \* \* \* \* touch/],
    ['a carriage return in a task argument', (h: { args: string[] }) => ['echo', ...h.args, ...install, '--', 'a\rb'], /^error: argument 1 of the task: "a\\rb"/],
    ['--workspace', (h: { home: string }) => ['quick', '--home', h.home, '--workspace', path.join(h.home, 'work\nspace'), ...install], /^error: --workspace: ".*work\\nspace"/],
  ])('%s: exit 1, naming it, and no crontab written', async (_what, argsOf, message) => {
    const h = homeWith();
    const crontab = fakeCrontab();
    const result = await runCli(['cron', ...argsOf(h)], { env: crontab.env });
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/holds a line break/);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(existsSync(crontab.table)).toBe(false);
  });

  it('--home and --config paths with a newline, even when they exist', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'cron-newline-'));
    const h = homeWith(path.join(parent, 'home\n* * * * * touch /tmp/injected #'));
    const crontab = fakeCrontab();
    const home = await runCli(['cron', 'quick', ...h.args, '--cron', '@daily', '--install', 'crontab'], { env: crontab.env });
    expect(home.stderr).toMatch(/^error: --home: ".*home\\n\* \* \* \* \* touch .*" holds a line break/);
    expect(home.code).toBe(1);

    const plain = homeWith();
    const config = path.join(parent, 'runner\nconfig.json');
    writeFileSync(config, '{}');
    const withConfig = await runCli(['cron', 'quick', ...plain.args, '--config', config, '--cron', '@daily', '--install', 'crontab'], { env: crontab.env });
    expect(withConfig.stderr).toMatch(/^error: --config: ".*runner\\nconfig\.json" holds a line break/);
    expect(withConfig.code).toBe(1);
    expect(existsSync(crontab.table)).toBe(false);
  });

  it('for --install openclaw and for the printed lines too', async () => {
    const h = homeWith();
    const openclaw = fakeOpenClaw();
    const installed = await runCli(['cron', 'echo', ...h.args, '--cron', '@daily', '--install', 'openclaw', '--', injected], { env: openclaw.env });
    expect(installed.stderr).toMatch(/^error: argument 1 of the task: .* holds a line break/);
    expect(installed.code).toBe(1);
    expect(read(openclaw.calls)).toBe('');

    const printed = await runCli(['cron', 'echo', ...h.args, '--cron', '@daily', '--', injected]);
    expect(printed.stderr).toMatch(/^error: argument 1 of the task: /);
    expect(printed).toMatchObject({ code: 1, stdout: '' });
  });
});

describe('runner cron --install crontab with a broken taskrunner block', () => {
  const mine = 'MAILTO=ops@example.com\n5 4 * * * /usr/local/bin/backup\n';
  const later = '0 1 * * * /usr/local/bin/rotate-logs\n';
  const line = '0 * * * * /srv/run quick\n';

  it.each([
    ['BEGIN without END', `${mine}# BEGIN taskrunner runner-quick\n${line}${later}`, /crontab line 3: "# BEGIN taskrunner runner-quick" has no "# END taskrunner runner-quick" after it/],
    ['END without BEGIN', `${mine}${line}# END taskrunner runner-quick\n${later}`, /crontab line 4: "# END taskrunner runner-quick" has no "# BEGIN taskrunner runner-quick" before it/],
    [
      'BEGIN twice',
      `# BEGIN taskrunner runner-quick\n${mine}# BEGIN taskrunner runner-quick\n${line}# END taskrunner runner-quick\n${later}`,
      /crontab line 4: "# BEGIN taskrunner runner-quick" inside the block "# BEGIN taskrunner runner-quick" of line 1/,
    ],
    [
      'a block inside another',
      `${mine}# BEGIN taskrunner runner-quick\n# BEGIN taskrunner runner-other\n${line}# END taskrunner runner-other\n# END taskrunner runner-quick\n${later}`,
      /crontab line 4: "# BEGIN taskrunner runner-other" inside the block "# BEGIN taskrunner runner-quick" of line 3/,
    ],
    [
      'an END of another block',
      `${mine}# BEGIN taskrunner runner-quick\n${line}# END taskrunner runner-other\n${later}`,
      /crontab line 5: "# END taskrunner runner-other" inside the block "# BEGIN taskrunner runner-quick" of line 3/,
    ],
    ['a broken block of another task', `${mine}# BEGIN taskrunner runner-other\n${later}`, /crontab line 3: "# BEGIN taskrunner runner-other" has no "# END/],
  ])('%s: --remove and a reinstall refuse, naming the block and line, and change nothing', async (_what, table, message) => {
    const h = homeWith();
    const crontab = fakeCrontab();
    writeFileSync(crontab.table, table);
    for (const args of [['--remove'], ['--cron', '@daily']]) {
      const result = await runCli(['cron', 'quick', ...args, '--install', 'crontab', ...h.args], { env: crontab.env });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/fix it with crontab -e/);
      expect(result.code).toBe(1);
      expect(result.stdout).not.toMatch(/✓/);
      expect(read(crontab.table)).toBe(table);
    }
  });
});

describe('runner cron --install crontab and CRON_TZ', () => {
  it('a block without --tz runs in the zone it printed, below an operator CRON_TZ, and the lines after it keep theirs', async () => {
    const h = homeWith();
    const crontab = fakeCrontab();
    writeFileSync(crontab.table, 'CRON_TZ=Asia/Tokyo\n0 9 * * * /usr/local/bin/tokyo-report\n');
    const result = await runCli(['cron', 'quick', '--cron', '0 6 * * *', '--install', 'crontab', ...h.args], { env: { ...crontab.env, TZ: 'America/New_York' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/^ {2}\w{3} \d{4}-\d\d-\d\d 06:00 America\/New_York$/gm)).toHaveLength(3);

    // The operator adds a line at the end later (crontab -e).
    writeFileSync(crontab.table, `${read(crontab.table)}30 7 * * * /usr/local/bin/added-later\n`);
    const zones = zonesOfJobs(read(crontab.table));
    expect(Object.entries(zones).find(([command]) => command.includes(' run quick '))?.[1]).toBe('America/New_York');
    expect(zones['/usr/local/bin/tokyo-report']).toBe('Asia/Tokyo');
    expect(zones['/usr/local/bin/added-later']).toBe('Asia/Tokyo');
  });

  it('a block with --tz leaves the lines after it in the daemon zone, also after a reinstall in place', async () => {
    const h = homeWith();
    const crontab = fakeCrontab();
    const install = (expression: string) => runCli(['cron', 'quick', '--cron', expression, '--tz', 'Europe/Berlin', '--install', 'crontab', ...h.args], { env: crontab.env });
    expect((await install('0 6 * * *')).code).toBe(0);
    writeFileSync(crontab.table, `${read(crontab.table)}30 7 * * * /usr/local/bin/added-later\n`);
    expect(zonesOfJobs(read(crontab.table))['/usr/local/bin/added-later']).toBe('');
    expect((await install('0 8 * * *')).stdout).toContain('✓ replaced runner-quick in the crontab');
    const table = read(crontab.table);
    expect(table.trimEnd().split('\n').at(-1)).toBe('30 7 * * * /usr/local/bin/added-later');
    const zones = zonesOfJobs(table);
    expect(Object.entries(zones).find(([command]) => command.includes(' run quick '))?.[1]).toBe('Europe/Berlin');
    expect(zones['/usr/local/bin/added-later']).toBe('');
  });
});

describe('runner cron --install openclaw and system_health with more jobs than one page', () => {
  const others = (count: number): Record<string, unknown>[] =>
    Array.from({ length: count }, (_, i) => ({ id: `seed-${i}`, name: `other-${i}`, enabled: true, status: 'ok', state: { lastStatus: 'ok' } }));
  const calls = (file: string) => read(file).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]);

  it('finds a job on a later page: no duplicate added, every one of the name replaced, then removed', async () => {
    const h = homeWith();
    const jobs = others(450);
    jobs[30] = { ...jobs[30]!, name: 'runner-quick' };
    jobs[320] = { ...jobs[320]!, name: 'runner-quick', enabled: false };
    const openclaw = fakeOpenClaw({ jobs, pageSize: 200 });

    const install = await runCli(['cron', 'quick', '--cron', '@daily', '--install', 'openclaw', '--json', ...h.args], { env: openclaw.env });
    expect(install.code, install.stderr).toBe(0);
    // Neither seed is the job wanted (they run no command): a new job replaces both.
    const { id } = (JSON.parse(install.stdout) as { install: { id: string } }).install;
    expect(JSON.parse(install.stdout)).toMatchObject({ install: { action: 'replaced', ids: ['seed-30', 'seed-320'] } });
    expect(calls(openclaw.calls).map((args) => args.slice(0, 3))).toEqual([
      ['cron', 'list', '--all'],
      ['cron', 'list', '--all'],
      ['cron', 'list', '--all'],
      ['cron', 'add', '--name'],
      ['cron', 'rm', 'seed-30'],
      ['cron', 'rm', 'seed-320'],
    ]);
    expect(calls(openclaw.calls)[1]).toEqual(['cron', 'list', '--all', '--json', '--offset', '200', '--limit', '200']);

    const removed = await runCli(['cron', 'quick', '--remove', '--install', 'openclaw', ...h.args], { env: openclaw.env });
    expect(removed.stdout).toBe(`✓ removed runner-quick from OpenClaw's cron (id ${id})\n`);
    const left = JSON.parse(read(openclaw.jobs)) as { name: string }[];
    expect(left).toHaveLength(448);
    expect(left.some((job) => job.name === 'runner-quick')).toBe(false);
  });

  it('an openclaw that answers every job at once is asked once, with no paging flags', async () => {
    const h = homeWith();
    const openclaw = fakeOpenClaw();
    const args = ['cron', 'quick', '--cron', '@daily', '--install', 'openclaw', '--json', ...h.args];
    expect((await runCli(args, { env: openclaw.env })).code).toBe(0);
    writeFileSync(openclaw.jobs, JSON.stringify([...others(300), ...(JSON.parse(read(openclaw.jobs)) as unknown[])]));
    writeFileSync(openclaw.calls, '');
    const install = await runCli(args, { env: openclaw.env });
    expect(install.code, install.stderr).toBe(0);
    expect(JSON.parse(install.stdout)).toMatchObject({ install: { action: 'unchanged', id: 'job-1' } });
    expect(calls(openclaw.calls)).toEqual([['cron', 'list', '--all', '--json']]);
  });

  it('a list that says hasMore but cannot be paged is an error, and nothing is added', async () => {
    const h = homeWith();
    const firstPage = JSON.stringify({ jobs: others(200), total: 250, offset: 0, limit: 200, hasMore: true, nextOffset: 200 });
    const openclaw = scriptedOpenClaw([
      { args: ['cron', 'list', '--all', '--json', '--offset'], exitCode: 1, stderr: "error: unknown option '--offset'\n" },
      { args: ['cron', 'list'], stdout: firstPage },
    ]);
    const result = await runCli(['cron', 'quick', '--cron', '@daily', '--install', 'openclaw', ...h.args], { env: openclaw.env });
    expect(result.stderr).toBe(
      "error: openclaw cron list --json listed 200 of 250 jobs and has more, but the next page failed: openclaw cron list --offset 200 --limit 200: exit 1: error: unknown option '--offset'\n",
    );
    expect(result.code).toBe(1);
    expect(openclaw.calls().some(([, command]) => command === 'add')).toBe(false);
  });

  it("system_health's cron check reads every page", async () => {
    const h = homeWith();
    writeFile(h.home, 'runner.config.json', JSON.stringify({ gateway: { url: `http://127.0.0.1:${await closedPort()}/health` }, disk: { warnPercent: 100, criticalPercent: 100 } }));
    const jobs = others(250);
    jobs[230] = { ...jobs[230]!, name: 'disk-report', status: 'error', state: { lastStatus: 'error', lastError: 'command exited with code 3' } };
    const openclaw = fakeOpenClaw({ jobs, pageSize: 200 });
    const run = await runCli(['system_health', ...h.args, '--json'], { env: openclaw.env });
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { checks: { cron: object } }).checks.cron).toMatchObject({
      status: 'unhealthy',
      jobs_checked: 250,
      failing_jobs: [{ name: 'disk-report', id: 'seed-230' }],
    });
    expect(calls(openclaw.calls)).toEqual([
      ['cron', 'list', '--json'],
      ['cron', 'list', '--json', '--offset', '200', '--limit', '200'],
    ]);
  });
});
