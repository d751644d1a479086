import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHome, runCli, writeFile } from '../helpers/cli.js';
import { QUICK } from '../fixtures/tasks.js';
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
