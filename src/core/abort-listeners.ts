/**
 * Listen for an AbortSignal's abort for as long as one run lasts, at the cost of a Set insertion.
 * Every run of a worker listens to the same shutdown signal (and to its task's held lock), and Node's
 * EventTarget takes about a microsecond to add a listener and another to remove it: here each signal
 * gets one real listener, which calls the runs listening at the time it fires.
 */
const listening = new WeakMap<AbortSignal, Set<() => void>>();

/** Call `listener` once `signal` aborts (at once if it has); the returned function stops listening. */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    listener();
    return () => {};
  }
  let listeners = listening.get(signal);
  if (listeners === undefined) {
    const created = new Set<() => void>();
    listening.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        listening.delete(signal);
        for (const each of created) each();
      },
      { once: true },
    );
    listeners = created;
  }
  const registered = listeners;
  registered.add(listener);
  return () => registered.delete(listener);
}
