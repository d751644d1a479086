import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeHome, readRecords, writeFile } from '../helpers/cli.js';
import { runOpenClaw } from '../../src/openclaw/openclaw-cli.js';
import { SCRATCH_BEGIN, SCRATCH_END } from '../../src/openclaw/scratch-block.js';
import { shellLine } from '../../src/shared/shell-quote.js';
import { heartbeatJobId, installOpenClaw, openclawJson, runRunner, startGateway, type Gateway } from './helpers.js';
import { messageText, startScriptedModel, type Exchange, type ScriptedModel } from './scripted-model.js';

/** A job as `openclaw cron list --all --json` shows it; the fields read here. */
interface Job {
  id: string;
  name: string;
  payload: { kind: string; argv?: string[]; env?: Record<string, string> };
}

/** `openclaw cron run <id> --wait --json` once the run has ended. */
interface WaitedRun {
  status: string;
  completionStatus: string;
  run: { runAtMs: number; durationMs: number; summary?: string };
}

interface HeartbeatEvent {
  ts: number;
  status: string;
  preview?: string;
  reason?: string;
}

interface SkillList {
  skills: { name: string; description: string; source: string; eligible: boolean; modelVisible: boolean }[];
}

interface InstallJson {
  changes: { piece: string; action: string; what: string; id?: string }[];
}

/** Raises one alert at `error` with the message given (pushed to the agent, by install's default). */
const RAISES_ERROR = `
import { Task } from 'taskrunner';
export default class Backup extends Task {
  name = 'backup';
  description = 'Raises an error alert';
  arguments = [{ name: 'message', required: true }];
  async run(ctx) {
    await ctx.alert(ctx.args[0], 'error');
    return { success: true, message: 'alerted' };
  }
}
`;

const OPERATOR_TEXT = '# Operator checklist\n- Glance at the inbox; say nothing if it is empty.  \n- Never touch ~/private.';

const found = installOpenClaw();
if ('skipReason' in found) console.warn(found.skipReason);
const install = 'install' in found ? found.install : undefined;

