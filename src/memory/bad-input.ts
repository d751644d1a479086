import { NonRetryableError, RunnerError, type RunnerErrorCode } from '../errors.js';

// A corrupt store or a bad setting will be just as bad on the next attempt: retrying only delays
// the report.
const BAD_INPUT: ReadonlySet<RunnerErrorCode> = new Set(['store.corrupt', 'store.invalid', 'config.invalid', 'runner.invalidArgument']);

/**
 * Run `work`; an error about bad input (corrupt store, bad config) is rethrown as a
 * NonRetryableError with the same message, keeping `code` and `file`, so the runner stops at once.
 */
export async function stopOnBadInput<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RunnerError && BAD_INPUT.has(error.code)) {
      throw Object.assign(new NonRetryableError(error.message, { cause: error }), { code: error.code, file: error.file });
    }
    throw error;
  }
}
