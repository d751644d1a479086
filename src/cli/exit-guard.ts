import { writeSync } from 'node:fs';
import { recordUnfinishedRuns } from '../core/unfinished-runs.js';
import { EXIT, RunnerError } from '../shared/errors.js';
import type { RunRecord } from '../store/run-log.js';

/**
 * While a task runs, make sure the process cannot end without its record and with exit 0:
 *
 * - `exit`: the task called `process.exit()` (any code) before its run finished;
 * - `beforeExit`: the event loop ran empty while the run was still awaiting the task, so its
 *   `run()` can never settle (it awaits a promise nothing will resolve).
 *
 * Either way the run is recorded as failed, synchronously, and the process exits 1. Returns a
 * function that removes the handlers.
 */
export function guardRunUntilRecorded(): () => void {
  const onExit = (code: number) => {
    if (finishUnfinished(`the task ended the process before finishing (process.exit(${code}))`)) process.exitCode = EXIT.failure;
  };
  const onBeforeExit = () => {
    if (finishUnfinished("the task's run() never settled: it awaits something that nothing will resolve")) process.exit(EXIT.failure);
  };
  process.on('exit', onExit);
  process.on('beforeExit', onBeforeExit);
  return () => {
    process.off('exit', onExit);
    process.off('beforeExit', onBeforeExit);
  };
}

// Writes go straight to file descriptor 2: in an `exit` handler nothing asynchronous runs any more.
function finishUnfinished(message: string): boolean {
  const results = recordUnfinishedRuns<RunRecord>(new RunnerError('runner.unfinished', message));
  for (const result of results) {
    if (result.ok) say(`✗ ${result.value.task} failed: ${message}\n`);
    else say(`error: ${message}; ${result.error instanceof Error ? result.error.message : String(result.error)}\n`);
  }
  return results.length > 0;
}

// stderr may be closed or on a full disk; the exit code still tells.
function say(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // nothing left to tell it to
  }
}
