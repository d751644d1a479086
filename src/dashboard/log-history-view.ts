import { followLog } from '../history/follow.js';
import { LogFileSet } from '../history/log-files.js';
import { parseRecord } from '../history/record.js';
import { scanNewestFirst } from '../history/scan.js';
import type { RunRecord } from '../store/run-log.js';
import type { HistoryScan, RunHistoryView } from './data-source.js';
import { summariseTasks, type SummaryOptions, type TaskSummaries } from './task-summary.js';

/**
 * The home's run log (logs/tasks.jsonl and its rotated files) as the dashboard reads it: from its
 * end, as `runner status` and `runner logs` do, other tasks' lines passed over unparsed; new
 * records followed as they are appended.
 */
export class LogHistoryView implements RunHistoryView {
  private readonly logFile: string;
  constructor(logFile: string) {
    this.logFile = logFile;
  }

  summarise(options: SummaryOptions): Promise<TaskSummaries> {
    return summariseTasks(this.logFile, options);
  }

  async scan(visit: (record: RunRecord) => boolean | void, options: { task?: string } = {}): Promise<HistoryScan> {
    const { task } = options;
    const files = await LogFileSet.open(this.logFile);
    try {
      const scan = await scanNewestFirst(files, (entry) => visit(entry.record), { wantsTask: task === undefined ? undefined : (name) => name === task });
      return { linesRead: scan.linesRead, skipped: scan.skipped };
    } finally {
      await files.close();
    }
  }

  async follow(onRecord: (record: RunRecord) => void, signal: AbortSignal): Promise<void> {
    // The log is followed from its end as it is now: every record appended from here on is reported.
    const files = await LogFileSet.open(this.logFile);
    const live = files.takeLive(this.logFile);
    await files.close();
    const onLine = (line: string | undefined) => {
      const record = line === undefined ? undefined : parseRecord(line);
      if (record) onRecord(record);
    };
    // A log that cannot be read is shown as such by the pages that read it; live records stop.
    followLog(this.logFile, onLine, { from: live, signal }).catch(() => undefined);
  }
}
