import type { Redis } from 'ioredis';
import { recordLine, type RunRecord } from '../store/run-log.js';
import type { RunHistory } from '../store/ports.js';

/** Records the shared history keeps unless told otherwise (older ones are trimmed on append). */
export const DEFAULT_HISTORY_LIMIT = 100_000;
const PAGE = 500;

/**
 * The run history in Redis: the stream `<prefix>:runner-store:history`, one entry per run record
 * (field `r`: the record's JSON, the line `logs/tasks.jsonl` has), capped at about `limit` entries
 * on every append (`XADD … MAXLEN ~`). Read newest first in pages by entry id, so records appended
 * during a scan neither shift nor repeat what it reads.
 */
export class RedisHistory implements RunHistory {
  private readonly key: string;
  private readonly maxLength: string;

  private readonly redis: Redis;
  constructor(
    redis: Redis,
    prefix: string,
    limit: number = DEFAULT_HISTORY_LIMIT,
  ) {
    this.redis = redis;
    this.key = `${prefix}:runner-store:history`;
    this.maxLength = String(limit);
  }

  async append(record: RunRecord): Promise<void> {
    holdWritesForThisTick(this.redis);
    await this.redis.xadd(this.key, 'MAXLEN', '~', this.maxLength, '*', 'r', recordLine(record));
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

/**
 * Hold the connection's writes until the current tick's work is done, so the record leaves in the
 * same socket write as what follows it. In a worker that is BullMQ's completion of the job: one
 * write and one wake-up of the server a job instead of two, which saves CPU time of the worker and
 * the server on every job (measured: docs/benchmarks.md, Worker cost per job). The order of the commands does not change.
 */
function holdWritesForThisTick(redis: Redis): void {
  const socket = redis.status === 'ready' ? redis.stream : undefined;
  if (!socket || socket.writableCorked > 0) return;
  socket.cork();
  process.nextTick(() => socket.uncork());
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
