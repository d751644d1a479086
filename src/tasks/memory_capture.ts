import { captureMemory, NonRetryableError, parseDay, Task, type TaskContext, type TaskResult } from '../index.js';

/**
 * `runner memory_capture [--date YYYY-MM-DD]`: capture headers, bold items, markers and keyword
 * bullets of today's and yesterday's daily memory files into `memory/store.json` (SPEC §5).
 */
export default class MemoryCaptureTask extends Task {
  name = 'memory_capture';
  description = "Capture important items from today's and yesterday's memory files into memory/store.json";
  override options = [
    { flags: '--date <day>', description: 'capture this day (YYYY-MM-DD) and the day before, instead of today and yesterday' },
  ];

  async run(ctx: TaskContext): Promise<TaskResult> {
    const summary = await captureMemory({
      workspace: ctx.paths.workspace,
      now: new Date(),
      timeZone: ctx.config.timezone,
      day: dayOption(ctx.options.date),
      threshold: ctx.config.memory?.captureThreshold,
      dryRun: ctx.dryRun,
      signal: ctx.signal,
    });
    const verb = ctx.dryRun ? 'would add' : 'added';
    const message =
      summary.files_processed === 0
        ? `no daily memory file for ${summary.days.join(' or ')}`
        : `${verb} ${summary.items_added} of ${summary.items_extracted} items from ${summary.files_processed} file(s); ${summary.items_skipped} duplicates skipped`;
    ctx.log.info(summary, 'memory capture finished');
    return { success: true, message, ...summary };
  }
}

function dayOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const day = typeof value === 'string' ? parseDay(value) : undefined;
  if (day === undefined) {
    throw new NonRetryableError(`--date: expected a day as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return day;
}
