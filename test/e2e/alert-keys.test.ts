import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHome, runCli, writeFile } from '../helpers/cli.js';

/**
 * `keyed_<i> raise <level> <message> <key>` raises a keyed alert; `keyed_<i> resolve <key>`
 * resolves it. Several tasks, so runs at once do not lock each other out.
 */
const keyed = (name: string) => `
import { Task } from 'taskrunner';
export default class Keyed extends Task {
  name = '${name}';
  description = 'Raises or resolves a keyed alert';
  arguments = [{ name: 'action', required: true }, { name: 'rest', variadic: true }];
  async run(ctx) {
    const [action, ...rest] = ctx.args;
    if (action === 'raise') await ctx.alert(rest[1], rest[0], { key: rest[2] });
    else await ctx.resolveAlert(rest[0]);
    return { success: true, message: action };
  }
}
`;

function keyedHome(tasks = 1) {
  const { home, workspace } = makeHome('taskrunner-keys-');
  for (let i = 0; i < tasks; i++) writeFile(home, `tasks/keyed_${i}.mjs`, keyed(`keyed_${i}`));
  writeFile(home, 'runner.config.json', JSON.stringify({ retry: { attempts: 1 } }));
  const file = path.join(home, 'alerts', 'pending.json');
  const run = (task: number, ...args: string[]) => runCli([`keyed_${task}`, ...args, '--home', home, '--workspace', workspace]);
  const pending = () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>[]) : []);
  return { home, file, run, pending };
}

describe('alerts with a key, through the CLI', () => {
  it('twelve processes raising one key at once leave one alert, at the highest level raised', async () => {
    const h = keyedHome(12);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => h.run(i, 'raise', i === 5 ? 'critical' : 'error', `down, seen by ${i}`, 'gateway')),
    );
    expect(results.map((result) => result.code)).toEqual(Array(12).fill(0));
    const alerts = h.pending();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ key: 'gateway', level: 'critical', message: expect.stringMatching(/^down, seen by \d+$/) });
  });

  it('a refresh keeps the id and takes the newest message; resolve removes it; another key stays', async () => {
    const h = keyedHome();
    await h.run(0, 'raise', 'error', 'disk 91%', 'disk');
    await h.run(0, 'raise', 'warning', 'cron failing', 'cron');
    const [first] = h.pending();
    await h.run(0, 'raise', 'error', 'disk 93%', 'disk');
    expect(h.pending()).toEqual([
      { ...first, timestamp: expect.any(String), message: 'disk 93%' },
      expect.objectContaining({ key: 'cron' }),
    ]);
    expect((await h.run(0, 'resolve', 'disk')).code).toBe(0);
    expect(h.pending().map((alert) => alert.key)).toEqual(['cron']);
    const heartbeat = await runCli(['heartbeat', '--home', h.home, '--workspace', path.join(h.home, 'workspace')]);
    expect(heartbeat.stdout).toContain('cron failing');
    expect(heartbeat.stdout).not.toContain('disk');
  });

  it('a dry run neither raises nor resolves', async () => {
    const h = keyedHome();
    await h.run(0, 'raise', 'error', 'dry', 'dry', '--dry-run');
    expect(existsSync(h.file)).toBe(false);
    await h.run(0, 'raise', 'error', 'real', 'k');
    const before = readFileSync(h.file, 'utf8');
    const dry = await h.run(0, 'resolve', 'k', '--dry-run');
    expect(dry.code).toBe(0);
    expect(readFileSync(h.file, 'utf8')).toBe(before);
  });
});
