import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertStore, type Alert } from '../../src/store/alerts.js';

const store = () => new AlertStore(path.join(mkdtempSync(path.join(tmpdir(), 'taskrunner-alerts-')), 'alerts', 'pending.json'));
const messages = (alerts: readonly Alert[]) => alerts.map((alert) => alert.message);

describe('AlertStore.drain', () => {
  it('removes the alerts only once consume has resolved, and none when it rejects', async () => {
    const alerts = store();
    await alerts.append({ task: 't', level: 'info', message: 'one' });
    await expect(alerts.drain(async () => Promise.reject(new Error('push failed')))).rejects.toThrow('push failed');
    expect(messages(await alerts.list())).toEqual(['one']);
    let seen: readonly Alert[] = [];
    const drained = await alerts.drain(async (list) => {
      seen = list;
    });
    expect(messages(drained)).toEqual(['one']);
    expect(seen).toEqual(drained);
    expect(await alerts.list()).toEqual([]);
  });

  it('keeps an alert written while consume runs for the next drain', async () => {
    const alerts = store();
    await alerts.append({ task: 't', level: 'info', message: 'before' });
    const drained = await alerts.drain(async () => {
      await alerts.append({ task: 't', level: 'warning', message: 'meanwhile' });
    });
    expect(messages(drained)).toEqual(['before']);
    expect(messages(JSON.parse(readFileSync(alerts.file, 'utf8')) as Alert[])).toEqual(['meanwhile']);
  });
});

describe('AlertStore.ack', () => {
  it('takes turns with a drain: an alert being handed out is not also acknowledged', async () => {
    const alerts = store();
    const one = await alerts.append({ task: 't', level: 'error', message: 'one' });
    let release!: () => void;
    let consuming!: () => void;
    const inConsume = new Promise<void>((resolve) => (consuming = resolve));
    const drain = alerts.drain(async () => {
      consuming();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await inConsume;
    // The drain holds its turn: the ack waits for it, then finds the alert gone.
    let acked: string[] | undefined;
    const ack = alerts.ack([one.id]).then((missing) => (acked = missing));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acked).toBeUndefined();
    release();
    expect(messages(await drain)).toEqual(['one']);
    expect(await ack).toEqual([one.id]);
    expect(await alerts.list()).toEqual([]);
  });

  it('removes what it names and says which ids were not pending', async () => {
    const alerts = store();
    const one = await alerts.append({ task: 't', level: 'info', message: 'one' });
    const two = await alerts.append({ task: 't', level: 'info', message: 'two' });
    expect(await alerts.ack([one.id, 'nosuch'])).toEqual(['nosuch']);
    expect(await alerts.list()).toEqual([two]);
  });
});
