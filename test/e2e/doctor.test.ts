import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { json, startServer, closedPort, type TestServer } from '../health/http-servers.js';
import { makeHome, runCli, writeFile } from '../helpers/cli.js';
import { envWithoutOpenClaw, fakeOpenClaw, fakeOpenClawPackage, nodeFolder, writeInstallRecord } from '../helpers/fake-openclaw.js';
import { needsNonRootUser } from '../helpers/non-root.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function liveGateway(): Promise<string> {
  const server = await startServer((_request, response) => json(response, 200, { ok: true, status: 'live' }));
  servers.push(server);
  return `${server.origin}/health`;
}

interface Item {
  name: string;
  state: 'ok' | 'problem' | 'note';
  where?: string;
  detail: string;
}

const byName = (stdout: string) =>
  Object.fromEntries((JSON.parse(stdout) as { items: Item[] }).items.map((item) => [item.name, item])) as Record<string, Item>;

describe('runner doctor', () => {
  it('a healthy home: every line ✓ or –, exit 0', async () => {
    const { home, workspace } = makeHome('taskrunner-doctor-');
    const config = writeFile(home, 'runner.config.json', JSON.stringify({ gateway: { url: await liveGateway() } }));
    writeFile(home, 'alerts/pending.json', '[]');
    const fake = fakeOpenClaw({ args: ['--version'], stdout: 'OpenClaw 2026.9.6 (3f2a1b)\n' });
    const args = ['doctor', '--home', home, '--workspace', workspace];

    const run = await runCli([...args, '--json'], { env: fake.env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const items = byName(run.stdout);
    expect(JSON.parse(run.stdout).ok).toBe(true);
    expect(items.config).toMatchObject({ state: 'ok', where: config });
    expect(items.home).toMatchObject({ state: 'ok', where: home });
    expect(items.workspace).toMatchObject({ state: 'ok', where: workspace });
    expect(items.logs).toMatchObject({ state: 'note', where: path.join(home, 'logs', 'tasks.jsonl') });
    expect(items.alerts).toMatchObject({ state: 'ok', detail: 'valid, 0 pending' });
    expect(items.openclaw).toMatchObject({ state: 'ok', where: fake.bin, detail: 'OpenClaw 2026.9.6 (3f2a1b)' });
    expect(items.gateway).toMatchObject({ state: 'ok' });
    expect(fake.calls()).toEqual([['--version']]);

    const screen = await runCli(args, { env: fake.env });
    expect(screen.code).toBe(0);
    expect(screen.stdout).toMatch(/^✓ +workspace +\S+ +exists, writable \(from --workspace\)$/m);
    expect(screen.stdout).toMatch(/^✓ +openclaw +\S+\/openclaw +OpenClaw 2026\.9\.6/m);
    expect(screen.stdout).not.toContain('✗');
  });

  it('a broken home names each problem, exit 1', async () => {
    const { home } = makeHome('taskrunner-doctor-');
    const missing = path.join(home, 'no-such-workspace');
    writeFile(home, 'alerts/pending.json', '[{"id":"a1","message":"half');
    const gatewayUrl = `http://127.0.0.1:${await closedPort()}/health`;
    writeFile(home, 'runner.config.json', JSON.stringify({ gateway: { url: gatewayUrl } }));
    const broken = fakeOpenClaw({ exitCode: 1, stderr: 'Error: Cannot find module ./dist/entry.js' });

    const run = await runCli(['doctor', '--home', home, '--workspace', missing, '--json'], { env: broken.env });
    expect(run.code).toBe(1);
    const items = byName(run.stdout);
    expect(items.workspace).toMatchObject({ state: 'problem', where: missing, detail: expect.stringContaining('does not exist') });
    expect(items.alerts).toMatchObject({ state: 'problem', detail: expect.stringMatching(/cannot parse .*pending\.json at line 1/) });
    expect(items.openclaw).toMatchObject({ state: 'problem', detail: 'openclaw --version: exit 1: Error: Cannot find module ./dist/entry.js' });
    expect(items.gateway).toMatchObject({ state: 'problem', detail: `connection refused at ${gatewayUrl} (gateway.url in the runner config)` });
    expect(items.config?.state).toBe('ok');

    const screen = await runCli(['doctor', '--home', home, '--workspace', missing], { env: envWithoutOpenClaw() });
    expect(screen.code).toBe(1);
    expect(screen.stdout).toMatch(/^✗ +workspace +.*no-such-workspace +does not exist/m);
    expect(screen.stdout).toMatch(/^✗ +alerts +.*pending\.json +cannot parse/m);
    expect(screen.stdout).toMatch(/^– +openclaw +no openclaw on PATH/m);
  });

  it('an invalid config is a finding, not a crash', async () => {
    const { home, workspace } = makeHome('taskrunner-doctor-');
    const config = writeFile(home, 'runner.config.json', JSON.stringify({ disk: { warnPercent: 150 } }));
    const run = await runCli(['doctor', '--home', home, '--workspace', workspace, '--json'], { env: envWithoutOpenClaw() });
    expect(run.code).toBe(1);
    const items = byName(run.stdout);
    expect(items.config).toMatchObject({ state: 'problem', where: config, detail: expect.stringContaining('disk.warnPercent') });
    expect(items.workspace).toMatchObject({ state: 'ok', where: workspace });
  });

  it('a log folder that cannot be written is a problem', async (context) => {
    needsNonRootUser(context);
    const home = mkdtempSync(path.join(tmpdir(), 'taskrunner-doctor-'));
    chmodSync(home, 0o555);
    try {
      const run = await runCli(['doctor', '--home', home, '--workspace', home, '--json'], { env: envWithoutOpenClaw() });
      expect(byName(run.stdout).logs).toMatchObject({ state: 'problem', detail: `cannot be created: ${home} is not writable` });
    } finally {
      chmodSync(home, 0o755);
      rmSync(home, { recursive: true });
    }
  });

  it('says where the home and the workspace came from, and that a current folder without tasks/ or logs/ is no home', async () => {
    const { workspace } = makeHome('taskrunner-doctor-');
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'taskrunner-doctor-cwd-'));
    const run = await runCli(['doctor', '--json'], { cwd: elsewhere, env: { ...envWithoutOpenClaw(), OPENCLAW_WORKSPACE: workspace } });
    expect(run.code).toBe(1);
    const items = byName(run.stdout);
    expect(items.home).toMatchObject({
      state: 'problem',
      where: elsewhere,
      detail: 'is not a runner home (the current folder, as neither --home nor $RUNNER_HOME is set): it has none of tasks/, runner.config.json, logs/, alerts/, .runner/, so task runs refuse to write here',
    });
    expect(items.workspace).toMatchObject({ state: 'ok', where: workspace, detail: 'exists, writable (from $OPENCLAW_WORKSPACE)' });
    const named = await runCli(['doctor', '--json'], { cwd: elsewhere, env: { ...envWithoutOpenClaw(), OPENCLAW_WORKSPACE: workspace, RUNNER_HOME: elsewhere } });
    expect(byName(named.stdout).home).toMatchObject({ state: 'ok', detail: 'exists, writable (from $RUNNER_HOME)' });
  });

  it('finds the gateway on the port OpenClaw\'s config names, and says so', async () => {
    const { home, workspace } = makeHome('taskrunner-doctor-');
    const url = await liveGateway();
    const openclawConfig = writeFile(home, 'user/.openclaw/openclaw.json', `{ gateway: { port: ${new URL(url).port} } }`);
    const run = await runCli(['doctor', '--home', home, '--workspace', workspace, '--json'], { env: { ...envWithoutOpenClaw(), HOME: path.join(home, 'user') } });
    expect(byName(run.stdout).gateway).toMatchObject({ state: 'ok', where: url, detail: `${url} answered 200; no readiness endpoint (gateway.port in ${openclawConfig})` });
  });

  it('an openclaw whose Node is too old is a problem that says so; a corrupt install record is named', async () => {
    const { home, workspace } = makeHome('taskrunner-doctor-');
    const pkg = fakeOpenClawPackage('>=99.0.0', "process.stderr.write('openclaw: node:sqlite is unavailable\\nIf you use nvm, run:\\n  nvm alias default 26\\n'); process.exit(1);");
    const oldNode = nodeFolder(process.execPath);
    const env = { PATH: `${oldNode}:${pkg.binDir}:/usr/bin:/bin` };
    const run = await runCli(['doctor', '--home', home, '--workspace', workspace, '--json'], { env });
    expect(run.code).toBe(1);
    expect(byName(run.stdout).openclaw).toMatchObject({
      state: 'problem',
      where: path.join(pkg.binDir, 'openclaw'),
      detail: `openclaw --version: exit 1: openclaw needs Node >=99.0.0 (its package.json); it ran under Node ${process.version} (${path.join(oldNode, 'node')})`,
    });

    const record = writeInstallRecord(home, '{"openclaw": ');
    const corrupt = await runCli(['doctor', '--home', home, '--workspace', workspace, '--json'], { env: envWithoutOpenClaw() });
    expect(byName(corrupt.stdout).openclaw).toMatchObject({ state: 'problem', detail: expect.stringContaining(`the OpenClaw install record is unusable: cannot parse ${record}`) });
  });
});
