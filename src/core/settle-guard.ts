/**
 * A task file whose top-level code awaits something that never settles (`await new Promise(() => {})`)
 * leaves its import() pending forever. Once nothing else is left to do, the event loop empties and
 * Node would quietly end the process mid-way: `runner list` printed nothing and exited 0. Node emits
 * `beforeExit` at exactly that moment; an import still pending then can never settle, so it is
 * failed with the reason, and what was waiting for it (discovery, a run) goes on.
 */

const pending = new Set<(error: Error) => void>();

function onBeforeExit(): void {
  const rejects = [...pending];
  pending.clear();
  process.removeListener('beforeExit', onBeforeExit);
  for (const reject of rejects) reject(new Error('its top-level code never finished: an await that never settles'));
}

/**
 * `promise`, or a rejection when the event loop empties while it is still pending (it can then
 * never settle).
 */
export function settleOrFail<T>(promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (pending.size === 0) process.on('beforeExit', onBeforeExit);
    pending.add(reject);
    const done = () => {
      pending.delete(reject);
      if (pending.size === 0) process.removeListener('beforeExit', onBeforeExit);
    };
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
