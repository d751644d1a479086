import { Task, type TaskContext, type TaskResult } from '../core/task.js';
import { parseDay } from '../shared/time.js';
import { NonRetryableError } from '../shared/errors.js';
import { captureMemory, type CaptureSummary } from '../memory/capture.js';

/**
 * `runner memory_capture [--date YYYY-MM-DD]`: capture headers, bold items, markers and keyword
 * bullets of today's and yesterday's daily memory files into `memory/store.json` (SPEC §5).
 *
 * A daily note that cannot be captured (not UTF-8, over a `memory.max*` limit, unparseable) is
 * skipped and the run still succeeds: the other note is captured, and another attempt would find
 * the same bytes. It is not silent: the message and the record's `files_skipped` name the file and
 * the reason, and a warning alert is left for the operator.
 */
export default class MemoryCaptureTask extends Task {
  name = 'memory_capture';
  description = "Capture important items from today's and yesterday's memory files into memory/store.json";
  // Hourly, a few minutes past (not on the hour, when other jobs start): notes are captured the
  // same hour they are written.
  override defaults = { schedule: '5 * * * *' };
  override options = [
    { flags: '--date <day>', description: 'capture this day (YYYY-MM-DD) and the day before, instead of today and yesterday' },
  ];

  async run(ctx: TaskContext): Promise<TaskResult> {
    const memory = ctx.config.memory;
    const summary = await captureMemory({
      workspace: ctx.paths.workspace,
      now: new Date(),
      timeZone: ctx.config.timezone,
      day: dayOption(ctx.options.date),
      threshold: memory?.captureThreshold,
      limits: { maxFileBytes: memory?.maxFileBytes, maxLineLength: memory?.maxLineLength, maxNesting: memory?.maxNesting },
      dryRun: ctx.dryRun,
      signal: ctx.signal,
      onParsing: (file) => ctx.log.debug({ file }, `parsing ${file}`),
    });
    const message = summaryMessage(summary, ctx.dryRun);
    if (summary.files_skipped.length > 0) await ctx.alert(`memory_capture: ${skippedText(summary)}`, 'warning');
    ctx.log.info(summary, 'memory capture finished');
    return { success: true, message, ...summary };
  }
}

function summaryMessage(summary: CaptureSummary, dryRun: boolean): string {
  const skipped = summary.files_skipped.length > 0 ? `; ${skippedText(summary)}` : '';
  if (summary.files_processed === 0) {
    return summary.files_skipped.length > 0
      ? `nothing captured${skipped}`
      : `no daily memory file for ${summary.days.join(' or ')}`;
  }
  const verb = dryRun ? 'would add' : 'added';
  return `${verb} ${summary.items_added} of ${summary.items_extracted} items from ${summary.files_processed} file(s); ${summary.items_skipped} duplicates skipped${skipped}`;
}

// Each reason names its file: "skipped 1 daily note: memory/2026-02-16.md is not UTF-8: ...".
function skippedText(summary: CaptureSummary): string {
  const count = summary.files_skipped.length;
  return `skipped ${count} daily note${count === 1 ? '' : 's'}: ${summary.files_skipped.map((skip) => skip.reason).join('; ')}`;
}

function dayOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const day = typeof value === 'string' ? parseDay(value) : undefined;
  if (day === undefined) {
    throw new NonRetryableError(`--date: expected a day as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return day;
}
