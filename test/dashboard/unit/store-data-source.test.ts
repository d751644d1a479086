import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/config.js';
import type { SourceEvent } from '../../../src/dashboard/data-source.js';
import { createDataSource } from '../../../src/dashboard/open-data-source.js';
import { StoreDataSource } from '../../../src/dashboard/store-data-source.js';
import { summariseTasks } from '../../../src/dashboard/task-summary.js';
import { AlertStore } from '../../../src/store/alerts.js';
import { makeHome } from '../../helpers/cli.js';

const T0 = Date.UTC(2026, 0, 1);
const record = (n: number, task: string, extra: Record<string, unknown> = {}) => ({
  task, dry_run: false, timestamp: new Date(T0 + n * 60_000).toISOString(), success: n % 4 !== 0, duration_seconds: n % 10, run_id: `${task}-${n}`, attempts: 1, ...extra,
});

function homeWithLog(records: Record<string, unknown>[]) {
  const { home, workspace } = makeHome('taskrunner-file-source-');
  mkdirSync(path.join(home, 'logs'));
  writeFileSync(path.join(home, 'logs', 'tasks.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return { home, workspace, settings: loadSettings({ home, workspace }, {}) };
}

describe('summariseTasks', () => {
  const records = Array.from({ length: 5000 }, (_, n) => record(n, n % 50 === 0 ? 'rare' : 'common'));
  const { home } = homeWithLog(records);
  const log = path.join(home, 'logs', 'tasks.jsonl');

  it('computes what `runner status` computes, and the newest points oldest first', async () => {
    const summary = await summariseTasks(log, { known: new Set(['common', 'rare']), window: 20, points: 30 });
    const rare = summary.byTask.get('rare')!;
    const rareRuns = records.filter((r) => r.task === 'rare').slice(-20);
    expect(rare.status).toMatchObject({ task: 'rare', runs: 20, successes: rareRuns.filter((r) => r.success).length, last_run: rareRuns[19]!.timestamp });
    expect(rare.recent.t).toEqual(records.filter((r) => r.task === 'rare').slice(-30).map((r) => Date.parse(r.timestamp)));
    expect(rare.recent.ok).toEqual(records.filter((r) => r.task === 'rare').slice(-30).map((r) => r.success));
  });

  it('stops reading once every known task is full', async () => {
    const summary = await summariseTasks(log, { known: new Set(['common', 'rare']), window: 20, points: 30 });
    expect(summary.complete).toBe(false);
    // rare runs every 50th line: its 30 points are within the newest 1,500 lines.
    expect(summary.linesRead).toBeLessThanOrEqual(30 * 50);
  });

  it('stops at maxLines, and reads it all when a known task never ran', async () => {
    expect((await summariseTasks(log, { known: new Set(['ghost']), maxLines: 700 })).linesRead).toBe(700);
    const all = await summariseTasks(log, { known: new Set(['ghost', 'rare']) });
    expect(all).toMatchObject({ linesRead: 5000, complete: true });
  });
});

describe('the data source over the home files', () => {
  it('pages the history from the newest, with filters', async () => {
    const records = Array.from({ length: 300 }, (_, n) => record(n, n % 3 === 0 ? 'alpha' : 'beta'));
    const { settings } = homeWithLog(records);
    const source = await createDataSource(settings);
    const newest = [...records].reverse();
    const first = await source.runs({ offset: 0, limit: 50 });
    expect(first.records.map((r) => r.run_id)).toEqual(newest.slice(0, 50).map((r) => r.run_id));
    expect(first.more).toBe(true);
    const second = await source.runs({ offset: 50, limit: 50 });
    expect(second.records.map((r) => r.run_id)).toEqual(newest.slice(50, 100).map((r) => r.run_id));
    const failedAlpha = newest.filter((r) => r.task === 'alpha' && !r.success);
    const filtered = await source.runs({ task: 'alpha', failed: true, offset: 0, limit: 1000 });
    expect(filtered.records.map((r) => r.run_id)).toEqual(failedAlpha.map((r) => r.run_id));
    expect(filtered.more).toBe(false);
    const until = T0 + 100 * 60_000;
    const ranged = await source.runs({ sinceMs: T0 + 50 * 60_000, untilMs: until, offset: 10, limit: 5 });
    expect(ranged.records.map((r) => r.run_id)).toEqual(newest.filter((r) => Date.parse(r.timestamp) < until).slice(10, 15).map((r) => r.run_id));
    const last = await source.runs({ offset: 290, limit: 50 });
    expect(last).toMatchObject({ more: false });
    expect(last.records).toHaveLength(10);
  });

  it('acknowledges through the alert store: ids that are gone come back as missing', async () => {
    const { home, settings } = homeWithLog([]);
    const store = AlertStore.forHome(home);
    const a = await store.append({ task: 't', level: 'error', message: 'one' });
    const b = await store.append({ task: 't', level: 'info', message: 'two' });
    const source = await createDataSource(settings);
    expect(await source.ackAlerts([a.id, 'nosuch'])).toEqual({ acknowledged: [a.id], missing: ['nosuch'] });
    expect(await source.ackAlerts([a.id])).toEqual({ acknowledged: [], missing: [a.id] });
    expect(await source.ackAlerts('all')).toEqual({ acknowledged: [b.id], missing: [] });
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toEqual([]);
  });

  it('reports new records and changed files to a watcher', async () => {
    const { home, workspace, settings } = homeWithLog([record(1, 'alpha')]);
    const source = await createDataSource(settings);
    const events: SourceEvent[] = [];
    const controller = new AbortController();
    await source.watch((event) => events.push(event), controller.signal);
    try {
      const { appendFileSync } = await import('node:fs');
      appendFileSync(path.join(home, 'logs', 'tasks.jsonl'), `${JSON.stringify(record(2, 'beta'))}\n`);
      await AlertStore.forHome(home).append({ task: 'beta', level: 'warning', message: 'watch me' });
      writeFileSync(path.join(workspace, 'batch-tasks.json'), '[]');
      await expect.poll(() => events.map((event) => event.type).sort(), { timeout: 10_000 }).toEqual(['alerts', 'batch', 'record']);
      expect(events.find((event) => event.type === 'record')).toMatchObject({ record: { task: 'beta', run_id: 'beta-2' } });
    } finally {
      controller.abort();
    }
  });

  it('is what the factory makes without a queue; with one, an unreachable server is a clear error', async () => {
    const { settings } = homeWithLog([]);
    const source = await createDataSource(settings);
    expect(source).toBeInstanceOf(StoreDataSource);
    expect(source.describe()).toMatchObject({ mode: 'files' });
    await expect(createDataSource({ ...settings, config: { queue: { url: 'redis://127.0.0.1:1' } } })).rejects.toMatchObject({ code: 'queue.unreachable' });
  });
});
