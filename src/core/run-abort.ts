import type { RunnerError } from '../shared/errors.js';

/**
 * A run's cancellation: the reason once it is aborted (timeout, signal, lost lock), and the
 * AbortSignal its task sees as `ctx.signal`. Node takes microseconds to make an AbortSignal (as long
 * as the rest of a no-op run in a worker), so the signal is made only when something asks for it.
 */
export class RunAbort {
  private controller: AbortController | undefined;
  private readonly listeners: (() => void)[] = [];
  private abortReason: RunnerError | undefined;

  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  get reason(): RunnerError | undefined {
    return this.abortReason;
  }

  /** The run's AbortSignal (made on first use). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Abort the run; only the first reason counts. */
  abort(reason: RunnerError): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    for (const listener of this.listeners.splice(0)) listener();
  }

  /** Call `listener` once the run is aborted (at once if it already is). */
  onAbort(listener: () => void): void {
    if (this.abortReason !== undefined) listener();
    else this.listeners.push(listener);
  }

  throwIfAborted(): void {
    if (this.abortReason !== undefined) throw this.abortReason;
  }
}
