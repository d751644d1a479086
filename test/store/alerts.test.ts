import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

describe('AlertStore: alerts with a key', () => {
  it('a second raise of a pending key adds none: same id, newest message and time, highest level', async () => {
    const alerts = store();
    const first = await alerts.raise({ task: 'system_health', level: 'critical', message: 'disk 95%', key: 'system_health:disk' });
    expect(first).toMatchObject({ added: true, escalated: false });
    expect(Object.keys(first.alert)).toEqual(['id', 'task', 'timestamp', 'level', 'message', 'key']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await alerts.raise({ task: 'system_health', level: 'error', message: 'disk 96%', key: 'system_health:disk' });
    expect(second).toMatchObject({ added: false, escalated: false });
    expect(second.alert).toMatchObject({ id: first.alert.id, level: 'critical', message: 'disk 96%', key: 'system_health:disk' });
    expect(second.alert.timestamp > first.alert.timestamp).toBe(true);
    expect(await alerts.list()).toEqual([second.alert]);
    const third = await alerts.raise({ task: 'other', level: 'info', message: 'unrelated', key: 'other' });
    expect(third.added).toBe(true);
    expect(await alerts.list()).toEqual([second.alert, third.alert]);
  });

  it('a refresh to a higher level says it escalated', async () => {
    const alerts = store();
    await alerts.raise({ task: 't', level: 'error', message: 'down', key: 'k' });
    const raised = await alerts.raise({ task: 't', level: 'critical', message: 'down for an hour', key: 'k' });
    expect(raised).toMatchObject({ added: false, escalated: true, alert: { level: 'critical', message: 'down for an hour' } });
  });

  it('resolve removes the pending alerts with that key and nothing else', async () => {
    const alerts = store();
    const keyed = await alerts.append({ task: 't', level: 'error', message: 'down', key: 'gw' });
    const other = await alerts.append({ task: 't', level: 'error', message: 'full', key: 'disk' });
    const plain = await alerts.append({ task: 't', level: 'warning', message: 'no key' });
    expect(await alerts.resolve('gw')).toEqual([keyed]);
    expect(await alerts.list()).toEqual([other, plain]);
    expect(await alerts.resolve('gw')).toEqual([]);
    // Raised again after it was resolved: a new alert.
    const again = await alerts.raise({ task: 't', level: 'error', message: 'down again', key: 'gw' });
    expect(again.added).toBe(true);
    expect(again.alert.id).not.toBe(keyed.id);
  });

  it('a resolve with nothing pending under its key creates, locks and writes nothing', async () => {
    const alerts = store();
    expect(await alerts.resolve('gw')).toEqual([]);
    expect(existsSync(path.dirname(alerts.file))).toBe(false);
    await alerts.append({ task: 't', level: 'info', message: 'kept' });
    const before = statSync(alerts.file);
    expect(await alerts.resolve('gw')).toEqual([]);
    expect(statSync(alerts.file).mtimeMs).toBe(before.mtimeMs);
    expect(readdirSync(path.dirname(alerts.file))).toEqual(['pending.json']);
  });

  it('reads an old-format file without keys as it is, and keeps its alerts through keyed raises and resolves', async () => {
    const alerts = store();
    const old = [
      { task: 'health_check', timestamp: '2024-05-01T10:00:00+02:00', level: 'error', message: 'gateway down' },
      { id: 'a1', task: 'backup', timestamp: '2024-05-01T11:00:00Z', level: 'warning', message: 'slow' },
    ];
    mkdirSync(path.dirname(alerts.file), { recursive: true });
    writeFileSync(alerts.file, JSON.stringify(old));
    const listed = await alerts.list();
    expect(listed.map(({ id: _id, ...rest }) => rest)).toEqual(old.map(({ id: _id, ...rest }) => rest));
    await alerts.raise({ task: 'system_health', level: 'error', message: 'gateway unhealthy', key: 'system_health:gateway' });
    await alerts.raise({ task: 'system_health', level: 'error', message: 'gateway still unhealthy', key: 'system_health:gateway' });
    expect(await alerts.resolve('system_health:gateway')).toHaveLength(1);
    expect(await alerts.list()).toEqual(listed);
  });

  it('raises of one key at once add one alert', async () => {
    const alerts = store();
    const raised = await Promise.all(
      Array.from({ length: 12 }, (_, i) => alerts.raise({ task: `t${i}`, level: i === 7 ? 'critical' : 'warning', message: `m${i}`, key: 'same' })),
    );
    expect(raised.filter((r) => r.added)).toHaveLength(1);
    const pending = await alerts.list();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ key: 'same', level: 'critical' });
  });

  it('refuses an empty key', async () => {
    await expect(store().raise({ task: 't', level: 'info', message: 'm', key: '' })).rejects.toThrow(/alert key must be a non-empty string/);
  });
});
