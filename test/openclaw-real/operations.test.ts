import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome } from '../helpers/cli.js';
import { nodeFolder, writeInstallRecord } from '../helpers/fake-openclaw.js';
import { installOpenClaw, openclawJson, runRunner, startGateway, waitFor, type Gateway } from './helpers.js';

/** The parts of system_health's record these tests read. */
interface HealthRecord {
  success: boolean;
  status: string;
  checks: {
    gateway: { status: string; url: string; summary: string };
    cron: { status: string; summary: string; failing_jobs?: { name: string; last_error?: string }[] };
  };
}

interface Job {
  id: string;
  name: string;
  state: { lastStatus?: string };
}

const found = installOpenClaw();
if ('skipReason' in found) console.warn(found.skipReason);
const install = 'install' in found ? found.install : undefined;

// One gateway for the file: an operator's day against it, then the gateway gone.
describe.skipIf(!install)('system_health and alert pushes against the real OpenClaw 2026.9.6', () => {
  let gateway: Gateway;
  let home: string;
  let workspace: string;
  beforeAll(async () => {
    gateway = await startGateway(install!);
    ({ home, workspace } = makeHome());
    writeFileSync(
      path.join(home, 'runner.config.json'),
      JSON.stringify({
        gateway: { url: `http://127.0.0.1:${gateway.port}/health`, timeoutMs: 5000 },
        openclaw: { timeoutMs: 60_000 },
        alerts: { push: { minLevel: 'error', timeoutMs: 60_000 } },
      }),
      { mode: 0o644 },
    );
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  const health = async (extra: string[] = []) => {
    const result = await runRunner(['system_health', '--json', '--home', home, '--workspace', workspace, ...extra], gateway.env);
    expect(result.code, result.stderr).toBe(0);
    return { record: JSON.parse(result.stdout) as HealthRecord, stderr: result.stderr };
  };

  it('finds the gateway healthy and names the failing cron job; the cron alert is pushed as a system event', async () => {
    const added = await openclawJson<{ id: string }>(gateway, ['cron', 'add', '--name', 'nightly-index', '--every', '10s', '--command', 'exit 3', '--no-deliver', '--json']);
    await waitFor(async () => (await openclawJson<{ jobs: Job[] }>(gateway, ['cron', 'list', '--json'])).jobs.find((job) => job.id === added.id && job.state.lastStatus === 'error'), {
      what: 'the failing job to have run',
    });

    const { record, stderr } = await health(['--verbose']);
    expect(record.checks.gateway).toMatchObject({ status: 'healthy', url: `http://127.0.0.1:${gateway.port}/health` });
    expect(record.checks.cron.status).toBe('unhealthy');
    expect(record.checks.cron.summary).toContain('nightly-index');
    expect(record.checks.cron.failing_jobs).toContainEqual(expect.objectContaining({ name: 'nightly-index', last_error: 'command exited with code 3' }));
    // The alert is written, then pushed with `openclaw system event`, which the gateway accepted.
    const pending = await runRunner(['alerts', '--json', '--home', home], gateway.env);
    const alerts = JSON.parse(pending.stdout) as { level: string; message: string }[];
    expect(alerts).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('nightly-index') }));
    expect(stderr).toContain('alert pushed to OpenClaw');
    expect(stderr).not.toContain('not pushed to the agent');

    await openclawJson(gateway, ['cron', 'rm', added.id, '--json']);
  });

  it('with nothing but OpenClaw\'s own config and the machine\'s old Node first on PATH: the port from its config, openclaw under the recorded Node; the cron alert resolves once the job is gone', async () => {
    // No gateway.url: the gateway's port is only in its own ~/.openclaw/openclaw.json (HOME of gateway.env).
    const plain = makeHome();
    writeFileSync(path.join(plain.home, 'runner.config.json'), JSON.stringify({ openclaw: { timeoutMs: 60_000 } }), { mode: 0o644 });
    writeInstallRecord(plain.home, { openclaw: { bin: install!.openclaw, node: install!.node } });
    // OpenClaw's entry script itself, not the wrapper; `node` on PATH is the machine's Node 20.
    const env = { ...gateway.env, OPENCLAW_BIN: install!.openclaw, PATH: `${nodeFolder('/usr/bin/node')}:/usr/bin:/bin` };
    const plainHealth = async () => {
      const result = await runRunner(['system_health', '--json', '--home', plain.home, '--workspace', plain.workspace], env);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as HealthRecord;
    };
    const cronAlerts = async () => {
      const listed = await runRunner(['alerts', '--json', '--home', plain.home], env);
      return (JSON.parse(listed.stdout) as { key?: string }[]).filter((alert) => alert.key === 'system_health:cron');
    };

    const added = await openclawJson<{ id: string }>(gateway, ['cron', 'add', '--name', 'weekly-report', '--every', '10s', '--command', 'exit 4', '--no-deliver', '--json']);
    await waitFor(async () => (await openclawJson<{ jobs: Job[] }>(gateway, ['cron', 'list', '--json'])).jobs.find((job) => job.id === added.id && job.state.lastStatus === 'error'), {
      what: 'the failing job to have run',
    });
    const failing = await plainHealth();
    expect(failing.checks.gateway).toMatchObject({ status: 'healthy', url: `http://127.0.0.1:${gateway.port}/health` });
    expect(failing.checks.cron).toMatchObject({ status: 'unhealthy', summary: expect.stringContaining('weekly-report') });
    expect(await cronAlerts()).toHaveLength(1);

    await openclawJson(gateway, ['cron', 'rm', added.id, '--json']);
    const fine = await plainHealth();
    expect(fine.checks.cron.status).toBe('healthy');
    expect(await cronAlerts()).toEqual([]);
  });

  it('with the gateway stopped: gateway unhealthy, cron unknown, and the push failure keeps the alert', async () => {
    await gateway.stop();
    const { record, stderr } = await health();
    expect(record.checks.gateway.status).toBe('unhealthy');
    expect(record.checks.gateway.summary).toMatch(/refused|ECONNREFUSED/i);
    expect(record.checks.cron.status).toBe('unknown');
    expect(record.status).toBe('unhealthy');
    expect(stderr).toContain('not pushed to the agent');
    const pending = await runRunner(['alerts', '--json', '--home', home], gateway.env);
    const alerts = JSON.parse(pending.stdout) as { message: string }[];
    expect(alerts.some((alert) => alert.message.startsWith('gateway unhealthy'))).toBe(true);
  });
});
