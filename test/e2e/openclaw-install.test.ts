import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, makeHome, runCli, writeFile, type CliResult } from '../helpers/cli.js';
import { alerter } from '../fixtures/tasks.js';
import { SCRATCH_BEGIN, SCRATCH_END } from '../../src/openclaw/scratch-block.js';
import { shellLine } from '../../src/shared/shell-quote.js';
import { fakeOpenClaw, type FakeOpenClawGateway } from './cron-fakes.js';

/** A job as the fake gateway keeps it (the shape the real one lists). */
interface Job {
  id: string;
  name: string;
  description?: string;
  enabled: boolean;
  schedule: { kind: string; expr?: string; tz?: string; everyMs?: number };
  payload: { kind: string; argv?: string[]; cwd?: string; env?: Record<string, string>; timeoutSeconds?: number };
  delivery: { mode: string; channel?: string; to?: string };
}

/** The agent's heartbeat monitor, as OpenClaw 2026.9 lists it. */
const HEARTBEAT_JOB = { id: 'hb-main', name: 'heartbeat-main', agentId: 'main', enabled: true, schedule: { kind: 'every', everyMs: 1_800_000 }, payload: { kind: 'heartbeat' } };
/** A job of the operator's own, which nothing here may touch. */
const OPERATOR_JOB = { id: 'op-1', name: 'backup-photos', enabled: true, schedule: { kind: 'cron', expr: '0 2 * * *' }, payload: { kind: 'command', argv: ['/usr/local/bin/backup'] }, delivery: { mode: 'none' } };
const OPERATOR_TEXT = '# My checklist\n- check the mailbox  \n- water the plants';

interface Setup {
  scratch?: string | null;
  jobs?: object[];
  config?: Record<string, unknown>;
  openclawConfig?: Record<string, unknown>;
}

/** A runner home whose workspace is the agent's, and a fake gateway with the heartbeat monitor (and its scratch). */
function setup(options: Setup = {}) {
  const { home, workspace } = makeHome('taskrunner-oc-install-');
  if (options.config) writeFile(home, 'runner.config.json', JSON.stringify(options.config));
  // OpenClaw's own config lives under HOME; each test has its own.
  if (options.openclawConfig) writeFile(home, '.openclaw/openclaw.json', JSON.stringify(options.openclawConfig));
  const scratch = options.scratch === undefined ? OPERATOR_TEXT : options.scratch;
  const gateway = fakeOpenClaw({
    jobs: options.jobs ?? [HEARTBEAT_JOB, OPERATOR_JOB],
    scratches: scratch === null ? {} : { 'hb-main': { content: scratch, revision: 4 } },
  });
  const env = { ...gateway.env, HOME: home };
  const args = ['--home', home, '--workspace', workspace];
  const runner = (command: readonly string[], extra: Record<string, string> = {}) => runCli([...command, ...args], { env: { ...env, ...extra } });
  return { home, workspace, gateway, env, args, runner, skill: path.join(workspace, 'skills', 'taskrunner', 'SKILL.md'), recordFile: path.join(home, '.runner', 'openclaw.json') };
}

const jobsOf = (gateway: FakeOpenClawGateway) => JSON.parse(readFileSync(gateway.jobs, 'utf8')) as Job[];
const scratchOf = (gateway: FakeOpenClawGateway) => (JSON.parse(readFileSync(gateway.scratches, 'utf8')) as Record<string, { content: string | null; revision: number }>)['hb-main'];
const callsOf = (gateway: FakeOpenClawGateway) => readFileSync(gateway.calls, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]);
/** Calls that change something in the gateway. */
const writesOf = (gateway: FakeOpenClawGateway) => callsOf(gateway).filter(([, command, , flag]) => command === 'add' || command === 'rm' || (command === 'scratch' && flag !== '--json'));

function ok(result: CliResult): CliResult {
  expect(result.stderr, result.stdout).toBe('');
  expect(result.code).toBe(0);
  return result;
}

const heartbeatLine = (home: string, workspace: string) => shellLine([process.execPath, CLI, 'heartbeat', '--ack', 'NO_REPLY', '--home', home, '--workspace', workspace]);

