/**
 * Writes that share one round trip when they come faster than the server answers: the first write
 * goes out at once, and the ones that arrive while it is under way go out together as the next
 * batch when it is done. Nothing waits for a timer, so a lone write is as quick as before; under a
 * busy worker (many task queues finishing jobs at once) a PostgreSQL connection does one insert and
 * one commit for many run records.
 */
export class GroupedWrites<T> {
  private waiting: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing = false;

  /** `write` sends one batch (never empty) and settles once the server has it. */
  private readonly write: (items: T[]) => Promise<void>;
  constructor(write: (items: T[]) => Promise<void>) {
    this.write = write;
  }

  /** Resolves once the batch holding `item` is written; rejects with that batch's error. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await this.write(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.writing = false;
  }
}
