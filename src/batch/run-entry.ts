import type { Logger } from 'pino';
import type { Settings } from '../config/config.js';
import type { BatchRunOutcome } from './execute.js';

/**
 * Run the runner task a `run` entry names, in this process, through the runner core: under that
 * task's own lock, with its retries and its own run record. The core is loaded only when a queue
 * holds such an entry.
 */
export async function runEntryTask(
  settings: Settings,
  name: string,
  signal: AbortSignal,
  log?: Logger,
): Promise<BatchRunOutcome> {
  const { runTask } = await import('../core/run-task.js');
  const outcome = await runTask(name, { settings, signal, ...(log ? { log } : {}) });
  signal.throwIfAborted();
  if (outcome.status === 'success') {
    return { success: true, message: outcome.result?.message ?? `task ${name} succeeded` };
  }
  const error = typeof outcome.record.error === 'string' ? outcome.record.error : outcome.result?.message;
  return { success: false, message: `task ${name} ${outcome.status.replace('_', ' ')}${error ? `: ${error}` : ''}` };
}
