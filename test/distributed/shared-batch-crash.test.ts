import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { collect, writeFile } from '../helpers/cli.js';
import { markerCounts, until } from '../e2e/batch-helpers.js';
import { describeOnServers } from './helpers.js';
import { expireExecutorLease, sharedHome, waitingTask } from './shared-batch-helpers.js';

/**
 * One executor per shared queue, whichever host it runs on; an executor killed mid-entry loses
 * nothing: the next executor, on another host, releases the dead one's claim and runs the entry.
 */
await describeOnServers('shared batch executor lock and crash recovery', (backend) => {
  const { prefix } = backend;

  it('refuses a second executor while one runs, and recovers the entry of a killed one on another home', async () => {
    const q = { url: backend.url, prefix };
    const a = sharedHome(q);
    const b = sharedHome(q);
    for (const h of [a, b]) writeFile(h.home, 'tasks/slow_step.mjs', waitingTask('slow_step'));
    expect((await a.cli(['batch', 'add', 'Slow step', '--run', 'slow_step', '--priority', 'high'])).code).toBe(0);
    for (let i = 0; i < 3; i++) expect((await b.cli(['batch', 'add', `Planned ${i}`])).code).toBe(0);
    const ids = (JSON.parse((await a.cli(['batch', 'list', '--json'])).stdout) as { id: string }[]).map((item) => item.id);

    const first = a.start(['batch', '10']);
    const firstDone = collect(first);
    const pidFile = path.join(a.workspace, 'slow_step.pid');
    await until(() => existsSync(pidFile), first);
    expect(existsSync(pidFile)).toBe(true);

    // Another host's executor finds the queue taken.
    const second = await b.cli(['batch', '10']);
    expect(second.code).toBe(2);
    expect(second.stdout + second.stderr).toMatch(/another executor is running the shared batch queue/);
    const running = JSON.parse((await b.cli(['batch', 'list', '--json'])).stdout) as { id: string; state: string }[];
    expect(running.find((item) => item.id === ids[0])?.state).toBe('running');

    first.kill('SIGKILL');
    expect((await firstDone).signal).toBe('SIGKILL');
    await expireExecutorLease(backend, prefix);

    writeFileSync(path.join(b.workspace, 'go'), '');
    const rerun = await b.cli(['batch', '10']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse((await b.cli(['batch', 'list', '--json'])).stdout)).toEqual([]);
    const counts = markerCounts(b.diary());
    expect([...counts.keys()].sort()).toEqual([...ids].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(b.diary()).toContain('**Task:** Slow step\n**Result:** waited\n');
    expect(markerCounts(a.diary()).size).toBe(0);
    expect(readFileSync(path.join(b.workspace, 'slow_step.pid'), 'utf8')).not.toBe('');
  });
});
