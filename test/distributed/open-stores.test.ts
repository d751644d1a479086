import { describe, expect, it } from 'vitest';
import { queueIsConfigured } from '../../src/cli/open-stores.js';
import type { Settings } from '../../src/config/config.js';
import { queueConfigured } from '../../src/config/queue.js';

describe('the file-mode check of queue.url', () => {
  it('agrees with queueConfigured', () => {
    for (const queue of [undefined, {}, { url: '' }, { url: 'redis://127.0.0.1:6379' }, { url: 'postgres://x@y/z', prefix: 'p' }, { prefix: 'p' }]) {
      const settings = { home: '/h', workspace: '/w', config: { queue } } as unknown as Settings;
      expect(queueIsConfigured(settings)).toBe(queueConfigured(settings));
    }
  });

  it('opens the home files without a queue', async () => {
    const { openStores } = await import('../../src/cli/open-stores.js');
    const stores = await openStores({ home: '/h', workspace: '/w', config: {} } as unknown as Settings);
    expect(stores.history).toBeUndefined();
    expect(stores.alertsAt).toBe('/h/alerts/pending.json');
    await stores.close();
  });
});
