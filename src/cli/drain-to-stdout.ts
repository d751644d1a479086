import { RunnerError } from '../shared/errors.js';
import type { AlertInbox } from '../store/ports.js';
import type { Alert } from '../store/alerts.js';

/**
 * Drain the alerts inbox onto stdout without losing an alert: `print` writes what it is given, and
 * the alerts are removed only once stdout has taken every byte. A full disk (`> /dev/full`) or a
 * reader that went away (EPIPE) removes nothing and fails with `runner.outputFailed` naming the
 * inbox (`where`: its file, or the shared inbox's server). Used by `runner alerts --drain` and `runner heartbeat`. Resolves to the alerts drained.
 */
export function drainToStdout(store: AlertInbox, where: string, print: (alerts: readonly Alert[]) => void): Promise<Alert[]> {
  return store.drain(async (alerts) => {
    await printedToStdout(() => print(alerts)).catch((error: unknown) => {
      throw outputFailed(error, where, alerts.length);
    });
  });
}

/**
 * Run `print` (which writes to stdout) and resolve once stdout has written all of it, or reject
 * with the write's error (EPIPE, ENOSPC, …). A stream error with no listener would crash the
 * process with a stack trace, so one is kept for good.
 */
function printedToStdout(print: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    process.stdout.on('error', (error) => {
      failure ??= error;
    });
    try {
      print();
    } catch (error) {
      reject(error as Error);
      return;
    }
    // Writes complete in order: when this empty one has, everything before it has too.
    process.stdout.write('', (error) => {
      const first = failure ?? error ?? undefined;
      if (first) reject(first);
      else resolve();
    });
  });
}

function outputFailed(error: unknown, file: string, count: number): RunnerError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
  return new RunnerError('runner.outputFailed', `could not write the alerts to standard output (${reason}); none of the ${count} alert(s) was removed from ${file}`, { file, cause: error });
}