describe('runner openclaw install', () => {
  it('installs the skill, the heartbeat block after the operator\'s text, a job per scheduled task and alert pushing, and records it', async () => {
    const s = setup();
    const result = ok(await s.runner(['openclaw', 'install']));
    expect(result.stdout).toMatch(/^openclaw: \S+\/openclaw \(from PATH\); the gateway answered \(2 jobs\)\n/);
    expect(result.stdout).toContain(`+ add       skill ${s.skill}: not there yet`);
    expect(result.stdout).toContain("+ add       heartbeat block in the scratch of heartbeat-main (hb-main): not there yet; after the operator's text, which is kept as it is");
    expect(result.stdout).toMatch(/\+ add {7}job runner-system_health \(\*\/15 \* \* \* \*\): not in OpenClaw's cron yet → id job-\d/);
    expect(result.stdout).toContain('+ add       alert pushes to the agent (openclaw system event): on for error and above');
    expect(result.stdout).toContain(`✓ installed: 6 added, 0 replaced, 0 unchanged, 0 removed; recorded in ${s.recordFile}`);

    // The skill: name, one-line description, absolute command lines for status, failures, alerts, runs and the batch queue.
    const skill = readFileSync(s.skill, 'utf8');
    expect(skill).toMatch(/^---\nname: taskrunner\ndescription: [^\n]{20,160}\nmetadata: \{ "openclaw": \{ "os": \["linux", "darwin"\] \} \}\n---\n/);
    const runner = (...words: string[]) => `\`${shellLine([process.execPath, CLI, ...words, '--home', s.home, '--workspace', s.workspace])}\``;
    for (const line of [runner('status'), runner('logs', '--failed'), runner('alerts'), runner('alerts', 'ack', '<id>'), runner('run', '<task>', '--dry-run'), runner('run', '<task>'), runner('batch', 'list')]) {
      expect(skill).toContain(line);
    }
    expect(skill).toContain(runner('batch', 'add', '<what to do>', '<expected result>', '<insight>', '<next step>'));

    // The scratch: the operator's text byte for byte, one newline, the block with the exact heartbeat command line.
    const scratch = scratchOf(s.gateway)!;
    expect(scratch.revision).toBe(5);
    expect(scratch.content!.startsWith(`${OPERATOR_TEXT}\n${SCRATCH_BEGIN}\n`)).toBe(true);
    expect(scratch.content!.endsWith(`\`${heartbeatLine(s.home, s.workspace)}\`\n${SCRATCH_END}\n`)).toBe(true);

    // A job per scheduled task (the built-ins' default schedules), run with no shell, a PATH with openclaw, no delivery.
    const jobs = jobsOf(s.gateway);
    expect(jobs.map((job) => job.name).sort()).toEqual(['backup-photos', 'heartbeat-main', 'runner-memory_capture', 'runner-memory_consolidate', 'runner-system_health']);
    const health = jobs.find((job) => job.name === 'runner-system_health')!;
    expect(health).toMatchObject({
      schedule: { kind: 'cron', expr: '*/15 * * * *' },
      payload: {
        kind: 'command',
        argv: [process.execPath, CLI, 'run', 'system_health', '--home', s.home, '--workspace', s.workspace, '--skip-if-running', '--log-file', path.join(s.home, 'logs', 'cron.log')],
        cwd: s.home,
        env: { PATH: [...new Set([s.gateway.dir, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'])].join(':') },
      },
      delivery: { mode: 'none' },
      description: 'runs `runner run system_health` on its schedule; managed by runner openclaw install',
    });
    expect(jobs.find((job) => job.name === 'runner-memory_capture')!.schedule.expr).toBe('5 * * * *');

    const record = JSON.parse(readFileSync(s.recordFile, 'utf8')) as { openclaw: { bin: string }; installed: Record<string, unknown> };
    expect(record.openclaw.bin).toBe(path.join(s.gateway.dir, 'openclaw'));
    expect(record.installed).toMatchObject({
      agent: 'main',
      workspace: s.workspace,
      skill: { path: s.skill },
      heartbeat: { mode: 'scratch', job_id: 'hb-main', job_name: 'heartbeat-main', separator_added: true, created_scratch: false },
      alerts_push: { min_level: 'error' },
    });
    expect((record.installed.jobs as { name: string; id: string }[]).map((job) => [job.name, job.id])).toEqual(
      ['runner-memory_capture', 'runner-memory_consolidate', 'runner-system_health'].map((name) => [name, jobs.find((job) => job.name === name)!.id]),
    );
  });

  it('a second install changes nothing; after a schedule changed it replaces that job alone', async () => {
    const s = setup();
    ok(await s.runner(['openclaw', 'install']));
    const before = { jobs: jobsOf(s.gateway), scratch: scratchOf(s.gateway), skill: readFileSync(s.skill, 'utf8') };
    writeFileSync(s.gateway.calls, '');

    const second = ok(await s.runner(['openclaw', 'install']));
    expect(second.stdout).toContain('installed: 0 added, 0 replaced, 6 unchanged, 0 removed');
    expect(writesOf(s.gateway)).toEqual([]);
    expect({ jobs: jobsOf(s.gateway), scratch: scratchOf(s.gateway), skill: readFileSync(s.skill, 'utf8') }).toEqual(before);

    writeFile(s.home, 'runner.config.json', JSON.stringify({ tasks: { system_health: { schedule: '*/30 * * * *' } } }));
    const stale = await s.runner(['openclaw', 'status']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/job runner-system_health \(\*\/30 \* \* \* \*\) +stale +it runs "\*\/15 \* \* \* \*" but the schedule is "\*\/30 \* \* \* \*"/);

    const oldId = before.jobs.find((job) => job.name === 'runner-system_health')!.id;
    const third = ok(await s.runner(['openclaw', 'install']));
    expect(third.stdout).toContain(`~ replace   job runner-system_health (*/30 * * * *): it runs "*/15 * * * *" but the schedule is "*/30 * * * *" (id ${oldId}) → id`);
    expect(third.stdout).toContain('installed: 0 added, 1 replaced, 5 unchanged, 0 removed');
    const named = jobsOf(s.gateway).filter((job) => job.name === 'runner-system_health');
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({ schedule: { expr: '*/30 * * * *' } });
    expect(named[0]!.id).not.toBe(oldId);
    expect(writesOf(s.gateway).map((call) => call.slice(0, 3))).toEqual([['cron', 'add', '--name'], ['cron', 'rm', oldId]]);
    ok(await s.runner(['openclaw', 'status']));
  });

  it('--dry-run shows the plan and changes nothing', async () => {
    const s = setup();
    const result = ok(await s.runner(['openclaw', 'install', '--dry-run']));
    expect(result.stdout).toContain('+ add       job runner-system_health');
    expect(result.stdout).toContain('dry run: nothing changed (6 added, 0 replaced, 0 unchanged, 0 removed)');
    expect(writesOf(s.gateway)).toEqual([]);
    expect(existsSync(s.skill)).toBe(false);
    expect(existsSync(s.recordFile)).toBe(false);
  });

  it('undoes the steps done when one fails, naming the step, and leaves no record', async () => {
    const s = setup();
    const failed = await s.runner(['openclaw', 'install'], { FAKE_OPENCLAW_FAIL: JSON.stringify(['cron', 'add', '--name', 'runner-system_health']) });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: install failed while adding job runner-system_health \(\*\/15 \* \* \* \*\): openclaw cron add: exit 1: injected failure of cron add --name runner-system_health\. undone: added runner-memory_consolidate \(id job-2\); added runner-memory_capture \(id job-1\); wrote \S+SKILL\.md\n$/);
    expect(jobsOf(s.gateway).map((job) => job.name)).toEqual(['heartbeat-main', 'backup-photos']);
    expect(scratchOf(s.gateway)).toEqual({ content: OPERATOR_TEXT, revision: 4 });
    expect(existsSync(s.skill)).toBe(false);
    expect(existsSync(path.join(s.workspace, 'skills'))).toBe(false);
    expect(existsSync(s.recordFile)).toBe(false);
  });

  it('never overwrites a scratch edited while installing: a clear error, the edit kept, the rest undone', async () => {
    const s = setup();
    const edited = `${OPERATOR_TEXT}\n- and one more thing\n`;
    const failed = await s.runner(['openclaw', 'install'], { FAKE_OPENCLAW_SCRATCH_EDIT: edited });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("error: install failed while writing the heartbeat block in the scratch of heartbeat-main (hb-main): the heartbeat monitor's scratch changed while installing (someone edited it); nothing of it was overwritten: run again. undone: added runner-system_health");
    expect(scratchOf(s.gateway)).toEqual({ content: edited, revision: 5 });
    expect(jobsOf(s.gateway).map((job) => job.name)).toEqual(['heartbeat-main', 'backup-photos']);
    expect(existsSync(s.skill)).toBe(false);
    expect(existsSync(s.recordFile)).toBe(false);
  });

  it('refuses a scratch whose taskrunner markers do not pair, naming the line, before changing anything', async () => {
    const s = setup({ scratch: `${OPERATOR_TEXT}\n${SCRATCH_BEGIN}\nhalf a block\n` });
    const result = await s.runner(['openclaw', 'install']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: the heartbeat monitor's scratch has broken taskrunner markers: line 4: "<!-- BEGIN taskrunner .*" has no "<!-- END taskrunner -->" after it; .*\(nothing was changed\)\n$/);
    expect(writesOf(s.gateway)).toEqual([]);
    expect(existsSync(s.skill)).toBe(false);
  });

  it('says what it looked for when there is no openclaw, or no gateway, or no heartbeat, and changes nothing', async () => {
    const s = setup();
    const missing = await runCli(['openclaw', 'install', ...s.args], { env: { HOME: s.home, PATH: '/nonexistent', OPENCLAW_BIN: '' } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `error: no usable openclaw: no openclaw on PATH. Looked at $OPENCLAW_BIN (not set), PATH (/nonexistent), the install record ${s.recordFile} (none). Install OpenClaw (npm install -g openclaw) or set $OPENCLAW_BIN to it; nothing was changed\n`,
    );
    const down = await s.runner(['openclaw', 'install'], { FAKE_OPENCLAW_DOWN: '1' });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(
      "error: openclaw cron list: exit 1: Gateway not reachable: connect ECONNREFUSED 127.0.0.1:18789 (OpenClaw's gateway on this host: http://127.0.0.1:18789, from OpenClaw's default port); nothing was changed\n",
    );
    const none = setup({ jobs: [OPERATOR_JOB] });
    const noHeartbeat = await none.runner(['openclaw', 'install']);
    expect(noHeartbeat.code).toBe(1);
    expect(noHeartbeat.stderr).toMatch(/^error: no heartbeat job heartbeat-main in openclaw cron list --all: .* --heartbeat command .*; nothing was changed\n$/);
    for (const each of [s, none]) {
      expect(writesOf(each.gateway)).toEqual([]);
      expect(existsSync(each.skill)).toBe(false);
      expect(existsSync(each.recordFile)).toBe(false);
    }
  });

  it('turns alert pushing on for error and above, unless the config says otherwise', async () => {
    const s = setup();
    writeFile(s.home, 'tasks/raiser.mjs', alerter('raiser').replace("[{ name: 'message', required: true }]", "[{ name: 'message', required: true }, { name: 'level' }]").replace("'warning'", 'ctx.args[1]'));
    const pushes = () => callsOf(s.gateway).filter(([group]) => group === 'system');
    ok(await s.runner(['raiser', 'before the install', 'error']));
    expect(pushes()).toEqual([]);
    ok(await s.runner(['openclaw', 'install']));
    ok(await s.runner(['raiser', 'disk full', 'error']));
    ok(await s.runner(['raiser', 'just so you know', 'warning']));
    expect(pushes()).toEqual([[ 'system', 'event', '--text', expect.stringMatching(/^taskrunner error alert from raiser: disk full \(id \w+\)$/), '--mode', 'next-heartbeat']]);

    writeFile(s.home, 'runner.config.json', JSON.stringify({ alerts: { push: false } }));
    ok(await s.runner(['raiser', 'still full', 'critical']));
    expect(pushes()).toHaveLength(1);
    const status = await s.runner(['openclaw', 'status', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ alert_push: { on: false, why: expect.stringMatching(/^alerts\.push is false in /) } });
  });
});

describe('runner openclaw status', () => {
  it('shows every piece installed after a fresh install, with each task\'s schedule and next run', async () => {
    const s = setup();
    const before = await s.runner(['openclaw', 'status', '--json']);
    expect(before.code).toBe(1);
    expect((JSON.parse(before.stdout) as { pieces: { state: string }[] }).pieces.map((piece) => piece.state)).toEqual(['missing', 'missing', 'missing', 'missing', 'missing']);

    ok(await s.runner(['openclaw', 'install']));
    const status = ok(await s.runner(['openclaw', 'status']));
    expect(status.stdout).toContain(`installed `);
    expect(status.stdout).toMatch(/skill \S+SKILL\.md +installed +as wanted/);
    expect(status.stdout).toMatch(/heartbeat block in the scratch of heartbeat-main \(hb-main\) +installed +as wanted/);
    expect(status.stdout).toMatch(/job runner-system_health \(\*\/15 \* \* \* \*\) +installed +as wanted \(id job-\d\)/);
    expect(status.stdout).toContain('alert push: on for error and above (the default of runner openclaw install, as the config has no alerts.push)');
    expect(status.stdout).toMatch(/\nsystem_health +\*\/15 \* \* \* \* +in \d+[sm] \(\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d\) +no\n/);
    const json = JSON.parse((await s.runner(['openclaw', 'status', '--json'])).stdout) as { ok: boolean; tasks: { task: string; schedule: { cron: string }; next_run: string; overdue: boolean }[] };
    expect(json.ok).toBe(true);
    expect(json.tasks.map((task) => [task.task, task.schedule.cron, task.overdue])).toEqual([
      ['memory_capture', '5 * * * *', false],
      ['memory_consolidate', expect.any(String), false],
      ['system_health', '*/15 * * * *', false],
    ]);
    expect(Date.parse(json.tasks[2]!.next_run)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('says the gateway is not reachable, and what is known without it', async () => {
    const s = setup();
    ok(await s.runner(['openclaw', 'install']));
    const status = await s.runner(['openclaw', 'status'], { FAKE_OPENCLAW_DOWN: '1' });
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('gateway: not reachable: openclaw cron list: exit 1: Gateway not reachable');
    expect(status.stdout).toMatch(/skill \S+SKILL\.md +installed/);
    expect(status.stdout).toMatch(/job runner-system_health +unknown/);
  });
});

describe('runner openclaw remove', () => {
  it("takes out exactly what install put in: the operator's scratch text, other jobs and skills stay", async () => {
    const s = setup();
    writeFile(s.workspace, 'skills/weather/SKILL.md', '---\nname: weather\ndescription: the weather\n---\n');
    ok(await s.runner(['openclaw', 'install']));
    const dry = ok(await s.runner(['openclaw', 'remove', '--dry-run']));
    expect(dry.stdout).toContain('dry run: nothing changed (6 to take out)');
    expect(existsSync(s.recordFile)).toBe(true);

    const removed = ok(await s.runner(['openclaw', 'remove']));
    expect(removed.stdout).toMatch(/- remove {4}heartbeat block in the scratch of heartbeat-main \(hb-main\): put in by the install; the operator's text stays/);
    expect(removed.stdout).toContain('✓ removed: 6 taken out, 0 left');
    expect(scratchOf(s.gateway)!.content).toBe(OPERATOR_TEXT);
    expect(jobsOf(s.gateway)).toEqual([HEARTBEAT_JOB, OPERATOR_JOB]);
    expect(existsSync(s.skill)).toBe(false);
    expect(existsSync(path.join(s.workspace, 'skills', 'weather', 'SKILL.md'))).toBe(true);
    expect(existsSync(s.recordFile)).toBe(false);
    expect(ok(await s.runner(['openclaw', 'remove'])).stdout).toBe(`nothing to remove: no install record at ${s.recordFile}\n`);
  });

  it('leaves a skill the operator edited and a job that was there before, saying so; a scratch it created is unset', async () => {
    const s = setup({ scratch: null });
    const health = JSON.parse((await runCli(['cron', 'system_health', '--json', ...s.args], { env: s.env })).stdout) as { openclaw: { argv: string[] } };
    // The operator installed one job with runner cron before: the same job, which install keeps.
    ok(await runCli(['cron', 'system_health', '--install', 'openclaw', ...s.args], { env: s.env }));
    const install = ok(await s.runner(['openclaw', 'install']));
    expect(health.openclaw.argv).toContain('runner-system_health');
    expect(install.stdout).toMatch(/= unchanged job runner-system_health \(\*\/15 \* \* \* \*\): a job of that name is there already, as wanted \(id job-1\): kept, and left there by remove/);
    writeFileSync(s.skill, `${readFileSync(s.skill, 'utf8')}\nMy own note.\n`);

    const removed = ok(await s.runner(['openclaw', 'remove']));
    expect(removed.stdout).toContain('= unchanged job runner-system_health (job-1): it was there before the install: left');
    expect(removed.stdout).toContain(`= unchanged skill ${s.skill}: edited since the install: left as it is`);
    expect(jobsOf(s.gateway).map((job) => job.name)).toEqual(['heartbeat-main', 'backup-photos', 'runner-system_health']);
    expect(readFileSync(s.skill, 'utf8')).toContain('My own note.');
    expect(scratchOf(s.gateway)).toMatchObject({ content: null });
  });
});

describe('runner openclaw install --heartbeat command', () => {
  it('installs a job running runner heartbeat every heartbeat interval with OpenClaw\'s delivery, and switching modes takes out the other piece', async () => {
    const s = setup({ openclawConfig: { agents: { defaults: { heartbeat: { every: '45m' } } } } });
    ok(await s.runner(['openclaw', 'install']));
    const command = ok(await s.runner(['openclaw', 'install', '--heartbeat', 'command']));
    expect(command.stdout).toMatch(/- remove {4}heartbeat block in the scratch of heartbeat-main \(hb-main\): the heartbeat runs the runner as a command job now; the operator's text stays/);
    expect(command.stdout).toMatch(/\+ add {7}job runner-heartbeat \(every 45m\): not in OpenClaw's cron yet → id job-\d/);
    expect(scratchOf(s.gateway)!.content).toBe(OPERATOR_TEXT);
    expect(jobsOf(s.gateway).find((job) => job.name === 'runner-heartbeat')).toMatchObject({
      schedule: { kind: 'every', everyMs: 45 * 60_000 },
      payload: { kind: 'command', argv: [process.execPath, CLI, 'heartbeat', '--ack', 'NO_REPLY', '--home', s.home, '--workspace', s.workspace], cwd: s.home },
      delivery: { mode: 'announce', channel: 'last' },
    });
    ok(await s.runner(['openclaw', 'status']));

    const back = ok(await s.runner(['openclaw', 'install']));
    expect(back.stdout).toContain('- remove    job runner-heartbeat: the heartbeat reaches the runner through the scratch now');
    expect(jobsOf(s.gateway).some((job) => job.name === 'runner-heartbeat')).toBe(false);
    expect(scratchOf(s.gateway)!.content).toContain(SCRATCH_BEGIN);
  });

  it('runs every 30m when OpenClaw leaves the heartbeat off, saying so, or every --every', async () => {
    const s = setup({ openclawConfig: { agents: { defaults: { heartbeat: { every: '0m' } } } } });
    const result = ok(await s.runner(['openclaw', 'install', '--heartbeat', 'command', '--dry-run']));
    expect(result.stdout).toContain('job runner-heartbeat (every 30m)');
    expect(result.stdout).toMatch(/note: \S+openclaw\.json turns the heartbeat off \(agents\.defaults\.heartbeat\.every is 0m\): every 30m \(--every to choose\)/);
    const every = ok(await s.runner(['openclaw', 'install', '--heartbeat', 'command', '--every', '2h', '--channel', 'telegram', '--to', '-100123']));
    expect(every.stdout).toContain('job runner-heartbeat (every 2h)');
    expect(jobsOf(s.gateway).find((job) => job.name === 'runner-heartbeat')).toMatchObject({ delivery: { mode: 'announce', channel: 'telegram', to: '-100123' } });
    const refused = await s.runner(['openclaw', 'install', '--every', '2h']);
    expect(refused.stderr).toBe('error: --every: goes with --heartbeat command\n');
  });
});

