import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildCronPlan } from '../../src/openclaw/cron-plan.js';
import { parseCronSchedule } from '../../src/shared/cron-expression.js';

const invocation = { node: '/opt/node 20/bin/node', cli: '/srv/runner/dist/cli.js', task: 'disk_report', home: "/srv/o'brien" };
const env = { PATH: '/opt/openclaw/bin:/opt/node 20/bin:/usr/local/bin:/usr/bin:/bin', OPENCLAW_PROFILE: 'work' };

describe('buildCronPlan', () => {
  it('names the job runner-<task>, quotes every path for the shell and sets the PATH for the one command', () => {
    const plan = buildCronPlan({ invocation, schedule: parseCronSchedule('*/30 * * * *', 'UTC'), env });
    expect(plan.name).toBe('runner-disk_report');
    expect(plan.command).toBe(
      `cd '/srv/o'\\''brien' && mkdir -p logs && PATH='/opt/openclaw/bin:/opt/node 20/bin:/usr/local/bin:/usr/bin:/bin' OPENCLAW_PROFILE=work ` +
        `'/opt/node 20/bin/node' /srv/runner/dist/cli.js run disk_report --home '/srv/o'\\''brien' --skip-if-running >> '/srv/o'\\''brien/logs/cron.log' 2>&1`,
    );
  });

  it('gives OpenClaw the run as an exact argv, no shell, with that PATH, logging to the file and delivering nothing', () => {
    const plan = buildCronPlan({ invocation, schedule: parseCronSchedule('*/30 * * * *', 'UTC'), env });
    const argv = ['/opt/node 20/bin/node', '/srv/runner/dist/cli.js', 'run', 'disk_report', '--home', "/srv/o'brien", '--skip-if-running', '--log-file', "/srv/o'brien/logs/cron.log"];
    expect(plan.openclawAddArgs).toEqual([
      'add', '--name', 'runner-disk_report', '--cron', '*/30 * * * *', '--tz', 'UTC',
      '--command-argv', JSON.stringify(argv), '--command-cwd', "/srv/o'brien",
      '--command-env', `PATH=${env.PATH}`, '--command-env', 'OPENCLAW_PROFILE=work',
      '--no-deliver', '--timeout-seconds', '3600', '--description', 'runs `runner run disk_report` on its schedule; managed by runner cron',
    ]);
  });

  it('prints an openclaw line that a shell splits back into exactly those arguments', () => {
    const plan = buildCronPlan({ invocation, schedule: parseCronSchedule('0 * * * *'), name: 'disk.hourly', runTimeoutMs: 90_500, env });
    const words = execFileSync('sh', ['-c', `for w in ${plan.openclawAddLine}; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
    expect(words.split('\0').slice(0, -1)).toEqual(['openclaw', 'cron', ...plan.openclawAddArgs]);
    // The runner's own 91 s timeout comes first; OpenClaw's limit is a minute above it.
    expect(plan.timeoutSeconds).toBe(151);
  });

  it.each([
    [{ node: '/opt/node\n20/bin/node' }, /^the Node\.js path: "\/opt\/node\\n20/],
    [{ cli: '/srv/run\rner/dist/cli.js' }, /^the runner CLI path: /],
    [{ taskArgs: ['fine', 'x\ny'] }, /^argument 2 of the task: "x\\ny" holds a line break/],
    [{ timeout: '5m\n' }, /^--timeout: /],
  ])('refuses a line break in %j, naming where it came from', (change, message) => {
    expect(() => buildCronPlan({ invocation: { ...invocation, ...change }, schedule: parseCronSchedule('@daily'), env })).toThrow(message);
  });

  it('refuses a name that cannot be a marker line', () => {
    expect(() => buildCronPlan({ invocation, schedule: parseCronSchedule('@daily'), name: 'a\nb', env })).toThrow(/^--name: /);
  });
});
