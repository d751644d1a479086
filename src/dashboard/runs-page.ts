import { parseTimestamp } from '../shared/time.js';
import { matchesFilter, type LogFilter } from '../history/log-query.js';
import type { RunRecord } from '../store/run-log.js';
import type { RunsQuery } from './data-source.js';

/**
 * Runs of overlapping processes may be appended a little out of order of their ends (two runs
 * ending at once, clocks of processes): a record that ended this long before the page's oldest
 * start means every line before it did too.
 */
const APPEND_SLACK_MS = 60_000;

interface Found {
  record: RunRecord;
  /** Its start (ms since the epoch); -Infinity for a timestamp that cannot be read, listed last. */
  startedMs: number;
}

/**
 * One page of the runs panel: the runs that match `query`, newest START first (the time each row
 * shows), from a history read newest WRITTEN first (the run log and the shared stores alike).
 *
 * A record is written when its run ends, so write order is end order: a long run that started an
 * hour ago is written after runs that started since. The scan cannot stop at `offset + limit`
 * matches: it goes on until a record ended before the start of the page's oldest run (every record
 * written earlier ended earlier still, so none of them can start later), then the matches are sorted
 * by start. Give {@link visit} to the scan and read {@link page} when it is over.
 */
export class RunsPageCollector {
  /** The best `offset + limit + 1` matches so far, newest start first (one more, to know of older pages). */
  private readonly found: Found[] = [];
  private readonly wanted: number;
  private readonly filter: LogFilter;

  private readonly query: RunsQuery;
  private readonly timeZone: string | undefined;
  constructor(
    query: RunsQuery,
    timeZone: string | undefined,
  ) {
    this.query = query;
    this.timeZone = timeZone;
    this.wanted = query.offset + query.limit + 1;
    this.filter = { task: query.task, failed: query.failed, sinceMs: query.sinceMs, timeZone };
  }

  /** The scan's visitor: false once no older record can be on the page. */
  readonly visit = (record: RunRecord): boolean => {
    const started = parseTimestamp(record.timestamp, this.timeZone);
    if (started !== undefined) {
      const ended = started + durationMs(record);
      if (this.query.sinceMs !== undefined && ended < this.query.sinceMs - APPEND_SLACK_MS) return false;
      if (this.found.length === this.wanted && ended < this.found[this.wanted - 1]!.startedMs - APPEND_SLACK_MS) return false;
    }
    if (!matchesFilter({ record, line: '', file: '' }, this.filter)) return true;
    if (this.query.untilMs !== undefined && (started === undefined || started >= this.query.untilMs)) return true;
    this.insert({ record, startedMs: started ?? -Infinity });
    return true;
  };

  /** The page: its records newest start first, and whether older matching runs follow. */
  page(): { records: RunRecord[]; more: boolean } {
    const end = this.query.offset + this.query.limit;
    return { records: this.found.slice(this.query.offset, end).map((found) => found.record), more: this.found.length > end };
  }

  /** Keep `found` sorted by start, newest first (the later written first among equal starts), and no longer than needed. */
  private insert(entry: Found): void {
    let low = 0;
    let high = this.found.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.found[middle]!.startedMs >= entry.startedMs) low = middle + 1;
      else high = middle;
    }
    if (low >= this.wanted) return;
    this.found.splice(low, 0, entry);
    if (this.found.length > this.wanted) this.found.pop();
  }
}

function durationMs(record: RunRecord): number {
  const seconds = record.duration_seconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}
