import type { Settings } from '../config/config.js';
import type { ConnectionOptions, QueueConnection } from '../distributed/connection.js';

/**
 * Open the queue of `queue.url` for `runner enqueue`, `worker` and `schedule`. The distributed code
 * is imported here, lazily: the file mode never loads it.
 */
export async function openConfiguredQueue(settings: Settings, options: Partial<ConnectionOptions> = {}): Promise<QueueConnection> {
  const { queueTarget } = await import('../config/queue.js');
  const { openQueueConnection } = await import('../distributed/connection.js');
  return openQueueConnection(queueTarget(settings), { bullmq: true, ...options });
}
