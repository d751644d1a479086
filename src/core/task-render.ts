import type { Color } from '../shared/terminal-color.js';
import type { RunRecord } from '../store/run-log.js';
import type { Task } from './task.js';

/**
 * A task may show a successful run to a person its own way, under the usual `✓ task: message`
 * line, by having a `render(record, tools)` method (system_health prints a table of its checks).
 * It only formats: the CLI prints, and `--json` and `--quiet` are the CLI's business. The tools
 * are the CLI's own (src/cli/output.ts), so tables and colours look like the other commands'.
 */
export interface RendersRecord {
  render(record: RunRecord, tools: RenderTools): string;
}

/** The CLI's formatting helpers, handed to {@link RendersRecord.render}. */
export interface RenderTools {
  /** Wrap text in an ANSI colour when colour is on. */
  paint(text: string, color: Color, stream?: NodeJS.WriteStream): string;
  /** Rows as aligned text lines, one per row after the headers; padding ignores colour codes. */
  formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string;
}

/** Whether `task` renders its runs itself. */
export function rendersRecord(task: Task): task is Task & RendersRecord {
  return typeof (task as Partial<RendersRecord>).render === 'function';
}