describe.skipIf(!install)('runner openclaw install against the real OpenClaw 2026.9.6 (scripted model)', () => {
  // The runner's workspace is the agent's: the runner finds it in OpenClaw's own config (HOME).
  const { home, workspace } = makeHome();
  // What the block tells the agent to run: this machine's Node 20 and the CLI, by absolute paths.
  const heartbeatCommand = shellLine([process.execPath, CLI, 'heartbeat', '--ack', 'NO_REPLY', '--home', home]);
  let model: ScriptedModel | undefined;
  let gateway: Gateway | undefined;
  let heartbeatId = '';

  beforeAll(async () => {
    model = await startScriptedModel();
    // Started as a service manager would: a PATH with neither openclaw nor Node 24, no $OPENCLAW_BIN.
    // Its jobs inherit that environment; only the PATH the install gives them finds openclaw.
    gateway = await startGateway(install!, {
      modelBaseUrl: model.baseUrl,
      heartbeatEvery: '30m',
      workspace,
      processEnv: { PATH: '/usr/local/bin:/usr/bin:/bin', OPENCLAW_BIN: undefined },
    });
    heartbeatId = await heartbeatJobId(gateway);
    await openclawJson(gateway, ['cron', 'scratch', heartbeatId, '--set', OPERATOR_TEXT]);
  });
  afterAll(async () => {
    await gateway?.stop();
    await model?.close();
  });

  const jobs = async () => (await openclawJson<{ jobs: Job[] }>(gateway!, ['cron', 'list', '--all', '--json'])).jobs;
  const runnerJobs = async () => (await jobs()).filter((job) => job.name.startsWith('runner-'));
  const scratch = async () => (await openclawJson<{ scratch: { content: string } | null }>(gateway!, ['cron', 'scratch', heartbeatId, '--json'])).scratch?.content ?? null;
  const runner = async (args: readonly string[]) => {
    const result = await runRunner([...args, '--home', home], gateway!.env);
    expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(0);
    return result.stdout;
  };
  const skills = async () => (await openclawJson<SkillList>(gateway!, ['skills', 'list', '--json'])).skills;
  const skillFile = path.join(workspace, 'skills', 'taskrunner', 'SKILL.md');

  /** Run a job now through OpenClaw and wait for its end; the answer whatever the run's outcome. */
  async function runJob(id: string): Promise<WaitedRun> {
    const outcome = await runOpenClaw(['cron', 'run', id, '--wait', '--wait-timeout', '4m', '--json'], { timeoutMs: 300_000, env: gateway!.env });
    if (outcome.kind !== 'ok' && outcome.kind !== 'failed') throw new Error(`openclaw cron run ${id}: ${JSON.stringify(outcome)}`);
    return JSON.parse(outcome.stdout) as WaitedRun;
  }

  it('installs the skill, the block beside the operator\'s text and the jobs; a second install changes nothing', async () => {
    const first = JSON.parse(await runner(['openclaw', 'install', '--json'])) as InstallJson;
    expect(first.changes.map((change) => `${change.action} ${change.piece}`)).toEqual(['add skill', 'add scratch', 'add job', 'add job', 'add job', 'add alerts']);

    // The skill, as OpenClaw loads it.
    const skill = (await skills()).find((entry) => entry.name === 'taskrunner');
    expect(skill).toMatchObject({ source: 'openclaw-workspace', eligible: true, modelVisible: true });
    expect(skill!.description).toMatch(/taskrunner/);

    // The scratch: the operator's text byte for byte, then the runner's block with the exact line.
    const content = (await scratch())!;
    expect(content.startsWith(`${OPERATOR_TEXT}\n${SCRATCH_BEGIN}\n`)).toBe(true);
    expect(content).toContain(`\`${heartbeatCommand}\``);
    expect(content.endsWith(`${SCRATCH_END}\n`)).toBe(true);

    const installed = await runnerJobs();
    expect(installed.map((job) => job.name).sort()).toEqual(['runner-memory_capture', 'runner-memory_consolidate', 'runner-system_health']);
    // Their PATH holds the openclaw the runner found (the gateway's own PATH has none).
    expect((installed[0]!.payload.env?.PATH ?? '').split(':')).toContain(path.dirname(install!.bin));

    const second = JSON.parse(await runner(['openclaw', 'install', '--json'])) as InstallJson;
    expect(second.changes.every((change) => change.action === 'unchanged')).toBe(true);
    expect((await runnerJobs()).map((job) => job.id).sort()).toEqual(installed.map((job) => job.id).sort());
    expect(await scratch()).toBe(content);

    const status = await runner(['openclaw', 'status']);
    console.log(`runner openclaw status after a fresh install:\n${status}`);
    expect(status).not.toMatch(/\b(missing|stale|unknown)\b/);
  });

  it('a job run by OpenClaw itself reaches openclaw and leaves a record, its one-line summary in the run history', async () => {
    const job = (await runnerJobs()).find((entry) => entry.name === 'runner-system_health')!;
    const run = await runJob(job.id);
    const record = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8')).filter((entry) => entry.task === 'system_health').at(-1) as {
      scheduled?: boolean;
      checks: { cron: { status: string; summary: string } };
    };
    expect(record.scheduled).toBe(true);
    // Run under the gateway's PATH, which has no openclaw, the check still reached it (not "skipped").
    expect(record.checks.cron.status).not.toBe('skipped');
    expect(record.checks.cron.summary).not.toMatch(/no openclaw/);
    expect(record.checks.cron.summary).toMatch(/enabled job\(s\)/);

    const runs = await openclawJson<{ entries: { summary?: string; status: string }[] }>(gateway!, ['cron', 'runs', '--id', job.id, '--json']);
    const summary = runs.entries[0]!.summary!;
    expect(summary).toMatch(/^[✓✗] system_health/);
    expect(summary.trim().split('\n')).toHaveLength(1);
    expect(run.run.summary).toBe(summary);
    // The full log went to the file.
    expect(existsSync(path.join(home, 'logs', 'cron.log'))).toBe(true);
  });

  it("a raised alert is drained by a real heartbeat turn, which ran the block's command line, and is the heartbeat's reply", async () => {
    writeFile(home, 'tasks/backup.mjs', RAISES_ERROR);
    await runner(['run', 'backup', 'nightly backup failed: disk full']);

    const before = model!.requests.length;
    const started = Date.now();
    const run = await runJob(heartbeatId);
    console.log(`heartbeat turn with one alert: ${run.run.durationMs} ms in the gateway, ${Date.now() - started} ms for \`openclaw cron run --wait\` end to end`);
    expect(run).toMatchObject({ status: 'ok', completionStatus: 'succeeded' });
    const exchanges: Exchange[] = model!.requests.slice(before);

    // The agent ran exactly the block's command line; the skill was in its prompt.
    expect(exchanges.filter((exchange) => 'tool' in exchange.reply).map((exchange) => exchange.reply)).toEqual([{ tool: 'exec', arguments: { command: heartbeatCommand } }]);
    const system = exchanges[0]!.messages.filter((message) => message.role === 'system').map(messageText).join('\n');
    expect(system).toMatch(new RegExp(`<name>taskrunner</name>\\s*<description>[^<]+</description>\\s*<location>${skillFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</location>`));
    const printed = messageText(exchanges.find((exchange) => exchange.messages.some((message) => message.role === 'tool'))!.messages.find((message) => message.role === 'tool')!);
    expect(printed).toContain('backup: nightly backup failed: disk full');
    const last = await openclawJson<HeartbeatEvent>(gateway!, ['system', 'heartbeat', 'last', '--json']);
    expect(last).toMatchObject({ status: 'skipped', reason: 'target-none', preview: printed.trim() });
    expect(last.ts).toBeGreaterThanOrEqual(run.run.runAtMs);
    expect(JSON.parse(await runner(['alerts', '--json']))).toEqual([]);
  });

  it("remove leaves only the operator's text, and no skill or job of the runner's", async () => {
    const removed = await runner(['openclaw', 'remove']);
    expect(removed).toContain('✓ removed: 6 taken out, 0 left');
    expect(await scratch()).toBe(OPERATOR_TEXT);
    expect(await runnerJobs()).toEqual([]);
    expect((await skills()).some((entry) => entry.name === 'taskrunner')).toBe(false);
    expect(existsSync(skillFile)).toBe(false);
    expect(existsSync(path.join(home, '.runner', 'openclaw.json'))).toBe(false);
  });

  it('--heartbeat command: a job runs runner heartbeat with no model; a lone NO_REPLY is silent, an alert is handed to delivery', async () => {
    const installed = JSON.parse(await runner(['openclaw', 'install', '--heartbeat', 'command', '--json'])) as InstallJson;
    expect(installed.changes.filter((change) => change.action !== 'unchanged').map((change) => `${change.action} ${change.what}`)).toEqual(
      expect.arrayContaining(['add job runner-heartbeat (every 30m)', expect.stringMatching(/^add skill /)]),
    );
    expect(await scratch()).toBe(OPERATOR_TEXT);
    // Nothing pending, whatever an earlier test left.
    await runner(['alerts', '--drain', '--json']);
    const job = (await runnerJobs()).find((entry) => entry.name === 'runner-heartbeat')!;
    const requests = model!.requests.length;

    const quiet = await runJob(job.id);
    expect(quiet).toMatchObject({ status: 'ok' });
    type Run = { summary?: string; deliveryStatus?: string; deliveryError?: string; deliverySuppressionReason?: string; diagnostics?: { summary?: string } };
    const runs = async () => (await openclawJson<{ entries: Run[] }>(gateway!, ['cron', 'runs', '--id', job.id, '--json'])).entries;
    const [silent] = await runs();
    console.log(`runner-heartbeat run with nothing pending: ${JSON.stringify(silent)}`);
    expect(silent!.summary ?? '').toBe('');
    expect(silent!.diagnostics?.summary).toBe('NO_REPLY');
    expect(silent!.deliveryError).toBeUndefined();
    // OpenClaw held the lone NO_REPLY back itself: nothing is posted.
    expect(silent!.deliverySuppressionReason).toBe('silent');

    await runner(['run', 'backup', 'offsite copy failed']);
    await runJob(job.id);
    const [loud] = await runs();
    console.log(`runner-heartbeat run with an alert: ${JSON.stringify(loud)}`);
    expect(loud!.summary).toContain('backup: offsite copy failed');
    // Handed to OpenClaw's delivery (this gateway has no chat channel, so it cannot go further).
    expect(loud!.deliveryStatus).not.toBe('not-requested');
    // No model was asked about it.
    expect(model!.requests.slice(requests).some((exchange) => JSON.stringify(exchange.messages).includes('offsite copy failed'))).toBe(false);

    expect(await runner(['openclaw', 'remove'])).toContain('✓ removed: 6 taken out, 0 left');
    expect(await runnerJobs()).toEqual([]);
  });
});
