import type { Redis } from 'ioredis';
import { recordLine, type RunRecord } from '../store/run-log.js';
import type { SharedHistory } from './shared-stores.js';

/** Records the shared history keeps unless told otherwise (older ones are trimmed on append). */
export const DEFAULT_HISTORY_LIMIT = 100_000;
const PAGE = 500;

/**
 * The run history in Redis: the stream `<prefix>:runner-store:history`, one entry per run record
 * (field `r`: the record's JSON, the line `logs/tasks.jsonl` has), capped at about `limit` entries
 * on every append (`XADD … MAXLEN ~`). Read newest first in pages by entry id, so records appended
 * during a scan neither shift nor repeat what it reads.
 */
export class RedisHistory implements SharedHistory {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly limit: number = DEFAULT_HISTORY_LIMIT,
  ) {
    this.key = `${prefix}:runner-store:history`;
  }

  async append(record: RunRecord): Promise<void> {
    await this.redis.xadd(this.key, 'MAXLEN', '~', String(this.limit), '*', 'r', recordLine(record));
  }

  async scanNewestFirst(visit: (record: RunRecord) => boolean | void, options: { maxRecords?: number } = {}): Promise<void> {
    const max = options.maxRecords ?? Infinity;
    let visited = 0;
    let end = '+';
    while (visited < max) {
      const entries = await this.redis.xrevrange(this.key, end, '-', 'COUNT', String(Math.min(PAGE, max - visited)));
      if (entries.length === 0) return;
      for (const [id, fields] of entries) {
        end = `(${id}`;
        const record = recordOf(fields);
        if (record === undefined) continue;
        visited += 1;
        if (visit(record) === false || visited >= max) return;
      }
    }
  }
}

function recordOf(fields: string[]): RunRecord | undefined {
  const at = fields.indexOf('r');
  if (at === -1 || at + 1 >= fields.length) return undefined;
  try {
    return JSON.parse(fields[at + 1]!) as RunRecord;
  } catch {
    return undefined;
  }
}
