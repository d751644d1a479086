import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHome, runCli, writeFile } from '../helpers/cli.js';

/**
 * Raises one alert: `raiser <level> <message> [once | key=<key>]` (`once`: not again while it is
 * pending; `key=`: the alert's key).
 */
const RAISER = `
import { Task } from 'taskrunner';
export default class Raiser extends Task {
  name = 'raiser';
  description = 'Raises an alert of the given level';
  arguments = [{ name: 'level', required: true }, { name: 'message', required: true }, { name: 'once' }];
  async run(ctx) {
    const third = ctx.args[2] ?? '';
    const options = third.startsWith('key=') ? { key: third.slice(4) } : { unlessPending: third === 'once' };
    await ctx.alert(ctx.args[1], ctx.args[0], options);
    return { success: true, message: 'raised' };
  }
}
`;

/**
 * A home with the raiser task and a stand-in \`openclaw\` first on PATH that runs \`script\` after
 * writing its arguments, one per line, to \`calls.log\` (a call ends with a line \`--\`).
 */
function pushHome(push: Record<string, unknown> | undefined, script = 'exit 0') {
  const { home, workspace } = makeHome('taskrunner-push-');
  writeFile(home, 'tasks/raiser.mjs', RAISER);
  writeFile(home, 'runner.config.json', JSON.stringify({ retry: { attempts: 1 }, ...(push ? { alerts: { push } } : {}) }));
  const bin = mkdtempSync(path.join(tmpdir(), 'fake-openclaw-'));
  const calls = path.join(bin, 'calls.log');
  writeFile(bin, 'openclaw', `#!/bin/sh\nprintf '%s\\n' "$@" -- >> '${calls}'\n${script}\n`);
  chmodSync(path.join(bin, 'openclaw'), 0o755);
  const env = { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  const raise = (...args: string[]) => runCli(['raiser', ...args, '--home', home, '--workspace', workspace], { env });
  const pushed = () => (existsSync(calls) ? readFileSync(calls, 'utf8').split('--\n').filter(Boolean).map((call) => call.trimEnd().split('\n')) : []);
  const pending = () => JSON.parse(readFileSync(path.join(home, 'alerts', 'pending.json'), 'utf8')) as Array<{ id: string; level: string; message: string }>;
  return { raise, pushed, pending };
}

describe('alerts pushed to the agent (alerts.push)', () => {
  it('pushes an error alert for the next heartbeat and a critical one now; the alert stays pending', async () => {
    const h = pushHome({});
    expect((await h.raise('error', 'backup failed')).code).toBe(0);
    const [alert] = h.pending();
    expect(h.pushed()).toEqual([['system', 'event', '--text', `taskrunner error alert from raiser: backup failed (id ${alert!.id})`, '--mode', 'next-heartbeat']]);
    expect((await h.raise('critical', 'disk 99% full')).code).toBe(0);
    expect(h.pushed()[1]).toEqual(['system', 'event', '--text', expect.stringContaining('critical alert from raiser: disk 99% full'), '--mode', 'now']);
    expect(h.pending().map((entry) => entry.level)).toEqual(['error', 'critical']);
  });

  it('pushes nothing below minLevel, in a dry run, or when pushing is not configured', async () => {
    const h = pushHome({ minLevel: 'error' });
    await h.raise('warning', 'low disk');
    await h.raise('info', 'fyi');
    await h.raise('critical', 'dry', '--dry-run');
    expect(h.pushed()).toEqual([]);
    expect(h.pending().map((entry) => entry.message)).toEqual(['low disk', 'fyi']);

    const warnings = pushHome({ minLevel: 'warning' });
    await warnings.raise('warning', 'low disk');
    expect(warnings.pushed()).toHaveLength(1);

    const off = pushHome(undefined);
    await off.raise('critical', 'not pushed');
    expect(off.pushed()).toEqual([]);
  });

  it('does not push an alert again while it is still pending (unlessPending)', async () => {
    const h = pushHome({});
    await h.raise('error', 'gateway down', 'once');
    await h.raise('error', 'gateway down', 'once');
    expect(h.pending()).toHaveLength(1);
    expect(h.pushed()).toHaveLength(1);
  });

  it('a keyed alert is pushed when raised, not when refreshed, and again when it escalates to a pushed level', async () => {
    const h = pushHome({ minLevel: 'error' });
    await h.raise('warning', 'gateway slow', 'key=gw');
    expect(h.pushed()).toEqual([]);
    await h.raise('error', 'gateway down', 'key=gw');
    expect(h.pushed()).toHaveLength(1);
    await h.raise('error', 'gateway still down', 'key=gw');
    expect(h.pushed()).toHaveLength(1);
    await h.raise('critical', 'gateway down for an hour', 'key=gw');
    const [alert] = h.pending();
    expect(h.pending()).toHaveLength(1);
    expect(alert).toMatchObject({ level: 'critical', message: 'gateway down for an hour' });
    expect(h.pushed()).toEqual([
      ['system', 'event', '--text', `taskrunner error alert from raiser: gateway down (id ${alert!.id})`, '--mode', 'next-heartbeat'],
      ['system', 'event', '--text', `taskrunner critical alert from raiser: gateway down for an hour (id ${alert!.id})`, '--mode', 'now'],
    ]);
  });

  it('a failing push keeps the alert pending and logs why; the task still succeeds', async () => {
    const h = pushHome({}, 'echo "Gateway not reachable: connect ECONNREFUSED 127.0.0.1:18789" >&2; exit 1');
    const result = await h.raise('error', 'backup failed');
    expect(result.code).toBe(0);
    const [alert] = h.pending();
    expect(alert).toMatchObject({ level: 'error', message: 'backup failed' });
    expect(result.stderr).toContain(`alert ${alert!.id} not pushed to the agent (openclaw system event: exit 1: Gateway not reachable: connect ECONNREFUSED 127.0.0.1:18789); it stays pending for the heartbeat`);
  });

  it('a hanging push is stopped after timeoutMs, keeps the alert pending and logs why', async () => {
    const h = pushHome({ timeoutMs: 300 }, 'exec sleep 30');
    const result = await h.raise('critical', 'disk full');
    expect(result.code).toBe(0);
    expect(h.pending()).toHaveLength(1);
    expect(result.stderr).toContain('not pushed to the agent (openclaw system event: no answer within 300 ms)');
  });

  it('refuses a bad push level in the config, naming the key', async () => {
    const h = pushHome({ minLevel: 'severe' });
    const result = await h.raise('error', 'x');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/alerts\.push\.minLevel/);
  });
});
