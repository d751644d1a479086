import { describe, expect, it } from 'vitest';
import { fileStores, openStores } from '../../src/compose/stores.js';
import type { Settings } from '../../src/config/config.js';
import { AlertStore } from '../../src/store/alerts.js';

const settings = (config: Settings['config'] = {}) => ({ home: '/h', workspace: '/w', config }) as unknown as Settings;

describe('the composition of stores', () => {
  it('opens the home files without a queue', async () => {
    const stores = await openStores(settings());
    expect(stores.history).toBeUndefined();
    expect(stores.alertsAt).toBe('/h/alerts/pending.json');
    expect(stores.historyAt).toBe('/h/logs/tasks.jsonl');
    expect(stores.alerts).toBeInstanceOf(AlertStore);
    await stores.close();
  });

  it('wraps the inbox with the push to the agent only for processes that run tasks', () => {
    expect(fileStores(settings()).alerts).toBeInstanceOf(AlertStore);
    expect(fileStores(settings(), { pushAlerts: true }).alerts).not.toBeInstanceOf(AlertStore);
  });
});
