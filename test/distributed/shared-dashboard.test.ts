import { expect, it } from 'vitest';
import { loadSettings } from '../../src/config/config.js';
import type { SourceEvent } from '../../src/dashboard/data-source.js';
import { createDataSource } from '../../src/dashboard/open-data-source.js';
import { makeHome, writeFile } from '../helpers/cli.js';
import { describeOnServers } from './helpers.js';

// The dashboard's data source with a queue configured: the shared history and inbox, every host's.
await describeOnServers("the dashboard's shared data source", (server) => {
  const { prefix } = server;

  it('shows the shared runs and alerts, acks them, serves the shared batch queue, and reports new records and queue changes', async () => {
    const { home, workspace } = makeHome('taskrunner-shared-dash-');
    writeFile(home, 'runner.config.json', JSON.stringify({ workspace, queue: { url: server.url, prefix } }));
    const settings = loadSettings({ home });
    const source = await createDataSource(settings);
    expect(source.describe().mode).toBe('distributed');

    const { openStores } = await import('../../src/compose/stores.js');
    const other = await openStores(settings);
    const controller = new AbortController();
    try {
      const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
      for (let i = 0; i < 5; i++) {
        await other.history!.append({ task: 'remote', dry_run: false, timestamp: at(i), success: i !== 4, duration_seconds: 1, run_id: `r${i}`, attempts: 1, ...(i === 4 ? { error: 'boom' } : {}) });
      }
      const alert = (await other.alerts.raise({ task: 'remote', level: 'error', message: 'boom' })).alert;

      const view = await source.tasks();
      const remote = view.tasks.find((task) => task.name === 'remote');
      expect(remote).toMatchObject({ source: 'history', status: { last_result: 'failed', last_error: 'boom', runs: 5, successes: 4 } });
      expect(remote?.recent.t).toHaveLength(5);

      const page = await source.runs({ offset: 0, limit: 2 });
      expect(page.records.map((r) => r.run_id)).toEqual(['r4', 'r3']);
      expect(page.more).toBe(true);
      expect((await source.runs({ offset: 2, limit: 10, task: 'remote' })).records.map((r) => r.run_id)).toEqual(['r2', 'r1', 'r0']);
      expect((await source.runs({ offset: 0, limit: 10, failed: true })).records.map((r) => r.run_id)).toEqual(['r4']);

      expect(await source.alerts()).toEqual([alert]);
      expect(await source.ackAlerts([alert.id, 'gone'])).toEqual({ acknowledged: [alert.id], missing: ['gone'] });
      expect(await source.alerts()).toEqual([]);
      // The batch panel is the shared queue, the one `runner batch list` shows on every host.
      expect(await source.batch()).toEqual([]);
      const added = await source.addBatch({ task: 'Document the API', priority: 'high', run: 'remote' });
      expect((await source.batch()).map((item) => item.id)).toEqual([added.id]);
      await expect(source.addBatch({ task: 'after', depends_on: ['nope'] })).rejects.toMatchObject({ code: 'runner.invalidArgument' });
      const { openBatchQueue } = await import('../../src/distributed/shared-batch-queue.js');
      const otherQueue = await openBatchQueue(settings);

      const events: SourceEvent[] = [];
      let notify: () => void = () => undefined;
      const twoEvents = new Promise<void>((resolve) => (notify = resolve));
      await source.watch((event) => {
        events.push(event);
        if (['record', 'alerts', 'batch'].every((type) => events.some((e) => e.type === type))) notify();
      }, controller.signal);
      await other.history!.append({ task: 'remote', timestamp: at(10), success: true, run_id: 'live' });
      await other.alerts.raise({ task: 'remote', level: 'info', message: 'live' });
      const { addBatchTask } = await import('../../src/batch/add.js');
      await addBatchTask({ task: 'from another host', workspace, store: otherQueue });
      await otherQueue.close();
      await twoEvents;
      expect(events.find((e) => e.type === 'record')).toEqual({ type: 'record', record: { task: 'remote', timestamp: at(10), success: true, run_id: 'live' } });
    } finally {
      controller.abort();
      await other.close();
      await source.close();
    }
  });
});
