import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeHome, readRecords, runCli, writeFile } from '../helpers/cli.js';
import { envWithoutOpenClaw, fakeOpenClaw } from '../helpers/fake-openclaw.js';
import { failingJob, listing, okJob } from '../health/openclaw-jobs-fixtures.js';
import { closedPort, json, startServer, type TestServer } from '../health/http-servers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A real gateway stand-in: live and ready (on `port`, or a free one). */
async function liveGateway(port?: number): Promise<string> {
  const server = await startServer(
    (request, response) => (request.url === '/readyz' ? json(response, 200, { ready: true, failing: [] }) : json(response, 200, { ok: true, status: 'live' })),
    port,
  );
  servers.push(server);
  return `${server.origin}/health`;
}

function homeWith(config: object) {
  const { home, workspace } = makeHome('taskrunner-health-');
  writeFile(home, 'runner.config.json', JSON.stringify(config));
  return { home, workspace, args: ['--home', home, '--workspace', workspace] };
}

const pending = (home: string) => JSON.parse(readFileSync(path.join(home, 'alerts', 'pending.json'), 'utf8')) as Record<string, string>[];

describe('runner system_health', () => {
  it('--json prints the record with the report; all healthy raises no alert', async () => {
    const h = homeWith({ gateway: { url: await liveGateway() }, disk: { warnPercent: 100, criticalPercent: 100 } });
    const fake = fakeOpenClaw({ args: ['cron', 'list'], stdout: listing([okJob]) });
    const run = await runCli(['system_health', ...h.args, '--json'], { env: fake.env });
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(record).toMatchObject({
      task: 'system_health',
      success: true,
      status: 'healthy',
      message: 'healthy: gateway, disk and cron',
      checks: {
        gateway: { status: 'healthy', http_status: 200, ready: true },
        disk: { status: 'healthy', path: h.workspace, warn_percent: 100, critical_percent: 100 },
        cron: { status: 'healthy', jobs_checked: 1 },
      },
    });
    expect(readRecords(readFileSync(path.join(h.home, 'logs', 'tasks.jsonl'), 'utf8'))[0]).toMatchObject({ status: 'healthy' });
    expect(fake.calls()).toEqual([['cron', 'list', '--json']]);
    const alerts = await runCli(['alerts', '--json', ...h.args]);
    expect(JSON.parse(alerts.stdout)).toEqual([]);
  });

  it('exits 0 when unhealthy, and two runs leave each alert once', async () => {
    const gatewayUrl = `http://127.0.0.1:${await closedPort()}/health`;
    const h = homeWith({ gateway: { url: gatewayUrl }, disk: { warnPercent: 0, criticalPercent: 0 } });
    const fake = fakeOpenClaw({ args: ['cron', 'list'], stdout: listing([okJob, failingJob]) });
    for (let run = 0; run < 2; run++) {
      const result = await runCli(['system_health', ...h.args, '--json'], { env: fake.env });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        success: true,
        status: 'critical',
        checks: { gateway: { status: 'unhealthy' }, disk: { status: 'critical' }, cron: { status: 'unhealthy' } },
      });
    }
    const alerts = pending(h.home);
    expect(alerts.map((alert) => [alert.level, String(alert.message).replace(/\d+% used/, 'N% used')])).toEqual([
      ['error', `gateway unhealthy: connection refused at ${gatewayUrl}`],
      ['critical', `disk critical: ${h.workspace}: N% used, above 0%`],
      ['error', 'cron unhealthy: 1 of 2 job(s) failing: disk-report (command exited with code 3)'],
    ]);
    expect(alerts.every((alert) => alert.task === 'system_health')).toBe(true);
  });

  it('disk above warnPercent is a warning (no alert); no openclaw on PATH skips cron', async () => {
    const h = homeWith({ gateway: { url: await liveGateway() }, disk: { warnPercent: 0 } });
    const run = await runCli(['system_health', ...h.args, '--json'], { env: envWithoutOpenClaw() });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'warning',
      message: 'warning: disk warning, cron skipped',
      checks: { disk: { status: 'warning' }, cron: { status: 'skipped', reason: 'openclaw cron list: no openclaw on PATH' } },
    });
    const alerts = await runCli(['alerts', '--json', ...h.args]);
    expect(JSON.parse(alerts.stdout)).toEqual([]);
  });

  it('prints a table of the checks for a person', async () => {
    const h = homeWith({ gateway: { url: await liveGateway() }, disk: { warnPercent: 100, criticalPercent: 100 } });
    const fake = fakeOpenClaw({ exitCode: 1, stderr: 'Gateway not reachable: connect ECONNREFUSED 127.0.0.1:18789' });
    const run = await runCli(['system_health', ...h.args], { env: fake.env });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^✓ system_health: unknown: cron unknown \(\d+(\.\d+)?s\)$/);
    expect(lines[1]).toMatch(/^CHECK +STATUS +DETAIL$/);
    expect(lines[2]).toMatch(/^gateway +healthy +http:\/\/127\.0\.0\.1:\d+\/health answered 200; ready$/);
    expect(lines[3]).toMatch(/^disk +healthy +.*% used$/);
    expect(lines[4]).toMatch(/^cron +unknown +openclaw cron list --json: exit 1: Gateway not reachable: connect ECONNREFUSED/);
  });

  it('probes the gateway on the port only OpenClaw\'s config names; down raises its alert, back up resolves it, and the heartbeat says nothing about it', async () => {
    const port = await closedPort();
    // No gateway.url in the runner's config: the port is in OpenClaw's own (JSON5), in the user's HOME.
    const h = homeWith({ disk: { warnPercent: 100, criticalPercent: 100 } });
    writeFile(h.home, 'user/.openclaw/openclaw.json', `{ gateway: { mode: 'local', port: ${port}, bind: 'loopback' }, // the runner reads the port\n}`);
    const env = { ...envWithoutOpenClaw(), HOME: path.join(h.home, 'user') };
    const url = `http://127.0.0.1:${port}/health`;
    const health = async () => {
      const run = await runCli(['system_health', ...h.args, '--json'], { env });
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { checks: { gateway: { status: string; url: string } } }).checks.gateway;
    };
    const gatewayAlerts = () => (existsSync(path.join(h.home, 'alerts', 'pending.json')) ? pending(h.home) : []).filter((alert) => alert.key === 'system_health:gateway');

    await liveGateway(port);
    expect(await health()).toMatchObject({ status: 'healthy', url });

    await Promise.all(servers.splice(0).map((server) => server.close()));
    expect(await health()).toMatchObject({ status: 'unhealthy', url });
    expect(await health()).toMatchObject({ status: 'unhealthy' });
    expect(gatewayAlerts()).toEqual([
      expect.objectContaining({ task: 'system_health', level: 'error', message: `gateway unhealthy: connection refused at ${url}` }),
    ]);

    await liveGateway(port);
    expect(await health()).toMatchObject({ status: 'healthy', url });
    expect(gatewayAlerts()).toEqual([]);
    const heartbeat = await runCli(['heartbeat', ...h.args], { env });
    expect(heartbeat.code, heartbeat.stderr).toBe(0);
    expect(heartbeat.stdout.trim()).toBe('HEARTBEAT_OK');
  });

  it('a check that cannot tell leaves a pending alert as it is', async () => {
    const port = await closedPort();
    const h = homeWith({ disk: { warnPercent: 100, criticalPercent: 100 } });
    const config = writeFile(h.home, 'openclaw.json', JSON.stringify({ gateway: { port } }));
    const env = { ...envWithoutOpenClaw(), OPENCLAW_CONFIG_PATH: config };
    expect((await runCli(['system_health', ...h.args], { env })).code).toBe(0);
    expect(pending(h.home).map((alert) => alert.key)).toEqual(['system_health:gateway']);
    // OpenClaw's config broken: where the gateway is cannot be known, so its alert is not resolved.
    writeFileSync(config, '{ gateway: { port: ');
    const run = await runCli(['system_health', ...h.args, '--json'], { env });
    expect(JSON.parse(run.stdout)).toMatchObject({
      checks: { gateway: { status: 'unknown', summary: expect.stringContaining(`cannot tell where the gateway listens: OpenClaw config ${config} cannot be parsed`) } },
    });
    expect(pending(h.home).map((alert) => alert.key)).toEqual(['system_health:gateway']);
  });

  it('gateway.url in the runner\'s config wins over OpenClaw\'s port', async () => {
    const url = await liveGateway();
    const h = homeWith({ gateway: { url }, disk: { warnPercent: 100, criticalPercent: 100 } });
    const config = writeFile(h.home, 'openclaw.json', JSON.stringify({ gateway: { port: await closedPort() } }));
    const run = await runCli(['system_health', ...h.args, '--json'], { env: { ...envWithoutOpenClaw(), OPENCLAW_CONFIG_PATH: config } });
    expect(JSON.parse(run.stdout)).toMatchObject({ checks: { gateway: { status: 'healthy', url } } });
  });
});
