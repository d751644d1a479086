import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, makeHome, runCli, writeFile } from '../helpers/cli.js';
import { alerter } from '../fixtures/tasks.js';
import { shellLine } from '../../src/shared/shell-quote.js';
import { heartbeatJobId, installOpenClaw, openclawJson, startGateway, type Gateway } from './helpers.js';
import { messageText, startScriptedModel, type Exchange, type ScriptedModel } from './scripted-model.js';

/** `openclaw cron run <id> --wait --json` once the run has ended. */
interface WaitedRun {
  status: string;
  completionStatus: string;
  run: { runAtMs: number; durationMs: number; summary?: string };
}

/** `openclaw system heartbeat last --json`: the last heartbeat event. */
interface HeartbeatEvent {
  ts: number;
  status: string;
  preview?: string;
  reason?: string;
  silent?: boolean;
  durationMs?: number;
}

/** `openclaw skills list --json`, the fields read here. */
interface SkillList {
  skills: { name: string; description: string; source: string; eligible: boolean; modelVisible: boolean }[];
}

const found = installOpenClaw();
if ('skipReason' in found) console.warn(found.skipReason);
const install = 'install' in found ? found.install : undefined;

describe.skipIf(!install)('the real OpenClaw 2026.9.6 heartbeat runs `runner heartbeat` and relays what it prints (scripted model)', () => {
  // The runner's workspace is the agent's workspace, as on an operator's machine.
  const { home, workspace } = makeHome();
  // The runner runs on this machine's Node, by absolute paths: the agent's shell has the gateway's PATH.
  const heartbeatCommand = shellLine([process.execPath, CLI, 'heartbeat', '--ack', 'NO_REPLY', '--home', home, '--workspace', workspace]);
  let model: ScriptedModel | undefined;
  let gateway: Gateway | undefined;
  let heartbeatId = '';

  beforeAll(async () => {
    model = await startScriptedModel();
    gateway = await startGateway(install!, { modelBaseUrl: model.baseUrl, heartbeatEvery: '30m', workspace });
    heartbeatId = await heartbeatJobId(gateway);
    const scratch = `Run this exact command line with the exec tool and reply with exactly what it prints: \`${heartbeatCommand}\``;
    const written = await openclawJson<{ ok: boolean; currentRevision: number }>(gateway, ['cron', 'scratch', heartbeatId, '--set', scratch]);
    expect(written).toMatchObject({ ok: true, currentRevision: 1 });
  });
  // Runs when a test failed too: the gateway by its PID (SIGTERM, then SIGKILL), then the model.
  afterAll(async () => {
    await gateway?.stop();
    await model?.close();
  });

  /** Run the heartbeat now and wait for its end; logs how long the turn took, for the record. */
  async function heartbeatNow(label: string): Promise<{ run: WaitedRun; exchanges: Exchange[] }> {
    const before = model!.requests.length;
    const started = Date.now();
    const run = await openclawJson<WaitedRun>(gateway!, ['cron', 'run', heartbeatId, '--wait', '--wait-timeout', '4m', '--json'], 300_000);
    console.log(
      `heartbeat turn (${label}): ${run.run.durationMs} ms in the gateway, ${Date.now() - started} ms for \`openclaw cron run --wait\` end to end`,
    );
    return { run, exchanges: model!.requests.slice(before) };
  }

  const dailyNotes = () => readdirSync(path.join(workspace, 'memory')).filter((file) => /^\d{4}-\d{2}-\d{2}\.md$/.test(file));
  const lastHeartbeat = () => openclawJson<HeartbeatEvent>(gateway!, ['system', 'heartbeat', 'last', '--json']);
  const pendingAlerts = async () => {
    const listed = await runCli(['alerts', '--json', '--home', home, '--workspace', workspace]);
    expect(listed.code, listed.stderr).toBe(0);
    return JSON.parse(listed.stdout) as { id: string; message: string }[];
  };

  it('runs the command the scratch names, drains the pending alert and relays its message as the heartbeat reply', async () => {
    writeFile(home, 'tasks/backup.mjs', alerter('backup'));
    const raised = await runCli(['backup', 'nightly backup failed: disk full', '--home', home, '--workspace', workspace]);
    expect(raised.code, raised.stderr).toBe(0);
    expect(await pendingAlerts()).toMatchObject([{ message: 'nightly backup failed: disk full' }]);
    expect(dailyNotes()).toEqual([]);

    const { run, exchanges } = await heartbeatNow('one alert');
    expect(run).toMatchObject({ status: 'ok', completionStatus: 'succeeded', run: { summary: 'heartbeat completed' } });

    // The agent ran exactly the scratch's command line, and answered with exactly what it printed.
    const calls = exchanges.filter((exchange) => 'tool' in exchange.reply);
    expect(calls.map((exchange) => exchange.reply)).toEqual([{ tool: 'exec', arguments: { command: heartbeatCommand } }]);
    const answered = exchanges.find((exchange) => exchange.messages.some((message) => message.role === 'tool'));
    const printed = messageText(answered!.messages.find((message) => message.role === 'tool')!);
    expect(printed).toContain('1 alert needs attention');
    expect(printed).toContain('backup: nightly backup failed: disk full');
    expect(answered!.reply).toEqual({ text: printed });

    const last = await lastHeartbeat();
    // Delivery is off (`target: "none"`), so OpenClaw records the reply as skipped for that reason.
    expect(last).toMatchObject({ status: 'skipped', reason: 'target-none', preview: printed.trim() });
    expect(last.ts).toBeGreaterThanOrEqual(run.run.runAtMs);
    expect(await pendingAlerts()).toEqual([]);
    // The heartbeat's other chore, done in the agent's workspace: today's daily note.
    expect(dailyNotes()).toHaveLength(1);
  });

  it('with nothing pending, the heartbeat prints NO_REPLY and OpenClaw records a silent ok-empty', async () => {
    expect(await pendingAlerts()).toEqual([]);
    const { run, exchanges } = await heartbeatNow('no alerts');
    expect(run).toMatchObject({ status: 'ok', completionStatus: 'succeeded' });
    expect(exchanges.map((exchange) => exchange.reply)).toEqual([
      { tool: 'exec', arguments: { command: heartbeatCommand } },
      { text: 'NO_REPLY' },
    ]);
    const last = await lastHeartbeat();
    expect(last).toMatchObject({ status: 'ok-empty', silent: true });
    expect(last.ts).toBeGreaterThanOrEqual(run.run.runAtMs);
  });

  it('a skill put in the workspace is listed by `openclaw skills list` and named in the agent\'s prompt', async () => {
    const description = 'Run the maintenance tasks of this workspace with the runner CLI.';
    writeFile(workspace, 'skills/runner-probe/SKILL.md', `---\nname: runner-probe\ndescription: ${description}\n---\n\n# runner-probe\n\nUse \`runner list\`.\n`);
    const { skills } = await openclawJson<SkillList>(gateway!, ['skills', 'list', '--json']);
    expect(skills.find((skill) => skill.name === 'runner-probe')).toMatchObject({
      description,
      source: 'openclaw-workspace',
      eligible: true,
      modelVisible: true,
    });

    // The running gateway picks it up for the next turn, without a restart.
    const { exchanges } = await heartbeatNow('skill probe');
    const system = exchanges[0]!.messages.filter((message) => message.role === 'system').map(messageText).join('\n');
    const entry = ['<name>runner-probe</name>', `<description>${description}</description>`, `<location>${workspace}/skills/runner-probe/SKILL.md</location>`];
    expect(system).toMatch(new RegExp(entry.map(escapeRegExp).join('\\s*')));
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
