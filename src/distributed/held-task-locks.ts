import { acquireTaskLock, type HeldTaskLock, type TaskLock } from '../core/task-lock.js';
import type { RunnerError } from '../shared/errors.js';

/** How long a worker keeps a task's lock after its last job ended, for the next job of a burst. */
export const LOCK_IDLE_MS = 250;

/** Options of {@link HeldTaskLocks}. */
export interface HeldTaskLocksOptions {
  home: string;
  /** The lock's stale age (config `lock.staleMs`). */
  staleMs?: number;
  /** Released after this long without a run of the task (default {@link LOCK_IDLE_MS}). */
  idleMs?: number;
}

/** One task's lock as a worker holds it. */
interface Holding {
  lock: TaskLock;
  lost: AbortController;
  /** A run of the task is under way (or ignored its signal and has not settled yet). */
  running: boolean;
  /** Releases the lock once no run has ended for `idleMs`; restarted by every run's end. */
  idle: NodeJS.Timeout | undefined;
  /** What each run is given: the same for every run of the holding. */
  given: HeldTaskLock;
}

/**
 * The local task locks of a worker, kept across a task's consecutive jobs. The cluster already
 * runs one job of a task at a time (the task queue's global concurrency); the local lock keeps a
 * local run (`runner run`, cron) of the same task on this host from overlapping a job. Taking and
 * releasing it for every job costs a mkdir and an rmdir each time (measured: docs/benchmarks.md,
 * Worker cost per job); held through a burst of jobs it is taken once, and a local run started
 * meanwhile finds the task locked, as it would during any one job.
 */
export class HeldTaskLocks {
  private readonly holdings = new Map<string, Holding>();
  private readonly idleMs: number;

  private readonly options: HeldTaskLocksOptions;
  constructor(options: HeldTaskLocksOptions) {
    this.options = options;
    this.idleMs = options.idleMs ?? LOCK_IDLE_MS;
  }

  /**
   * The task's lock for one run, taken unless already held; `undefined` when a local run holds it,
   * or when this worker's previous run of the task ignored its abort and still runs. Pair each
   * lock given with {@link HeldTaskLocks.runEnded}.
   */
  async take(task: string): Promise<HeldTaskLock | undefined> {
    let holding = this.holdings.get(task);
    if (holding?.running) return undefined;
    if (!holding) {
      const lost = new AbortController();
      const lock = await acquireTaskLock(this.options.home, task, {
        staleMs: this.options.staleMs,
        onCompromised: (error: RunnerError) => {
          this.forget(task, holding);
          lost.abort(error);
        },
      });
      if (!lock) return undefined;
      holding = { lock, lost, running: false, idle: undefined, given: { path: lock.path, lost: lost.signal } };
      this.holdings.set(task, holding);
    }
    holding.running = true;
    return holding.given;
  }

  /** The run given the task's lock is over once `settled` settles: the lock is released if no run follows soon. */
  runEnded(task: string, settled: Promise<unknown>): void {
    const holding = this.holdings.get(task);
    if (!holding) return;
    void settled.finally(() => {
      if (this.holdings.get(task) !== holding) return;
      holding.running = false;
      clearTimeout(holding.idle);
      holding.idle = setTimeout(() => void this.release(task, holding), this.idleMs);
    });
  }

  /** Release every lock held (the worker is closing; its runs have ended). */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.holdings].map(([task, holding]) => this.release(task, holding)));
  }

  private async release(task: string, holding: Holding): Promise<void> {
    if (holding.running || !this.forget(task, holding)) return;
    await holding.lock.release();
  }

  private forget(task: string, holding: Holding | undefined): boolean {
    if (!holding || this.holdings.get(task) !== holding) return false;
    clearTimeout(holding.idle);
    this.holdings.delete(task);
    return true;
  }
}
