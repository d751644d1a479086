import type { RunHistory } from '../store/ports.js';
import type { RunRecord } from '../store/run-log.js';
import type { HistoryScan, RunHistoryView } from './data-source.js';
import { summariseRecords, type SummaryOptions, type TaskSummaries } from './task-summary.js';

/** How often the shared history is looked at for new records (it has no file to watch). */
export const POLL_MS = 1_000;
/** Records one poll reports at most (a burst beyond it is seen on the next page load). */
const POLL_MAX_RECORDS = 1_000;
/** Records a scan reads at most, newest first. */
const SCAN_MAX_RECORDS = 200_000;

/** The shared run history of a queue's server (every host's runs) as the dashboard reads it. */
export class SharedHistoryView implements RunHistoryView {
  private readonly history: RunHistory;
  constructor(history: RunHistory) {
    this.history = history;
  }

  summarise(options: SummaryOptions): Promise<TaskSummaries> {
    return summariseRecords(this.history, options);
  }

  async scan(visit: (record: RunRecord) => boolean | void): Promise<HistoryScan> {
    let read = 0;
    await this.history.scanNewestFirst(
      (record) => {
        read += 1;
        return visit(record);
      },
      { maxRecords: SCAN_MAX_RECORDS },
    );
    return { linesRead: read, skipped: 0 };
  }

  async follow(onRecord: (record: RunRecord) => void, signal: AbortSignal): Promise<void> {
    // Polled: the newest record seen is the mark, and what came after it is reported.
    let mark = await this.newest();
    await poll(
      async () => {
        const fresh: RunRecord[] = [];
        await this.history.scanNewestFirst(
          (record) => {
            if (mark !== undefined && JSON.stringify(record) === mark) return false;
            fresh.push(record);
          },
          { maxRecords: POLL_MAX_RECORDS },
        );
        if (fresh.length > 0) mark = JSON.stringify(fresh[0]);
        for (const record of fresh.reverse()) onRecord(record);
      },
      signal,
    );
  }

  private async newest(): Promise<string | undefined> {
    let newest: string | undefined;
    await this.history.scanNewestFirst((record) => {
      newest = JSON.stringify(record);
      return false;
    });
    return newest;
  }
}

/**
 * Run `check` every {@link POLL_MS} until `signal` aborts, one at a time; a check that fails (a
 * server restarting) is tried again at the next tick. Resolves once polling.
 */
export async function poll(check: () => Promise<void>, signal: AbortSignal): Promise<void> {
  let polling = false;
  const timer = setInterval(() => {
    if (polling || signal.aborted) return;
    polling = true;
    check()
      .catch(() => undefined)
      .finally(() => (polling = false));
  }, POLL_MS);
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
