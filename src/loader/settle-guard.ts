/**
 * A task file whose top-level code awaits something that never settles (`await new Promise(() => {})`)
 * leaves its import() pending forever. Once nothing else is left to do, the event loop empties and
 * Node would quietly end the process mid-way: `runner list` printed nothing and exited 0. Node emits
 * `beforeExit` at exactly that moment; an import still pending then can never settle, so it is
 * failed with the reason, and what was waiting for it (discovery, a run) goes on. An await that
 * keeps the loop busy without ever settling (a timer that repeats) is caught by a time bound instead.
 */

/** Longer than any sane top-level set-up of a task file; loading must end some time. */
export const LOAD_TIME_LIMIT_MS = 60_000;

const pending = new Set<(error: Error) => void>();

function onBeforeExit(): void {
  const rejects = [...pending];
  pending.clear();
  process.removeListener('beforeExit', onBeforeExit);
  for (const reject of rejects) reject(new Error('its top-level code never finished: an await that never settles'));
}

/**
 * `promise`, or a rejection when the event loop empties while it is still pending (it can then
 * never settle), or when it is still pending after {@link LOAD_TIME_LIMIT_MS}.
 */
export function settleOrFail<T>(promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (pending.size === 0) process.on('beforeExit', onBeforeExit);
    pending.add(reject);
    const done = () => {
      clearTimeout(timer);
      pending.delete(reject);
      if (pending.size === 0) process.removeListener('beforeExit', onBeforeExit);
    };
    // unref: the bound must not itself keep the loop from emptying (that is the other detection).
    const timer = setTimeout(() => {
      done();
      reject(new Error(`its top-level code did not finish within ${LOAD_TIME_LIMIT_MS / 1000} s`));
    }, LOAD_TIME_LIMIT_MS).unref();
    promise.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error as Error);
      },
    );
  });
}
