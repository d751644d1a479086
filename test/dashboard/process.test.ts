import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { collect, makeHome, runCli, startCli, waitForOutput, writeFile } from '../helpers/cli.js';
import { startDashboardProcess } from './helpers.js';

describe('runner dashboard as a process', () => {
  it('Ctrl-C (SIGINT) closes the live streams and exits 0', async () => {
    const { home, workspace } = makeHome('taskrunner-dashboard-proc-');
    const dashboard = await startDashboardProcess(['--home', home, '--workspace', workspace]);
    const response = await fetch(`${dashboard.url}api/events`);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('retry: 1000');
    dashboard.child.kill('SIGINT');
    // The stream ends (the server closed it) rather than hanging.
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true }));
      if (chunk.done) break;
    }
    expect((await collect(dashboard.child)).code).toBe(0);
  });

  it('is listed by runner --help, and its bad flags and settings are clear errors', async () => {
    const { home, workspace } = makeHome('taskrunner-dashboard-proc-');
    expect((await runCli(['--help'])).stdout).toMatch(/dashboard .*web dashboard/);
    const badPort = await runCli(['dashboard', '--port', 'eighty', '--home', home, '--workspace', workspace]);
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain('--port: expected a port number from 0 to 65535');

    writeFile(home, 'runner.config.json', JSON.stringify({ queue: { url: 'redis://127.0.0.1:1' } }));
    const distributed = await runCli(['dashboard', '--port', '0', '--home', home, '--workspace', workspace]);
    expect(distributed.code).toBe(1);
    expect(distributed.stderr).toContain('cannot reach the queue server at redis://127.0.0.1:1');

    writeFile(home, 'runner.config.json', JSON.stringify({ dashboard: { token: 'short' } }));
    const shortToken = await runCli(['dashboard', '--port', '0', '--home', home, '--workspace', workspace]);
    expect(shortToken.code).toBe(1);
    expect(shortToken.stderr).toContain('dashboard.token: at least 16 characters');
  });

  it('--open starts the system opener with the URL, and a missing opener is no error', async () => {
    const { home, workspace } = makeHome('taskrunner-dashboard-proc-');
    const bin = path.join(home, 'bin');
    const opened = path.join(home, 'opened.txt');
    writeFile(bin, 'xdg-open', `#!/bin/sh\necho "$1" > '${opened}'\n`);
    chmodSync(path.join(bin, 'xdg-open'), 0o755);
    const child = startCli(['dashboard', '--port', '0', '--open', '--home', home, '--workspace', workspace], { env: { PATH: `${bin}:${process.env.PATH}` } });
    await waitForOutput(child, /runner dashboard: http/);
    await expect.poll(() => (existsSync(opened) ? readFileSync(opened, 'utf8').trim() : ''), { timeout: 20_000 }).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    child.kill('SIGTERM');
    expect((await collect(child)).code).toBe(0);

    const alone = startCli(['dashboard', '--port', '0', '--open', '--home', home, '--workspace', workspace], { env: { PATH: path.join(home, 'nothing-here') } });
    await waitForOutput(alone, /could not start xdg-open/);
    alone.kill('SIGTERM');
    expect((await collect(alone)).code).toBe(0);
  });

  it('a port in use is a clear error', async () => {
    const { home, workspace } = makeHome('taskrunner-dashboard-proc-');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const child = startCli(['dashboard', '--port', String(port), '--home', home, '--workspace', workspace]);
      const result = await collect(child);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      taken.close();
    }
  });

  it('a configured token is required on loopback too', async () => {
    const { home, workspace } = makeHome('taskrunner-dashboard-proc-');
    const token = 'configured-token-0123456789';
    writeFile(home, 'runner.config.json', JSON.stringify({ dashboard: { token } }));
    const dashboard = await startDashboardProcess(['--home', home, '--workspace', workspace]);
    try {
      expect(dashboard.token).toBe(token);
      expect(dashboard.stdout()).toContain('dashboard.token in the config');
      expect((await fetch(`${dashboard.url}api/tasks`)).status).toBe(401);
      expect((await fetch(`${dashboard.url}api/tasks`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      expect(await dashboard.stop()).toBe(0);
    }
  });
});
